// Text-format values decoded straight from the wire bytes, for the common types of large text
// results (queries without parameters use the simple protocol, which is text only): no
// intermediate string per value. A decoder returns NOT_FAST for anything unusual, and the
// row decoder then takes the string path with the registry's text decoder, which is the
// reference these must agree with.

import { isoTimestampMillis, timestampFromMillis } from "./datetime.js";

export const NOT_FAST: unique symbol = Symbol("not fast");
export type ByteDecoder = (bytes: Uint8Array, start: number, end: number) => unknown;

const MINUS = 45;
const ZERO = 48;

/** Up to 15 digits with an optional minus sign, exactly as Number(text) would read them. */
function smallInteger(b: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  const negative = b[i] === MINUS;
  if (negative) i++;
  if (i === end || end - i > 15) return undefined;
  let n = 0;
  for (; i < end; i++) {
    const d = b[i]! - ZERO;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

const integer: ByteDecoder = (b, start, end) => smallInteger(b, start, end) ?? NOT_FAST;

const bigint: ByteDecoder = (b, start, end) => {
  const n = smallInteger(b, start, end);
  return n === undefined ? NOT_FAST : BigInt(n);
};

const bool: ByteDecoder = (b, start, end) =>
  end - start !== 1 ? NOT_FAST : b[start] === 116 ? true : b[start] === 102 ? false : NOT_FAST;

const timestamp =
  (withZone: boolean): ByteDecoder =>
  (b, start, end) => {
    const ms = isoTimestampMillis(b, start, end, withZone);
    return ms === undefined ? NOT_FAST : timestampFromMillis(ms);
  };

const BY_OID = new Map<number, ByteDecoder>([
  [16, bool],
  [20, bigint],
  [21, integer],
  [23, integer],
  [26, integer],
  [28, integer],
  [29, integer],
  [1114, timestamp(false)],
  [1184, timestamp(true)],
]);

export function byteDecoder(oid: number): ByteDecoder | undefined {
  return BY_OID.get(oid);
}
