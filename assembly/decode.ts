// Binary fixed-width values (PostgreSQL big-endian send format) into typed-column slots.
// PostgreSQL docs: Frontend/Backend Protocol, "Formats and Format Codes"; binary formats are
// those of the types' send functions (int2send … timestamp_send, uuid_send, interval_send,
// point_send, macaddr_send, macaddr8_send). Slot layouts: ./plan.ts.

import { Kind, COLUMN_SIZE } from "./plan";

/** Days from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
const PG_EPOCH_DAYS: i64 = 10957;
/** Milliseconds from 1970-01-01 to 2000-01-01. */
const PG_EPOCH_MS: i64 = 946684800000;

/** Two lower-case hex digits per byte value, in memory order. */
const HEX_PAIRS: usize = memory.data(512, 2);

/** Two ASCII decimal digits per value 0…99, in memory order. */
export const DECIMAL_PAIRS: usize = memory.data(200, 2);

export function initHexPairs(): void {
  for (let b = 0; b < 256; b++) {
    store<u16>(HEX_PAIRS + (<usize>b << 1), <u16>(hexDigit(b >> 4) | (hexDigit(b & 15) << 8)));
  }
  for (let n = 0; n < 100; n++) {
    store<u16>(DECIMAL_PAIRS + (<usize>n << 1), <u16>((0x30 + n / 10) | ((0x30 + n % 10) << 8)));
  }
}

function hexDigit(n: i32): i32 {
  return n < 10 ? 0x30 + n : 0x57 + n;
}

/** Decodes the field at `src` (its length already checked against WIRE_SIZE) into `dst`. */
// @ts-ignore: decorator
@inline export function decodeField(kind: u32, src: usize, dst: usize): void {
  switch (kind) {
    case Kind.Bool:
      store<u8>(dst, load<u8>(src) != 0 ? 1 : 0);
      break;
    case Kind.Int2:
      store<u16>(dst, bswap<u16>(load<u16>(src, 0, 1)));
      break;
    case Kind.Int4:
    case Kind.Float4: // bits move unchanged, so NaN payloads and -0 survive
    case Kind.Oid:
      store<u32>(dst, bswap<u32>(load<u32>(src, 0, 1)));
      break;
    case Kind.Int8:
    case Kind.Float8:
      store<u64>(dst, bswap<u64>(load<u64>(src, 0, 1)));
      break;
    case Kind.Date:
      store<i32>(dst, unixDays(bswap<i32>(load<i32>(src, 0, 1))));
      break;
    case Kind.Time:
      store<f64>(dst, <f64>bswap<i64>(load<i64>(src, 0, 1)));
      break;
    case Kind.Timestamp:
      store<f64>(dst, unixMillis(bswap<i64>(load<i64>(src, 0, 1))));
      break;
    case Kind.Uuid:
      formatUuid(src, dst);
      break;
  }
}

/** The fixed-width kinds decoded out of line (width already checked): interval, point, macaddr(8). */
export function decodeWideField(kind: u32, src: usize, dst: usize): void {
  switch (kind) {
    case Kind.Interval: // int64 µs, int32 days, int32 months: each swapped in place
      store<u64>(dst, bswap<u64>(load<u64>(src, 0, 1)));
      store<u32>(dst, bswap<u32>(load<u32>(src, 8, 1)), 8);
      store<u32>(dst, bswap<u32>(load<u32>(src, 12, 1)), 12);
      break;
    case Kind.Point: // float8 x, float8 y
      store<u64>(dst, bswap<u64>(load<u64>(src, 0, 1)));
      store<u64>(dst, bswap<u64>(load<u64>(src, 8, 1)), 8);
      break;
    case Kind.Macaddr:
      formatMac(src, dst, 6);
      break;
    case Kind.Macaddr8:
      formatMac(src, dst, 8);
      break;
    default:
      assert(false);
  }
}

/** A NULL leaves 0 in its slot (the slot still holds an earlier batch's value otherwise). */
export function zeroField(kind: u32, dst: usize): void {
  memory.fill(dst, 0, <usize>load<u8>(COLUMN_SIZE + <usize>kind));
}

/** PostgreSQL days since 2000-01-01 → days since 1970-01-01; ±infinity (INT_MAX/INT_MIN) kept. */
function unixDays(pgDays: i32): i32 {
  if (pgDays == i32.MAX_VALUE || pgDays == i32.MIN_VALUE) return pgDays;
  // Saturate short of the infinity markers rather than wrap (no real date gets near them).
  const days = min(<i64>pgDays + PG_EPOCH_DAYS, <i64>i32.MAX_VALUE - 1);
  return <i32>days;
}

/** PostgreSQL µs since 2000-01-01 → ms since 1970-01-01 (floored); ±infinity (int64 max/min) → ±Infinity. */
function unixMillis(pgMicros: i64): f64 {
  if (pgMicros == i64.MAX_VALUE) return Infinity;
  if (pgMicros == i64.MIN_VALUE) return -Infinity;
  let ms = pgMicros / 1000;
  if (pgMicros % 1000 < 0) ms -= 1;
  return <f64>(ms + PG_EPOCH_MS);
}

/** n bytes → "08:00:2b:01:02:03" (3n − 1 ASCII bytes), as macaddr_out/macaddr8_out print them. */
function formatMac(src: usize, dst: usize, n: usize): void {
  for (let i: usize = 0; i < n; i++) {
    if (i > 0) store<u8>(dst++, 0x3a);
    store<u16>(dst, load<u16>(HEX_PAIRS + (<usize>load<u8>(src + i) << 1)), 0, 1);
    dst += 2;
  }
}

/** 16 bytes → 36 ASCII bytes "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
function formatUuid(src: usize, dst: usize): void {
  for (let i: usize = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      store<u8>(dst, 0x2d);
      dst += 1;
    }
    store<u16>(dst, load<u16>(HEX_PAIRS + (<usize>load<u8>(src + i) << 1)), 0, 1);
    dst += 2;
  }
}
