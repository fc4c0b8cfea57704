// The decode plan: one column kind per DataRow field, and where each typed column lives in the
// columns region. Kind numbers match ColumnKind in src/codec/layout.ts.
//
// A kind is a scalar kind (below ARRAY_OF), ARRAY_OF + element kind (a 1-D…6-D array of that
// scalar) or RANGE_OF + subtype kind (a range of that scalar). Per-row column slots:
//
//   Bool u8 · Int2 i16 · Int4/Oid i32/u32 · Int8 i64 · Float4 f32 · Float8 f64
//   Date      i32 days since 1970-01-01 (INT32 max/min = ±infinity)
//   Time      f64 µs since midnight
//   Timestamp f64 ms since 1970-01-01 UTC, floored (±Infinity)
//   Uuid      36 ASCII bytes, canonical lower-case form
//   Numeric   i32 address, i32 length of its ASCII text in the value arena
//   Interval  i64 µs, i32 days, i32 months
//   Timetz    u8 length, then up to 24 ASCII bytes "HH:MM:SS[.ffffff]+hh[:mm[:ss]]"
//   Point     f64 x, f64 y
//   Macaddr   17 ASCII bytes "08:00:2b:01:02:03"; Macaddr8 23 ASCII bytes
//   array     i32 address of its record in the value arena (see ./array.ts)
//   range     i32 flags, i32 0, then the lower and the upper bound each in the subtype's slot
//             layout padded to 8 bytes (see ./range.ts)
// A NULL leaves a zeroed slot.

import { Err, Slot, fail, get, put } from "./state";
import { MSG_CAP, growColumns } from "./regions";

export const enum Kind {
  Text = 0,
  Bool = 1,
  Int2 = 2,
  Int4 = 3,
  Int8 = 4,
  Float4 = 5,
  Float8 = 6,
  Oid = 7,
  Date = 8,
  Time = 9,
  Timestamp = 10,
  Uuid = 11,
  Numeric = 12,
  Interval = 13,
  Timetz = 14,
  Point = 15,
  Macaddr = 16,
  Macaddr8 = 17,
}

export const SCALAR_KINDS: u32 = 18;
export const ARRAY_OF: u32 = 32;
export const RANGE_OF: u32 = 64;
const KIND_COUNT = 128;

/**
 * Field length of the kinds decodeField() handles on the framing hot path; -1 for the kinds
 * decoded out of line (./values.ts), which keeps the hot loop as small as it was before them.
 */
export const WIRE_SIZE: usize = memory.data(KIND_COUNT);
/** Field length of every fixed-width scalar kind (-1: numeric), for the out-of-line decoders. */
export const SCALAR_WIRE: usize = memory.data<i8>([0, 1, 2, 4, 8, 4, 8, 4, 4, 8, 8, 16, -1, 16, 12, 16, 6, 8]);
/** Kinds below this are decoded by decodeField(); the rest by ./values.ts. */
export const FIRST_OUT_OF_LINE: u32 = Kind.Numeric;
/** Bytes per row in the typed output column, per kind; 0 = no such kind (or Text). */
export const COLUMN_SIZE: usize = memory.data(KIND_COUNT);
/** Placement pass per kind: 8-byte columns first, then 4, 2, 1, so every column is naturally aligned. */
const PLACEMENT: usize = memory.data(KIND_COUNT);

const SCALAR_COLUMN: usize = memory.data<u8>([0, 1, 2, 4, 8, 4, 8, 4, 4, 8, 8, 36, 8, 16, 25, 16, 17, 23]);
const SCALAR_PLACEMENT: usize = memory.data<u8>([255, 3, 2, 1, 0, 1, 0, 1, 1, 0, 0, 3, 0, 0, 3, 0, 3, 3]);

/** Slot bytes of a scalar kind rounded up to 8: how an array element or range bound is padded. */
// @ts-ignore: decorator
@inline export function paddedSize(kind: u32): usize {
  return (<usize>load<u8>(COLUMN_SIZE + <usize>kind) + 7) & ~7;
}

export function initKindTables(): void {
  for (let k: usize = 0; k < <usize>SCALAR_KINDS; k++) {
    store<i8>(WIRE_SIZE + k, k < <usize>FIRST_OUT_OF_LINE ? load<i8>(SCALAR_WIRE + k) : -1);
    store<u8>(COLUMN_SIZE + k, load<u8>(SCALAR_COLUMN + k));
    store<u8>(PLACEMENT + k, load<u8>(SCALAR_PLACEMENT + k));
  }
  for (let e: u32 = 1; e < SCALAR_KINDS; e++) {
    const array = <usize>(ARRAY_OF + e);
    store<i8>(WIRE_SIZE + array, -1);
    store<u8>(COLUMN_SIZE + array, 4);
    store<u8>(PLACEMENT + array, 1);
    const range = <usize>(RANGE_OF + e);
    store<i8>(WIRE_SIZE + range, -1);
    store<u8>(COLUMN_SIZE + range, <u8>(8 + 2 * paddedSize(e)));
    store<u8>(PLACEMENT + range, 0);
  }
}

/**
 * Takes the `columns` kinds JS wrote at Slot.PlanKinds (-1 = no plan) and places their typed
 * columns. Only called when no batch can still be read.
 */
export function setPlan(columns: i32): i32 {
  if (columns < 0) {
    put(Slot.PlanLen, -1);
    put(Slot.RowCap, MSG_CAP);
    put(Slot.RowBytes, 0);
    put(Slot.PlanOutOfLine, 0);
    return 0;
  }
  if (columns > get(Slot.PlanCap)) return fail(Err.BadPlan, columns, -1);
  const kinds = <usize>get(Slot.PlanKinds);
  let rowBytes = 0;
  for (let c = 0; c < columns; c++) {
    const kind = <usize>load<u8>(kinds + <usize>c);
    if (kind >= <usize>KIND_COUNT || (kind != 0 && load<u8>(COLUMN_SIZE + kind) == 0)) return fail(Err.BadPlan, c, <i32>kind);
    rowBytes += <i32>load<u8>(COLUMN_SIZE + kind);
  }
  // Set first: a relayout while growing must carry all `columns` kinds along.
  put(Slot.PlanLen, columns);
  if (!growColumns(rowBytes)) return -1;
  assignColumns(columns);
  return 0;
}

/**
 * Gives each typed plan column its place in the columns region, sets the batch row capacity, and
 * splits the columns into those the framing hot path decodes (PlanHotKinds) and those decoded out
 * of line after each row (PlanOutColumns).
 */
export function assignColumns(columns: i32): void {
  const kinds = <usize>get(Slot.PlanKinds);
  const hot = <usize>get(Slot.PlanHotKinds);
  const out = <usize>get(Slot.PlanOutColumns);
  const addrs = <usize>get(Slot.PlanAddrs);
  let rowBytes = 0;
  let outOfLine = 0;
  for (let c = 0; c < columns; c++) {
    const kind = <usize>load<u8>(kinds + <usize>c);
    rowBytes += <i32>load<u8>(COLUMN_SIZE + kind);
    const inline = kind == 0 || load<i8>(WIRE_SIZE + kind) >= 0;
    store<u8>(hot + <usize>c, inline ? <u8>kind : 0);
    if (!inline) {
      store<i32>(out + (<usize>outOfLine << 2), c);
      outOfLine++;
    }
  }
  put(Slot.PlanOutOfLine, outOfLine);
  const rowCap = rowBytes == 0 ? MSG_CAP : min(MSG_CAP, get(Slot.ColCap) / rowBytes);
  let addr = <usize>get(Slot.ColBase);
  for (let pass: u8 = 0; pass < 4; pass++) {
    for (let c = 0; c < columns; c++) {
      const kind = <usize>load<u8>(kinds + <usize>c);
      if (load<u8>(PLACEMENT + kind) != pass) continue;
      store<i32>(addrs + (<usize>c << 2), <i32>addr);
      addr += <usize>rowCap * <usize>load<u8>(COLUMN_SIZE + kind);
    }
  }
  put(Slot.RowCap, rowCap);
  put(Slot.RowBytes, rowBytes);
}
