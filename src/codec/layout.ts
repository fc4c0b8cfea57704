// What JS knows about the WASM codec's memory: state-block slots, error codes and column kinds.
// Mirrors assembly/state.ts and assembly/plan.ts; keep both sides in step.

/** Column kinds of a decode plan; numbers are shared with assembly/plan.ts. */
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
} as const;
export type ColumnKindValue = (typeof ColumnKind)[keyof typeof ColumnKind];

export const KIND_NAMES: readonly string[] = Object.keys(ColumnKind);
/** Bytes of each kind's binary field on the wire. */
export const WIRE_SIZE: readonly number[] = [0, 1, 2, 4, 8, 4, 8, 4, 4, 8, 8, 16];
/** Bytes per row of a Uuid column (canonical text form). */
export const UUID_TEXT_SIZE = 36;

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
} as const;

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
