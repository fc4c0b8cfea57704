// Binary values decoded out of line: those of variable width (numeric, arrays, ranges), those
// with more to check than their width (timetz) and the other kinds added after the first eleven
// (interval, point, macaddr), so that the framing hot path keeps its small decodeField(). Each
// returns 0, -1 after recording an error, or ARENA_FULL.

import { Bad, Err, fail } from "./state";
import { ARRAY_OF, COLUMN_SIZE, FIRST_OUT_OF_LINE, Kind, RANGE_OF, SCALAR_WIRE } from "./plan";
import { DECIMAL_PAIRS, decodeField, decodeWideField } from "./decode";
import { decodeNumeric } from "./numeric";
import { decodeArray } from "./array";
import { decodeRange } from "./range";

/** Field and kind of the value being decoded, for the error report. */
let field = 0;
let fieldKind: u32 = 0;

/** Records a malformed value of the current field; returns -1. */
export function bad(reason: Bad): i32 {
  return fail(Err.BadValue, field, <i32>fieldKind, reason);
}

/** Decodes field `k` (`length` bytes at `src`, not NULL) of an out-of-line kind into its slot `dst`. */
export function decodeValue(k: i32, kind: u32, src: usize, length: i32, dst: usize): i32 {
  field = k;
  fieldKind = kind;
  if (kind == Kind.Numeric) return decodeNumeric(src, length, dst); // the common one first
  if (kind >= RANGE_OF) return decodeRange(kind - RANGE_OF, src, length, dst);
  if (kind >= ARRAY_OF) return decodeArray(kind - ARRAY_OF, src, length, dst);
  const wire = <i32>load<i8>(SCALAR_WIRE + <usize>kind);
  if (wire >= 0 && length != wire) return fail(Err.WrongWidth, k, length, <i32>kind);
  return decodeScalar(kind, src, length, dst);
}

/** One scalar (also an array element or range bound): `length` bytes at `src` into the slot `dst`. */
export function decodeScalar(kind: u32, src: usize, length: i32, dst: usize): i32 {
  const wire = <i32>load<i8>(SCALAR_WIRE + <usize>kind);
  if (wire >= 0 && length != wire) return bad(Bad.ElementWidth);
  if (kind < FIRST_OUT_OF_LINE) {
    decodeField(kind, src, dst);
    return 0;
  }
  if (kind == Kind.Numeric) return decodeNumeric(src, length, dst);
  if (kind == Kind.Timetz) return decodeTimetz(src, dst);
  decodeWideField(kind, src, dst);
  return 0;
}

/** Zeroes a scalar slot (a NULL element, an absent bound). */
export function zeroScalar(kind: u32, dst: usize): void {
  memory.fill(dst, 0, <usize>load<u8>(COLUMN_SIZE + <usize>kind));
}

const USECS_PER_DAY: i64 = 86400000000;
/** timetz_recv's limit on the zone: ±16 hours (TZDISP_LIMIT). */
const TZ_LIMIT = 16 * 3600;

/**
 * timetz (int64 µs since midnight, int32 zone in seconds WEST of UTC) → its text as timetz_out
 * prints it in every DateStyle (EncodeTimeOnly + EncodeTimezone): "HH:MM:SS[.ffffff]" with the
 * fraction's trailing zeros cut, then the offset EAST: "+hh", "+hh:mm" or "+hh:mm:ss".
 */
function decodeTimetz(src: usize, dst: usize): i32 {
  const time = bswap<i64>(load<i64>(src, 0, 1));
  const zone = bswap<i32>(load<i32>(src, 8, 1));
  if (time < 0 || time > USECS_PER_DAY || zone < -TZ_LIMIT || zone > TZ_LIMIT) return bad(Bad.TimetzRange);
  const seconds = <i32>(time / 1000000);
  let fraction = <i32>(time % 1000000);
  let p = dst + 1;
  p = twoDigits(p, seconds / 3600);
  store<u8>(p++, 0x3a);
  p = twoDigits(p, (seconds / 60) % 60);
  store<u8>(p++, 0x3a);
  p = twoDigits(p, seconds % 60);
  if (fraction != 0) {
    store<u8>(p++, 0x2e);
    let digits = 6;
    while (fraction % 10 == 0) {
      fraction /= 10;
      digits--;
    }
    for (let i = digits - 1; i >= 0; i--) {
      store<u8>(p + <usize>i, <u8>(0x30 + fraction % 10));
      fraction /= 10;
    }
    p += <usize>digits;
  }
  // The stored zone counts seconds west, so a zone <= 0 is printed with "+".
  store<u8>(p++, zone <= 0 ? 0x2b : 0x2d);
  const z = zone < 0 ? -zone : zone;
  p = twoDigits(p, z / 3600);
  if (z % 60 != 0) {
    store<u8>(p++, 0x3a);
    p = twoDigits(p, (z / 60) % 60);
    store<u8>(p++, 0x3a);
    p = twoDigits(p, z % 60);
  } else if ((z / 60) % 60 != 0) {
    store<u8>(p++, 0x3a);
    p = twoDigits(p, (z / 60) % 60);
  }
  store<u8>(dst, <u8>(p - dst - 1));
  return 0;
}

// @ts-ignore: decorator
@inline function twoDigits(p: usize, n: i32): usize {
  store<u16>(p, load<u16>(DECIMAL_PAIRS + (<usize>n << 1)), 0, 1);
  return p + 2;
}
