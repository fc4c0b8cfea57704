// The one SQL lexer behind every placeholder converter: it finds the stretches of SQL text that
// are code, i.e. outside string constants, quoted identifiers, comments and dollar quotes.
// PostgreSQL docs: SQL Syntax, Lexical Structure (4.1); rules mirror src/backend/parser/scan.l.
//
// Assumes standard_conforming_strings = on (the default since PostgreSQL 9.1): in '…' a
// backslash is an ordinary character; only E'…' strings honour backslash escapes.

import { InterfaceError } from "../errors.js";

/** Receives one run of code as the half-open range [start, end) of the scanned text. */
export type CodeSpanVisitor = (start: number, end: number) => void;

const SINGLE_QUOTE = 0x27; // '
const DOUBLE_QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const DOLLAR = 0x24; // $
const DASH = 0x2d; // -
const SLASH = 0x2f; // /
const STAR = 0x2a; // *
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const UPPER_E = 0x45;
const LOWER_E = 0x65;

/** True for a character that can start an identifier, a dollar-quote tag or a placeholder name. */
export function isNameStart(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    code === 0x5f || // _
    code >= 0x80 // like the server, every non-ASCII character counts as a letter
  );
}

/** True for a character that can continue a dollar-quote tag or a placeholder name. */
export function isNameChar(code: number): boolean {
  return isNameStart(code) || isDigit(code);
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * Calls `onCode` for each maximal run of code in `sql`, in order. Everything between two runs
 * is one or more quoted or commented regions (including an `E` prefix), to be kept verbatim.
 * An unterminated quote or comment extends to the end of the text: the server reports it.
 */
export function forEachCodeSpan(sql: string, onCode: CodeSpanVisitor): void {
  const length = sql.length;
  let codeStart = 0;
  let i = 0;
  while (i < length) {
    const code = sql.charCodeAt(i);
    let quotedEnd = -1; // set when a quoted or commented region starts at i
    if (code === SINGLE_QUOTE) {
      quotedEnd = endOfDoubledQuote(sql, i + 1, "'");
    } else if (code === DOUBLE_QUOTE) {
      quotedEnd = endOfDoubledQuote(sql, i + 1, '"');
    } else if (code === DASH && sql.charCodeAt(i + 1) === DASH) {
      quotedEnd = endOfLineComment(sql, i + 2);
    } else if (code === SLASH && sql.charCodeAt(i + 1) === STAR) {
      quotedEnd = endOfBlockComment(sql, i + 2);
    } else if (code === DOLLAR) {
      // `$1` is a parameter and `$` followed by anything but a tag is an operator character.
      const openerEnd = endOfDollarQuoteOpener(sql, i);
      if (openerEnd < 0) {
        i++;
        continue;
      }
      const closer = sql.indexOf(sql.slice(i, openerEnd), openerEnd);
      quotedEnd = closer < 0 ? length : closer + (openerEnd - i);
    } else if (isNameStart(code)) {
      if ((code === UPPER_E || code === LOWER_E) && sql.charCodeAt(i + 1) === SINGLE_QUOTE) {
        quotedEnd = endOfEscapeString(sql, i + 2);
      } else {
        // Skip the whole word: `$` inside it (a$b, x$$) is part of the identifier, and an E
        // ending a word (somE'x') does not make the following string an escape string.
        i++;
        while (i < length && (isNameChar(sql.charCodeAt(i)) || sql.charCodeAt(i) === DOLLAR)) i++;
        continue;
      }
    } else {
      i++;
      continue;
    }
    if (i > codeStart) onCode(codeStart, i);
    i = quotedEnd;
    codeStart = quotedEnd;
  }
  if (length > codeStart) onCode(codeStart, length);
}

/** End of a '…' string or "…" identifier whose body starts at `from`; the quote is escaped by doubling. */
function endOfDoubledQuote(sql: string, from: number, quote: "'" | '"'): number {
  let at = from;
  for (;;) {
    const close = sql.indexOf(quote, at);
    if (close < 0) return sql.length;
    if (sql[close + 1] !== quote) return close + 1;
    at = close + 2;
  }
}

/** End of an E'…' string body starting at `from`: a backslash escapes the next character, and '' is a quote. */
function endOfEscapeString(sql: string, from: number): number {
  const length = sql.length;
  let at = from;
  while (at < length) {
    const code = sql.charCodeAt(at);
    if (code === BACKSLASH) {
      at += 2;
    } else if (code === SINGLE_QUOTE) {
      if (sql.charCodeAt(at + 1) !== SINGLE_QUOTE) return at + 1;
      at += 2;
    } else {
      at++;
    }
  }
  return length;
}

/** A -- comment runs to the end of the line; the line break itself is whitespace, i.e. code. */
function endOfLineComment(sql: string, from: number): number {
  const length = sql.length;
  let at = from;
  while (at < length) {
    const code = sql.charCodeAt(at);
    if (code === LINE_FEED || code === CARRIAGE_RETURN) return at;
    at++;
  }
  return length;
}

/** Block comments nest in PostgreSQL (unlike the SQL standard's reading in most other databases). */
function endOfBlockComment(sql: string, from: number): number {
  const length = sql.length;
  let depth = 1;
  let at = from;
  while (at < length) {
    const code = sql.charCodeAt(at);
    if (code === SLASH && sql.charCodeAt(at + 1) === STAR) {
      depth++;
      at += 2;
    } else if (code === STAR && sql.charCodeAt(at + 1) === SLASH) {
      at += 2;
      if (--depth === 0) return at;
    } else {
      at++;
    }
  }
  return length;
}

/**
 * If a dollar-quote delimiter ($$ or $tag$, the tag an identifier without `$`) starts at
 * `dollar`, returns the index just past it; otherwise -1.
 */
function endOfDollarQuoteOpener(sql: string, dollar: number): number {
  let at = dollar + 1;
  if (sql.charCodeAt(at) === DOLLAR) return at + 1;
  if (!isNameStart(sql.charCodeAt(at))) return -1; // also covers `$1` and a `$` at the end
  at++;
  while (isNameChar(sql.charCodeAt(at))) at++;
  return sql.charCodeAt(at) === DOLLAR ? at + 1 : -1;
}

// Shared by the placeholder converters (DB-API paramstyles and the native API), so that both
// name placeholders and report parameter mistakes the same way.

/** Index just past the name characters starting at `from`, stopping at `limit`. */
export function endOfName(sql: string, from: number, limit: number): number {
  let at = from;
  while (at < limit && isNameChar(sql.charCodeAt(at))) at++;
  return at;
}

/** Looks a name up among the object's own keys only: `:constructor` must not find Object.prototype's. */
export function valueByName(params: Record<string, unknown>, name: string): unknown {
  if (!Object.hasOwn(params, name)) {
    throw new InterfaceError(`There's a placeholder '${name}' in the query, but no matching parameter.`);
  }
  return params[name];
}

/** The server would reject a mismatch too, but only after a round trip and with a vaguer message. */
export function checkCount(placeholders: number, parameters: number): void {
  if (placeholders === parameters) return;
  throw new InterfaceError(
    `the query has ${placeholders} placeholder${placeholders === 1 ? "" : "s"} but ` +
      `${parameters} parameter${parameters === 1 ? " was" : "s were"} given`,
  );
}

/** "an array", "an object", "null", "a string"…, for error messages about the wrong kind of params. */
export function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** SQL white space: space, tab, newline, vertical tab, form feed, carriage return. */
export function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** A `--` or `/*` comment starts at `at`. */
export function startsComment(sql: string, at: number): boolean {
  const a = sql.charCodeAt(at);
  const b = sql.charCodeAt(at + 1);
  return (a === 0x2d && b === 0x2d) || (a === 0x2f && b === 0x2a);
}
