// JS values of what the codec decoded in binary: exactly the values TYPES.md specifies, the same
// as the text decoders in src/types make of the same datum's text form. Slot layouts: ColumnKind
// in ./layout.ts (and assembly/plan.ts).

import { formatDate, formatTime, timestampFromMillis } from "../types/datetime.js";
import { Point } from "../types/decoders.js";
import { PGInterval } from "../types/interval.js";
import { Range, type RangeBounds } from "../types/range.js";
import type { MemoryViews, TypedColumn } from "./codec.js";
import {
  ARRAY_OF,
  columnSize,
  ColumnKind as K,
  MACADDR_TEXT_SIZE,
  MACADDR8_TEXT_SIZE,
  paddedSize,
  RANGE_OF,
  UUID_TEXT_SIZE,
} from "./layout.js";

const textDecoder = new TextDecoder();

const char = String.fromCharCode;

/**
 * ASCII bytes → string. Up to 16 bytes, one String.fromCharCode call with one argument per byte
 * makes a flat string at once (measured ~25 ns for 16, where a += loop takes ~200 ns once the
 * string is used); longer text goes through TextDecoder (~140 ns whatever the length).
 */
export function asciiText(u8: Uint8Array, a: number, length: number): string {
  const b = u8;
  switch (length) {
    case 0:
      return "";
    case 1:
      return char(b[a]!);
    case 2:
      return char(b[a]!, b[a + 1]!);
    case 3:
      return char(b[a]!, b[a + 1]!, b[a + 2]!);
    case 4:
      return char(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!);
    case 5:
      return char(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!);
    case 6:
      return char(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!, b[a + 5]!);
    case 7:
      return char(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!, b[a + 5]!, b[a + 6]!);
    case 8:
      return char(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!, b[a + 5]!, b[a + 6]!, b[a + 7]!);
    case 9:
      return char(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!, b[a + 5]!, b[a + 6]!, b[a + 7]!, b[a + 8]!);
    case 10:
      return char(
        b[a]!,
        b[a + 1]!,
        b[a + 2]!,
        b[a + 3]!,
        b[a + 4]!,
        b[a + 5]!,
        b[a + 6]!,
        b[a + 7]!,
        b[a + 8]!,
        b[a + 9]!,
      );
    case 11:
      return char(
        b[a]!,
        b[a + 1]!,
        b[a + 2]!,
        b[a + 3]!,
        b[a + 4]!,
        b[a + 5]!,
        b[a + 6]!,
        b[a + 7]!,
        b[a + 8]!,
        b[a + 9]!,
        b[a + 10]!,
      );
    case 12:
      return char(
        b[a]!,
        b[a + 1]!,
        b[a + 2]!,
        b[a + 3]!,
        b[a + 4]!,
        b[a + 5]!,
        b[a + 6]!,
        b[a + 7]!,
        b[a + 8]!,
        b[a + 9]!,
        b[a + 10]!,
        b[a + 11]!,
      );
    case 13:
      return char(
        b[a]!,
        b[a + 1]!,
        b[a + 2]!,
        b[a + 3]!,
        b[a + 4]!,
        b[a + 5]!,
        b[a + 6]!,
        b[a + 7]!,
        b[a + 8]!,
        b[a + 9]!,
        b[a + 10]!,
        b[a + 11]!,
        b[a + 12]!,
      );
    case 14:
      return char(
        b[a]!,
        b[a + 1]!,
        b[a + 2]!,
        b[a + 3]!,
        b[a + 4]!,
        b[a + 5]!,
        b[a + 6]!,
        b[a + 7]!,
        b[a + 8]!,
        b[a + 9]!,
        b[a + 10]!,
        b[a + 11]!,
        b[a + 12]!,
        b[a + 13]!,
      );
    case 15:
      return char(
        b[a]!,
        b[a + 1]!,
        b[a + 2]!,
        b[a + 3]!,
        b[a + 4]!,
        b[a + 5]!,
        b[a + 6]!,
        b[a + 7]!,
        b[a + 8]!,
        b[a + 9]!,
        b[a + 10]!,
        b[a + 11]!,
        b[a + 12]!,
        b[a + 13]!,
        b[a + 14]!,
      );
    case 16:
      return char(
        b[a]!,
        b[a + 1]!,
        b[a + 2]!,
        b[a + 3]!,
        b[a + 4]!,
        b[a + 5]!,
        b[a + 6]!,
        b[a + 7]!,
        b[a + 8]!,
        b[a + 9]!,
        b[a + 10]!,
        b[a + 11]!,
        b[a + 12]!,
        b[a + 13]!,
        b[a + 14]!,
        b[a + 15]!,
      );
    default:
      return textDecoder.decode(b.subarray(a, a + length));
  }
}

/** The value of row `row` of plan column `column` (of kind `kind`, not Text, the field not NULL). */
export function columnValue(views: MemoryViews, kind: number, column: TypedColumn, row: number): unknown {
  const slot = column.byteOffset + row * columnSize(kind);
  if (kind >= RANGE_OF) return rangeAt(views, kind - RANGE_OF, slot);
  if (kind >= ARRAY_OF) return arrayAt(views, kind - ARRAY_OF, views.i32[slot >> 2]!);
  return scalarAt(views, kind, slot);
}

/** The scalar of kind `kind` in the slot at `addr`. */
export function scalarAt(v: MemoryViews, kind: number, addr: number): unknown {
  switch (kind) {
    case K.Bool:
      return v.u8[addr] === 1;
    case K.Int2:
      return v.i16[addr >> 1];
    case K.Int4:
      return v.i32[addr >> 2];
    case K.Oid:
      return v.u32[addr >> 2];
    case K.Int8:
      return v.i64[addr >> 3];
    case K.Float4:
      return v.f32[addr >> 2];
    case K.Float8:
      return v.f64[addr >> 3];
    case K.Date:
      return formatDate(v.i32[addr >> 2]!);
    case K.Time:
      return formatTime(v.f64[addr >> 3]!);
    case K.Timestamp:
      return timestampFromMillis(v.f64[addr >> 3]!);
    case K.Uuid:
      return asciiText(v.u8, addr, UUID_TEXT_SIZE);
    case K.Numeric: {
      const length = v.i32[(addr >> 2) + 1]!;
      const text = v.i32[addr >> 2]!;
      return length >= 0 ? asciiText(v.u8, text, length) : paddedNumeric(v, text);
    }
    case K.Interval:
      return intervalAt(v, addr);
    case K.Timetz:
      return asciiText(v.u8, addr + 1, v.u8[addr]!);
    case K.Point:
      return new Point(v.f64[addr >> 3]!, v.f64[(addr >> 3) + 1]!);
    case K.Macaddr:
      return asciiText(v.u8, addr, MACADDR_TEXT_SIZE);
    case K.Macaddr8:
      return asciiText(v.u8, addr, MACADDR8_TEXT_SIZE);
    default:
      throw new Error(`no scalar kind ${kind}`);
  }
}

/**
 * A numeric whose text has long runs of zeros the server did not store (1e100, 1e-1000): the
 * codec keeps the runs as counts. Record: i32 intZeros, lead, trail, headLen, fracLen, has-dot,
 * then the head text (sign, integer digits) and the fraction digits.
 */
function paddedNumeric(v: MemoryViews, addr: number): string {
  const i = addr >> 2;
  const i32 = v.i32;
  const headLen = i32[i + 3]!;
  const integer = asciiText(v.u8, addr + 24, headLen) + "0".repeat(i32[i]!);
  if (i32[i + 5] === 0) return integer;
  const fraction = asciiText(v.u8, addr + 24 + headLen, i32[i + 4]!);
  return `${integer}.${"0".repeat(i32[i + 1]!)}${fraction}${"0".repeat(i32[i + 2]!)}`;
}

/** Slot: i64 µs, i32 days, i32 months. */
export function intervalAt(v: MemoryViews, addr: number): PGInterval {
  const interval = new PGInterval();
  interval.months = v.i32[(addr >> 2) + 3]!;
  interval.days = v.i32[(addr >> 2) + 2]!;
  interval.microseconds = v.i64[addr >> 3]!;
  return interval;
}

/**
 * The array whose record is at `record`: nested JS arrays, one level per dimension, lower
 * bounds dropped (as the text path drops "[0:1]="), NULL elements as null.
 */
export function arrayAt(v: MemoryViews, element: number, record: number): unknown[] {
  const i32 = v.i32;
  const h = record >> 2;
  const ndim = i32[h]!;
  const n = i32[h + 1]!;
  if (ndim === 0 || n === 0) return [];
  const flat = elementsAt(v, element, i32[h + 2]!, n);
  const nulls = i32[h + 3]!;
  if (nulls !== 0) {
    const u8 = v.u8;
    for (let i = 0; i < n; i++) if (u8[nulls + i] === 1) flat[i] = null;
  }
  // Innermost dimension first: group the flat elements into rows, the rows into planes, …
  let level = flat;
  for (let d = ndim - 1; d >= 1; d--) {
    const length = i32[h + 4 + d]!;
    const grouped = new Array<unknown>(level.length / length);
    for (let g = 0; g < grouped.length; g++) grouped[g] = level.slice(g * length, (g + 1) * length);
    level = grouped;
  }
  return level;
}

/** n element slots from `addr`: the common kinds read straight from the typed views. */
function elementsAt(v: MemoryViews, element: number, addr: number, n: number): unknown[] {
  const out = new Array<unknown>(n);
  switch (element) {
    case K.Int4: {
      const a = v.i32;
      const b = addr >> 2;
      for (let i = 0; i < n; i++) out[i] = a[b + i];
      return out;
    }
    case K.Int8: {
      const a = v.i64;
      const b = addr >> 3;
      for (let i = 0; i < n; i++) out[i] = a[b + i];
      return out;
    }
    case K.Float8: {
      const a = v.f64;
      const b = addr >> 3;
      for (let i = 0; i < n; i++) out[i] = a[b + i];
      return out;
    }
    case K.Int2: {
      const a = v.i16;
      const b = addr >> 1;
      for (let i = 0; i < n; i++) out[i] = a[b + i];
      return out;
    }
    case K.Float4: {
      const a = v.f32;
      const b = addr >> 2;
      for (let i = 0; i < n; i++) out[i] = a[b + i];
      return out;
    }
    case K.Bool: {
      const a = v.u8;
      for (let i = 0; i < n; i++) out[i] = a[addr + i] === 1;
      return out;
    }
    default: {
      const stride = columnSize(element);
      for (let i = 0; i < n; i++) out[i] = scalarAt(v, element, addr + i * stride);
      return out;
    }
  }
}

const RANGE_EMPTY = 1;
const RANGE_LB_INF = 8;
const RANGE_UB_INF = 16;
/** By (flags >> 1) & 3: bit 0 lower inclusive, bit 1 upper inclusive. */
const RANGE_BOUNDS: readonly RangeBounds[] = ["()", "[)", "(]", "[]"];

/** The range in the slot at `addr`: flags, then the two bounds. */
export function rangeAt(v: MemoryViews, subtype: number, addr: number): Range {
  const flags = v.i32[addr >> 2]!;
  if (flags & RANGE_EMPTY) return new Range(null, null, "[)", true);
  const lower = flags & RANGE_LB_INF ? null : scalarAt(v, subtype, addr + 8);
  const upper = flags & RANGE_UB_INF ? null : scalarAt(v, subtype, addr + 8 + paddedSize(subtype));
  return new Range(lower, upper, RANGE_BOUNDS[(flags >> 1) & 3]!);
}
