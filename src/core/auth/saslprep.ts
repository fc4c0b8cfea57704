// SASLprep (RFC 4013), the stringprep (RFC 3454) profile SCRAM applies to passwords.
//
// What matters for authentication is producing the same bytes PostgreSQL produced when it hashed
// the password (src/common/saslprep.c, used by the server and by libpq), so this follows it where
// it reads the RFC in a particular way:
//  - the prohibited, unassigned and bidi checks look at the mapped string *before* NFKC (the RFC
//    checks the normalized output; the two differ only for exotic input);
//  - unassigned code points (table A.1, Unicode 3.2) are rejected: SCRAM treats the password as
//    a "stored string" (RFC 5802 §2.2);
//  - a non-empty string that maps to nothing is rejected;
//  - on any rejection the password is used unchanged rather than failing the login
//    (see saslprepOrRaw).
// NFKC itself uses the runtime's Unicode version, as PostgreSQL uses its own current tables.

import { InterfaceError } from "../../errors.js";
import {
  L_CAT,
  MAPPED_TO_NOTHING,
  NON_ASCII_SPACE,
  PROHIBITED_OUTPUT,
  RAND_AL_CAT,
  UNASSIGNED,
} from "./saslprep-tables.js";

/** A table as a flat array of inclusive [first, last] pairs, sorted, for binary search. */
type RangeTable = Uint32Array;

function parseRanges(spec: string): RangeTable {
  const items = spec.trim().split(/\s+/);
  const table = new Uint32Array(items.length * 2);
  items.forEach((item, i) => {
    const [first = "", last = first] = item.split("-");
    table[2 * i] = parseInt(first, 16);
    table[2 * i + 1] = parseInt(last, 16);
  });
  return table;
}

const nonAsciiSpace = parseRanges(NON_ASCII_SPACE);
const mappedToNothing = parseRanges(MAPPED_TO_NOTHING);
const prohibitedOutput = parseRanges(PROHIBITED_OUTPUT);
const unassigned = parseRanges(UNASSIGNED);
const randALCat = parseRanges(RAND_AL_CAT);
const lCat = parseRanges(L_CAT);

function inTable(table: RangeTable, codePoint: number): boolean {
  let lo = 0;
  let hi = table.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (codePoint < table[2 * mid]!) hi = mid - 1;
    else if (codePoint > table[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

// Messages name the rule, never the offending character: the input is usually a password.
function rejected(reason: string): InterfaceError {
  return new InterfaceError(`SASLprep: ${reason}`);
}

/**
 * Prepares a string with SASLprep; throws InterfaceError if the profile rejects it (prohibited or
 * unassigned code point, bidi rule violation, or nothing left after mapping). Lone UTF-16
 * surrogates count as prohibited (table C.5).
 */
export function saslprep(input: string): string {
  // Step 1, map. A code point in both tables (U+200B) becomes a space, as in PostgreSQL.
  const codePoints: number[] = [];
  for (const char of input) {
    const codePoint = char.codePointAt(0)!;
    if (inTable(nonAsciiSpace, codePoint)) codePoints.push(0x20);
    else if (!inTable(mappedToNothing, codePoint)) codePoints.push(codePoint);
  }
  if (codePoints.length === 0 && input.length > 0) {
    throw rejected("the string consists only of characters that map to nothing");
  }

  // Steps 3 and 4 (prohibit, bidi) run on the mapped code points; see the header comment.
  for (const codePoint of codePoints) {
    if (inTable(prohibitedOutput, codePoint)) throw rejected("prohibited character");
    if (inTable(unassigned, codePoint)) throw rejected("code point unassigned in Unicode 3.2");
  }
  checkBidi(codePoints);

  // Step 2, normalize.
  return codePoints
    .map((cp) => String.fromCodePoint(cp))
    .join("")
    .normalize("NFKC");
}

/**
 * Stringprep's bidi rule: a string with right-to-left characters has no left-to-right ones and
 * starts and ends with a right-to-left character.
 */
function checkBidi(codePoints: number[]): void {
  if (!codePoints.some((cp) => inTable(randALCat, cp))) return;
  if (codePoints.some((cp) => inTable(lCat, cp))) {
    throw rejected("bidirectional check failed (mixes right-to-left and left-to-right characters)");
  }
  const first = codePoints[0]!;
  const last = codePoints[codePoints.length - 1]!;
  if (!inTable(randALCat, first) || !inTable(randALCat, last)) {
    throw rejected("bidirectional check failed (right-to-left text must start and end with a right-to-left character)");
  }
}

/**
 * The password as SCRAM should hash it: the SASLprep result, or the password unchanged if SASLprep
 * rejects it. PostgreSQL does the same when it stores a SCRAM secret and libpq when it logs in, so
 * this is what makes passwords SASLprep rejects still work.
 */
export function saslprepOrRaw(password: string): string {
  try {
    return saslprep(password);
  } catch (err) {
    if (err instanceof InterfaceError) return password;
    throw err;
  }
}
