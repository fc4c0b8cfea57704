// Text-format decoders of the built-in scalar types, by OID. Types missing from the table come
// back as the text itself (text, varchar, numeric, date, time, inet, money, …): that is their
// exact JS form. Arrays, ranges and multiranges are composed per connection in registry.ts, so
// they pick up the connection's in adapters for their elements.
//
// The table is built once and shared read-only by every connection.

import { DataError } from "../errors.js";
import { parseBytea } from "./bytea.js";
import { parseDate, parseTimestamp, parseTimestamptz } from "./datetime.js";
import { numberText } from "./encode.js";
import { PGInterval } from "./interval.js";
import * as oid from "./oids.js";
import type { DateSettings } from "./session.js";

type Decoder = (text: string) => unknown;
/** A decoder whose input depends on session settings (DateStyle, TimeZone), read when it runs. */
type SessionDecoder = (text: string, session: DateSettings) => unknown;

export function parseBool(text: string): boolean {
  if (text === "t" || text === "true") return true;
  if (text === "f" || text === "false") return false;
  throw new DataError(`invalid boolean ${JSON.stringify(text)}`);
}

/** int2, int4, oid, xid, cid: all fit a double exactly. */
export function parseInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || text.trim() === "") throw new DataError(`invalid integer ${JSON.stringify(text)}`);
  return n;
}

/** int8 → bigint: a double would round values beyond 2^53. */
export function parseBigint(text: string): bigint {
  try {
    return BigInt(text);
  } catch {
    throw new DataError(`invalid bigint ${JSON.stringify(text)}`);
  }
}

/** float4/float8, including NaN, Infinity and -Infinity as PG prints them. */
export function parseFloat8(text: string): number {
  const n = Number(text);
  if (Number.isNaN(n) && text !== "NaN") throw new DataError(`invalid float ${JSON.stringify(text)}`);
  return n;
}

/**
 * float4: the text is the shortest decimal that reads back as the same float4, so it must be
 * rounded to float4 again — Number("1.1") is not the float4 1.1 (1.100000023841858) that the
 * binary path and the server hold.
 */
export function parseFloat4(text: string): number {
  return Math.fround(parseFloat8(text));
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(`invalid JSON from the server: ${(err as Error).message}`);
  }
}

export function parseUuid(text: string): string {
  return text.toLowerCase();
}

/**
 * A point { x, y }. A class rather than a plain object so that a point read from the server
 * can be sent back as a parameter: a plain object would go out as JSON, which point rejects.
 */
export class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}

  /** The point's PG text "(x,y)", exact for every double (NaN and ±Infinity included). */
  toPostgres(): string {
    return `(${numberText(this.x)},${numberText(this.y)})`;
  }

  toString(): string {
    return this.toPostgres();
  }
}

/** point "(1.5,2)" → Point { x: 1.5, y: 2 }. */
export function parsePoint(text: string): Point {
  const m = /^\(\s*([^,\s]+)\s*,\s*([^)\s]+)\s*\)$/.exec(text);
  if (m === null) throw new DataError(`invalid point ${JSON.stringify(text)}`);
  return new Point(parseFloat8(m[1]!), parseFloat8(m[2]!));
}

/** int2vector / oidvector "1 2 3" → [1, 2, 3] ("" → []). */
export function parseIntegerVector(text: string): number[] {
  const trimmed = text.trim();
  return trimmed === "" ? [] : trimmed.split(/\s+/).map(parseInteger);
}

export function parseInterval(text: string): PGInterval {
  return PGInterval.fromText(text);
}

export const BUILTIN_TEXT_DECODERS: ReadonlyMap<number, Decoder> = new Map<number, Decoder>([
  [oid.BOOLEAN, parseBool],
  [oid.SMALLINT, parseInteger],
  [oid.INTEGER, parseInteger],
  [oid.OID, parseInteger],
  [oid.XID, parseInteger],
  [oid.CID, parseInteger],
  [oid.BIGINT, parseBigint],
  [oid.REAL, parseFloat4],
  [oid.FLOAT, parseFloat8],
  [oid.BYTES, parseBytea],
  [oid.JSON, parseJson],
  [oid.JSONB, parseJson],
  [oid.UUID_TYPE, parseUuid],
  [oid.INTERVAL, parseInterval],
  [oid.POINT, parsePoint],
  [oid.INT2VECTOR, parseIntegerVector],
  [oid.OIDVECTOR, parseIntegerVector],
]);

/** Decoders of the types whose text form follows DateStyle and TimeZone. */
export const SESSION_TEXT_DECODERS: ReadonlyMap<number, SessionDecoder> = new Map<number, SessionDecoder>([
  [oid.DATE, parseDate],
  [oid.TIMESTAMP, parseTimestamp],
  [oid.TIMESTAMPTZ, parseTimestamptz],
]);
