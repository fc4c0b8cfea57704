// What JS knows about the WASM codec's memory: state-block slots, error codes and column kinds.
// Mirrors assembly/state.ts and assembly/plan.ts; test/unit/codec-layout.test.ts checks they match.

/**
 * Scalar column kinds of a decode plan; numbers are shared with assembly/plan.ts. A plan column
 * may also be `arrayKind(k)` (an array of scalar kind k, any number of dimensions) or
 * `rangeKind(k)` (a range of k). What column(c) holds for each, per row:
 *
 * - Bool Uint8Array 0/1 · Int2 Int16Array · Int4 Int32Array · Oid Uint32Array · Int8 BigInt64Array
 *   · Float4 Float32Array · Float8 Float64Array (one element per row)
 * - Date Int32Array: days since 1970-01-01 (2147483647 / -2147483648 = ±infinity)
 * - Time Float64Array: µs since midnight
 * - Timestamp Float64Array: ms since 1970-01-01 UTC, floored; ±Infinity
 * - Uuid Uint8Array, 36 bytes per row: the canonical lower-case text
 * - Numeric Int32Array, 2 per row: address and length (in `bytes`) of the exact decimal text
 *   numeric_out prints ("NaN", "Infinity", "-Infinity", "1.50", …); length -1 when the text has
 *   more than 32 zeros that are not stored digits (1e100): the address is then of a record
 *   [intZeros, leadZeros, trailZeros, headLength, fractionLength, hasDot] (int32s) followed by the
 *   head (sign, integer digits) and the fraction digits, and the text is head + intZeros × "0",
 *   then if hasDot "." + leadZeros × "0" + fraction digits + trailZeros × "0"
 * - Interval BigInt64Array, 2 per row: [µs, days | months << 32] (read days/months as the two
 *   int32 halves of the second element)
 * - Timetz Uint8Array, 25 bytes per row: length n, then n ASCII bytes "HH:MM:SS[.ffffff]+hh[:mm[:ss]]"
 * - Point Float64Array, 2 per row: x, y
 * - Macaddr Uint8Array, 17 bytes per row ("08:00:2b:01:02:03"); Macaddr8 23 bytes per row
 * - arrays: Int32Array, the address of a record [ndim, n, elementsAddress, nullsAddress | 0,
 *   lengths…] whose n element slots lie `columnSize(element)` bytes apart, each like a row of
 *   the element's column, and whose null flags are n bytes (1 = NULL)
 * - ranges: Uint8Array, columnSize(kind) bytes per row: int32 flags (1 empty, 2 lower inclusive,
 *   4 upper inclusive, 8 no lower bound, 16 no upper bound), int32 0, then the lower and the upper
 *   bound each in the subtype's slot layout padded to a multiple of 8 bytes
 *
 * A NULL leaves zeros in its slot. Addresses index the whole memory (`bytes`, `views`).
 */
export const ColumnKind = {
  Text: 0,
  Bool: 1,
  Int2: 2,
  Int4: 3,
  Int8: 4,
  Float4: 5,
  Float8: 6,
  Oid: 7,
  Date: 8,
  Time: 9,
  Timestamp: 10,
  Uuid: 11,
  Numeric: 12,
  Interval: 13,
  Timetz: 14,
  Point: 15,
  Macaddr: 16,
  Macaddr8: 17,
} as const;
export type ColumnKindValue = (typeof ColumnKind)[keyof typeof ColumnKind];

const SCALAR_KINDS = 18;
/** arrayKind(k) = ARRAY_OF + k, rangeKind(k) = RANGE_OF + k. */
export const ARRAY_OF = 32;
export const RANGE_OF = 64;

/** The plan kind of an array (any number of dimensions) of scalar kind `element`. */
export function arrayKind(element: ColumnKindValue): number {
  return ARRAY_OF + element;
}

/** The plan kind of a range of scalar kind `subtype`. */
export function rangeKind(subtype: ColumnKindValue): number {
  return RANGE_OF + subtype;
}

const SCALAR_NAMES: readonly string[] = Object.keys(ColumnKind);
/** Bytes of each fixed-width scalar kind's binary field on the wire (-1: numeric, variable). */
const SCALAR_WIRE: readonly number[] = [0, 1, 2, 4, 8, 4, 8, 4, 4, 8, 8, 16, -1, 16, 12, 16, 6, 8];
/** Bytes per row of each scalar kind's column. */
const SCALAR_COLUMN: readonly number[] = [0, 1, 2, 4, 8, 4, 8, 4, 4, 8, 8, 36, 8, 16, 25, 16, 17, 23];
/** Bytes per row of a Uuid column (canonical text form). */
export const UUID_TEXT_SIZE = 36;
export const TIMETZ_SLOT_SIZE = 25;
export const MACADDR_TEXT_SIZE = 17;
export const MACADDR8_TEXT_SIZE = 23;

/** Whether `kind` may appear in a decode plan. */
export function isPlanKind(kind: number): boolean {
  if (!Number.isInteger(kind)) return false;
  if (kind >= 0 && kind < SCALAR_KINDS) return true;
  const element = kind >= RANGE_OF ? kind - RANGE_OF : kind - ARRAY_OF;
  return kind >= ARRAY_OF && element >= 1 && element < SCALAR_KINDS;
}

/** The scalar kind inside an array or range kind (the kind itself for scalars). */
export function elementKind(kind: number): number {
  return kind >= RANGE_OF ? kind - RANGE_OF : kind >= ARRAY_OF ? kind - ARRAY_OF : kind;
}

/** Bytes per row of a kind's column (0 for Text), as assembly/plan.ts lays them out. */
export function columnSize(kind: number): number {
  if (kind >= RANGE_OF) return 8 + 2 * paddedSize(kind - RANGE_OF);
  if (kind >= ARRAY_OF) return 4;
  return SCALAR_COLUMN[kind] ?? 0;
}

/** A scalar slot rounded up to 8 bytes: how range bounds are laid out. */
export function paddedSize(kind: number): number {
  return (SCALAR_COLUMN[kind]! + 7) & ~7;
}

/** "Int4", "Int4[]", "range of Int4". */
export function kindName(kind: number): string {
  if (kind >= RANGE_OF) return `range of ${SCALAR_NAMES[kind - RANGE_OF] ?? kind}`;
  if (kind >= ARRAY_OF) return `${SCALAR_NAMES[kind - ARRAY_OF] ?? kind}[]`;
  return SCALAR_NAMES[kind] ?? String(kind);
}

/** Wire width of a fixed-width scalar kind, or -1. */
export function wireSize(kind: number): number {
  return SCALAR_WIRE[kind] ?? -1;
}

/** Ints per message-table entry: [type, bodyOffset, bodyLength, firstField, fieldCount, rowIndex]. */
export const MESSAGE_STRIDE = 6;
/** A DataRow's field count is a 16-bit word, so no plan can be longer. */
export const MAX_PLAN_COLUMNS = 65535;

export const Slot = {
  Version: 0,
  MsgBase: 1,
  MsgCap: 2,
  FieldBase: 3,
  FieldCap: 4,
  PlanKinds: 5,
  PlanAddrs: 6,
  PlanCap: 7,
  PlanLen: 8,
  ColBase: 9,
  ColCap: 10,
  RowCap: 11,
  InBase: 12,
  InCap: 13,
  InLen: 14,
  InPos: 15,
  MsgCount: 16,
  FieldCount: 17,
  RowCount: 18,
  Pending: 19,
  MaxMessage: 20,
  Error: 21,
  ErrA: 22,
  ErrB: 23,
  ErrC: 24,
  RowBytes: 25,
  ArenaBase: 26,
  ArenaCap: 27,
  ArenaLen: 28,
  PlanOutOfLine: 29,
  PlanHotKinds: 30,
  PlanOutColumns: 31,
} as const;
export const SLOT_COUNT = 32;

export const Err = {
  None: 0,
  BadLength: 1,
  UnknownType: 2,
  TooLarge: 3,
  DataRowTooShort: 4,
  FieldOverrun: 5,
  NegativeFieldLength: 6,
  TrailingBytes: 7,
  PlanMismatch: 8,
  WrongWidth: 9,
  OutOfMemory: 10,
  BadPlan: 11,
  BadValue: 12,
} as const;

/** Err.BadValue's reason codes (assembly/state.ts `Bad`), as the message states them. */
export const BAD_VALUE_REASONS: Readonly<Record<number, string>> = {
  1: "its length does not match its digit count",
  2: "invalid sign",
  3: "invalid display scale",
  4: "a digit outside 0…9999",
  5: "time or zone out of range",
  6: "it is shorter than its header",
  7: "invalid number of dimensions",
  8: "invalid null flag",
  9: "a negative dimension",
  10: "a dimension's upper bound overflows int32",
  11: "more elements than the value has bytes for",
  12: "an element overruns the value",
  13: "bytes after the last element",
  14: "an element or bound has the wrong width",
  15: "it has no flags byte",
  16: "invalid range flags",
  17: "a bound is missing, NULL or overruns the value",
  18: "bytes after its bounds",
};

/** The module's exports; only integers cross the boundary. */
export interface CodecExports {
  readonly memory: WebAssembly.Memory;
  /** Returns the state block's address, or 0 when memory cannot grow. */
  init(maxMessageSize: number): number;
  push(length: number): number;
  resume(): number;
  growInput(need: number): number;
  reservePlan(columns: number): number;
  setPlan(columns: number): number;
  clearStopTypes(): void;
  addStopType(type: number): void;
}
