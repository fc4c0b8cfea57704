// The codec's state block: i32 slots at a fixed address that JS reads through an Int32Array,
// so counts, region bases and error details cost no call to learn.
// Slot numbers and error codes are mirrored in src/codec/layout.ts (test/unit/codec-layout.test.ts checks both).

export const enum Slot {
  /** Bumped whenever a region moves: JS re-creates its views. */
  Version = 0,
  MsgBase = 1,
  MsgCap = 2,
  FieldBase = 3,
  FieldCap = 4,
  /** One u8 kind per plan column, written by JS before setPlan(). */
  PlanKinds = 5,
  /** One i32 column address per plan column, computed by setPlan(). */
  PlanAddrs = 6,
  PlanCap = 7,
  /** Columns in the decode plan; -1 = no plan (no field-count check, nothing decoded). */
  PlanLen = 8,
  ColBase = 9,
  ColCap = 10,
  /** DataRows one batch can hold under the current plan. */
  RowCap = 11,
  InBase = 12,
  InCap = 13,
  /** Bytes present in the input region, from InBase. */
  InLen = 14,
  /** Bytes of the input region already framed. */
  InPos = 15,
  MsgCount = 16,
  FieldCount = 17,
  RowCount = 18,
  Pending = 19,
  MaxMessage = 20,
  /** Error code (0 = none); once set, the codec refuses all work. */
  Error = 21,
  ErrA = 22,
  ErrB = 23,
  ErrC = 24,
  /** Decoded bytes per row under the plan; 0 = nothing to decode. */
  RowBytes = 25,
  /** The value arena: variable-size decoded values (numeric text, array records) of the current batch. */
  ArenaBase = 26,
  ArenaCap = 27,
  /** Arena bytes the current batch used. */
  ArenaLen = 28,
  /** Plan columns decoded out of line (numeric, arrays, ranges, …); 0 = none. */
  PlanOutOfLine = 29,
  /** One u8 per plan column: its kind if the framing hot path decodes it, else 0. */
  PlanHotKinds = 30,
  /** PlanOutOfLine i32 column indexes of the columns decoded out of line. */
  PlanOutColumns = 31,
}

export const SLOT_COUNT = 32;

export const enum Err {
  None = 0,
  /** A = type byte, B = announced length. */
  BadLength = 1,
  /** A = type byte. */
  UnknownType = 2,
  /** A = type byte, B = announced length, C = limit. */
  TooLarge = 3,
  /** A = body length. */
  DataRowTooShort = 4,
  /** A = field index, B = field length (or -1 when the length word itself is cut off). */
  FieldOverrun = 5,
  /** A = field index, B = field length. */
  NegativeFieldLength = 6,
  /** A = bytes left after the last field. */
  TrailingBytes = 7,
  /** A = field count, B = plan columns. */
  PlanMismatch = 8,
  /** A = field index, B = field length, C = column kind. */
  WrongWidth = 9,
  /** A = bytes wanted (low 32 bits), B = bytes wanted / 2^32. */
  OutOfMemory = 10,
  /** A = column index, B = kind. */
  BadPlan = 11,
  /** A = field index, B = column kind, C = what is wrong (a Bad code). */
  BadValue = 12,
}

/** What is wrong with a malformed binary value (Err.BadValue's C); mirrored in src/codec/layout.ts. */
export const enum Bad {
  /** numeric: shorter than its header, or not 8 + 2 × ndigits bytes. */
  NumericLength = 1,
  /** numeric: sign word not 0x0000, 0x4000, 0xC000 (NaN), 0xD000 (+Inf) or 0xF000 (-Inf). */
  NumericSign = 2,
  /** numeric: dscale above 0x3FFF. */
  NumericScale = 3,
  /** numeric: a base-10000 digit outside 0…9999. */
  NumericDigit = 4,
  /** timetz: time outside 00:00…24:00 or zone beyond ±16 hours. */
  TimetzRange = 5,
  /** array: shorter than its header and dimensions. */
  ArrayHeader = 6,
  /** array: more than 6 dimensions, or a negative count. */
  ArrayDimensions = 7,
  /** array: the has-nulls flag is neither 0 nor 1. */
  ArrayFlags = 8,
  /** array: a negative dimension length. */
  ArrayNegativeDimension = 9,
  /** array: lower bound + length overflows int32. */
  ArrayBound = 10,
  /** array: more elements than the field has bytes for (4 per element at least). */
  ArrayTooManyElements = 11,
  /** array: an element's length word is missing or its bytes overrun the field. */
  ArrayElementOverrun = 12,
  /** array: bytes left after the last element. */
  ArrayTrailingBytes = 13,
  /** element (array element or range bound): wrong width for its type. */
  ElementWidth = 14,
  /** range: no flags byte. */
  RangeLength = 15,
  /** range: flag bits that range_send never sets. */
  RangeFlags = 16,
  /** range: a bound the flags announce is missing, overruns the field or is NULL. */
  RangeBound = 17,
  /** range: bytes left after the bounds. */
  RangeTrailingBytes = 18,
}

export const STATE: usize = memory.data(SLOT_COUNT * 4, 16);

// @ts-ignore: decorator
@inline export function get(slot: Slot): i32 {
  return load<i32>(STATE + (<usize>slot << 2));
}

// @ts-ignore: decorator
@inline export function put(slot: Slot, value: i32): void {
  store<i32>(STATE + (<usize>slot << 2), value);
}

/** Records an error for JS to report; always returns -1 so callers can `return fail(...)`. */
export function fail(code: Err, a: i32 = 0, b: i32 = 0, c: i32 = 0): i32 {
  put(Slot.Error, code);
  put(Slot.ErrA, a);
  put(Slot.ErrB, b);
  put(Slot.ErrC, c);
  return -1;
}
