// literal(): a value as an SQL literal, for the statements where parameters cannot be used
// (DDL defaults, SET, …). Parameters remain the safe way to pass values; this produces text
// that the server reads back as exactly the value given, and that cannot break out of its
// quotes.
//
// Values are spelled by the same rules as parameters (encode.ts, without per-connection
// adapters), then quoted. Quoted literals carry no cast and take their type from the context
// (like pg8000's literal()), except the cases below that need one to mean the right thing.

import { asBytes, bytesToHex } from "./bytea.js";
import { numberText, ParameterEncoder } from "./encode.js";

const encoder = new ParameterEncoder(() => undefined);

/**
 * Quotes text as a string constant. With a backslash in the text the E'' form with doubled
 * backslashes is used (as PG's quote_literal does): a plain '…' would change meaning if
 * standard_conforming_strings were off, which is the one setting under which quoting can break.
 */
export function quoteString(text: string): string {
  const doubled = text.replaceAll("'", "''");
  return text.includes("\\") ? `E'${doubled.replaceAll("\\", "\\\\")}'` : `'${doubled}'`;
}

/**
 * Numbers: a negative one starts with a space, so that `x-${literal(-1)}` reads "x- -1" and not
 * "x--1" — which would start a comment and silently cut off the rest of the line.
 */
function numeric(text: string): string {
  return text.startsWith("-") ? ` ${text}` : text;
}

export function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "bigint") return numeric(value.toString());
  if (typeof value === "number") {
    // NaN and the infinities are not numeric constants in SQL; they exist as float8 input.
    if (!Number.isFinite(value)) return `'${numberText(value)}'::float8`;
    // -0 as a bare constant would be integer 0; keep its sign as float8.
    if (Object.is(value, -0)) return "'-0'::float8";
    return numeric(numberText(value));
  }
  // Without the cast, the hex text would be taken as a string and stored as its characters.
  const bytes = asBytes(value);
  if (bytes !== undefined) return `${quoteString(`\\x${bytesToHex(bytes)}`)}::bytea`;
  const text = encoder.text(value);
  return text === null ? "NULL" : quoteString(text);
}
