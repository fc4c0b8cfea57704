// The Codec: JS side of one WASM codec instance. It copies socket chunks into the instance's
// input region, makes one call per chunk, and exposes the resulting tables as views on memory.

import { InterfaceError } from "../errors.js";
import { type TypedColumn, typedColumn } from "./columns.js";
import { codecFailure } from "./failure.js";
import { type CodecExports, MESSAGE_STRIDE, SLOT_COUNT, Slot, type WasmMemory } from "./layout.js";
import { DecodePlan } from "./plan.js";

export type { TypedColumn } from "./columns.js";

/** Views of the whole WASM memory, for reading decoded values by address (valid until the next push/resume). */
export interface MemoryViews {
  readonly u8: Uint8Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly i64: BigInt64Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

/** One framed message, as the convenience iterators hand it out. Views die at the next push/resume. */
export interface FramedMessage {
  /** Index in the current batch (what fieldText/fieldBytes take). */
  readonly index: number;
  /** Type byte as a one-character string, e.g. "D". */
  readonly type: string;
  readonly body: Uint8Array;
  /** DataRow only: number of fields, else -1. */
  readonly fieldCount: number;
  /** DataRow only: index into column(c) for this batch, else -1. */
  readonly rowIndex: number;
}

const MAX_INPUT = 0x7fffffff;
const textDecoder = new TextDecoder();

export class Codec {
  private readonly wasm: CodecExports;
  /** Gives the memory back for a later codec (memory-pool.ts); null once retired, or when not ours. */
  private recycle: ((memory: WasmMemory) => void) | null;
  private readonly stateAddress: number;
  private buffer: ArrayBuffer;
  private u8: Uint8Array;
  private state: Int32Array;
  private version = -1;
  private messageTable: Int32Array;
  private fieldTable: Int32Array;
  private planAddrs: Int32Array;
  private failure: InterfaceError | null = null;
  private memoryViews: MemoryViews | null = null;
  /**
   * The decode plan the current batch was framed with (a plan change is applied only at the
   * next push/resume, i.e. at a batch boundary), and the one asked for next.
   */
  private plan: DecodePlan | null = null;
  private requestedPlan: DecodePlan | null = null;
  /** The current batch's typed columns as handed out so far. */
  private batchColumns: (TypedColumn | null | undefined)[] = [];

  /** Use loadCodec(); this takes a freshly instantiated module. */
  constructor(wasm: CodecExports, maxMessageSize: number, recycle: ((memory: WasmMemory) => void) | null = null) {
    this.wasm = wasm;
    this.recycle = recycle;
    this.stateAddress = wasm.init(maxMessageSize) >>> 0;
    if (this.stateAddress === 0) throw new InterfaceError("the codec could not allocate its memory");
    this.buffer = wasm.memory.buffer as ArrayBuffer;
    this.u8 = new Uint8Array(this.buffer);
    this.state = new Int32Array(this.buffer, this.stateAddress, SLOT_COUNT);
    this.messageTable = this.fieldTable = this.planAddrs = new Int32Array(0);
    this.syncViews();
  }

  /**
   * Copies one socket chunk into WASM memory behind the unconsumed tail and frames every complete
   * message (one WASM call). Returns how many messages were framed. Throws InterfaceError on
   * malformed input; the codec is then failed and every later call throws.
   */
  push(chunk: Uint8Array): number {
    this.ensureUsable();
    if (this.requestedPlan !== this.plan) this.applyPlan();
    let st = this.state;
    const need = st[Slot.InLen]! - st[Slot.InPos]! + chunk.length;
    if (need > st[Slot.InCap]!) {
      if (need > MAX_INPUT) throw this.fail(new InterfaceError(`the codec cannot buffer ${need} bytes`));
      this.check(this.call(this.wasm.growInput, need));
      st = this.state;
    }
    const base = st[Slot.InBase]!;
    const pos = st[Slot.InPos]!;
    const tail = st[Slot.InLen]! - pos;
    if (pos > 0 && tail > 0) this.u8.copyWithin(base, base + pos, base + pos + tail);
    this.u8.set(chunk, base + tail);
    return this.framed(this.call(this.wasm.push, need));
  }

  /** Frames more of the already-pushed bytes (after pending), as a new batch. Returns the count framed. */
  resume(): number {
    this.ensureUsable();
    if (this.requestedPlan !== this.plan) this.applyPlan();
    return this.framed(this.call(this.wasm.resume, 0));
  }

  /** True when framing stopped early (table full, or after a stop type) and complete messages remain. */
  get pending(): boolean {
    return this.state[Slot.Pending] === 1;
  }

  /** The whole WASM memory; message and field offsets index into it. Re-read after each push/resume. */
  get bytes(): Uint8Array {
    return this.u8;
  }

  /** Typed views of the whole memory (for the addresses in Numeric, array and range columns). */
  get views(): MemoryViews {
    let views = this.memoryViews;
    if (views === null || views.u8.buffer !== this.buffer) {
      const b = this.buffer;
      views = {
        u8: this.u8,
        i16: new Int16Array(b),
        i32: new Int32Array(b),
        u32: new Uint32Array(b),
        i64: new BigInt64Array(b),
        f32: new Float32Array(b),
        f64: new Float64Array(b),
      };
      this.memoryViews = views;
    }
    return views;
  }

  /** MESSAGE_STRIDE ints per framed message (capacity-sized: use the count push/resume returned). */
  get messages(): Int32Array {
    return this.messageTable;
  }

  /** 2 ints per DataRow field, [offset, length | -1], capacity-sized. */
  get fields(): Int32Array {
    return this.fieldTable;
  }

  /** Messages in the current batch (what the last push/resume returned). */
  get messageCount(): number {
    return this.state[Slot.MsgCount]!;
  }

  /** DataRows in the current batch: the length of every column(c). */
  get rowCount(): number {
    return this.state[Slot.RowCount]!;
  }

  /**
   * Sets the decode plan for the DataRows framed from now on (applied at the next push/resume):
   * one ColumnKind (or arrayKind()/rangeKind()) per column. A plan also makes the field count of
   * every DataRow checked.
   */
  setPlan(kinds: ArrayLike<number>): void {
    this.ensureUsable();
    this.requestedPlan = new DecodePlan(kinds);
  }

  /** No plan: every field stays as offsets and field counts are not checked. */
  clearPlan(): void {
    this.ensureUsable();
    this.requestedPlan = null;
  }

  /**
   * The plan for the DataRows framed from now on; the same plan again costs nothing (the driver
   * calls this for every result). A plan that decodes nothing is the same as none.
   */
  usePlan(plan: DecodePlan | null): void {
    this.requestedPlan = plan?.decodesAny ? plan : null;
  }

  // ---- the current batch's message table, one entry per framed message (no bounds checks:
  //      `i` must be below what push/resume returned) ----

  /** Type byte of message i. */
  frameType(i: number): number {
    return this.messageTable[i * MESSAGE_STRIDE]!;
  }

  /** Offset of message i's body in `bytes`. */
  frameOffset(i: number): number {
    return this.messageTable[i * MESSAGE_STRIDE + 1]!;
  }

  /** Length of message i's body. */
  frameLength(i: number): number {
    return this.messageTable[i * MESSAGE_STRIDE + 2]!;
  }

  /** DataRow i: index of its first field in `fields` (2 ints per field). */
  frameFirstField(i: number): number {
    return this.messageTable[i * MESSAGE_STRIDE + 3]!;
  }

  /** DataRow i: its number of fields (-1 for other messages). */
  frameFieldCount(i: number): number {
    return this.messageTable[i * MESSAGE_STRIDE + 4]!;
  }

  /** DataRow i: its index into column(c) for this batch. */
  frameRowIndex(i: number): number {
    return this.messageTable[i * MESSAGE_STRIDE + 5]!;
  }

  /**
   * The typed column for plan column c in the current batch, indexed by rowIndex; null for Text
   * columns and when the batch was framed without a plan. See ColumnKind for each kind's array.
   */
  column(c: number): TypedColumn | null {
    const plan = this.plan;
    if (plan === null) return null;
    if (!(Number.isInteger(c) && c >= 0 && c < plan.columnCount)) {
      throw new InterfaceError(`column ${c} is outside the decode plan (${plan.columnCount} columns)`);
    }
    let column = this.batchColumns[c];
    if (column === undefined) {
      column = typedColumn(this.buffer, plan.kinds[c]!, this.planAddrs[c]!, this.state[Slot.RowCount]!);
      this.batchColumns[c] = column;
    }
    return column;
  }

  /** Message types (one character each) after which framing stops. Default "T" (RowDescription). */
  setStopTypes(types: string): void {
    this.ensureUsable();
    for (let i = 0; i < types.length; i++) {
      if (types.charCodeAt(i) > 0xff) throw new InterfaceError(`${JSON.stringify(types[i])} is not a message type`);
    }
    this.wasm.clearStopTypes();
    for (let i = 0; i < types.length; i++) this.wasm.addStopType(types.charCodeAt(i));
  }

  // ---- conveniences for direct users; the driver core reads the tables instead ----

  /** Body of message i of the current batch (a view). */
  body(i: number): Uint8Array {
    const m = this.entry(i);
    return this.u8.subarray(this.messageTable[m + 1]!, this.messageTable[m + 1]! + this.messageTable[m + 2]!);
  }

  /** Bytes of field `column` of DataRow message i (a view), or null for NULL. */
  fieldBytes(i: number, column: number): Uint8Array | null {
    const f = this.field(i, column);
    const length = this.fieldTable[f + 1]!;
    if (length < 0) return null;
    const offset = this.fieldTable[f]!;
    return this.u8.subarray(offset, offset + length);
  }

  /** Field `column` of DataRow message i as UTF-8 text, or null for NULL. */
  fieldText(i: number, column: number): string | null {
    const f = this.field(i, column);
    const length = this.fieldTable[f + 1]!;
    if (length < 0) return null;
    const start = this.fieldTable[f]!;
    return textDecoder.decode(this.u8.subarray(start, start + length));
  }

  /** The messages of the current batch. */
  *frames(): IterableIterator<FramedMessage> {
    const count = this.messageCount;
    const table = this.messageTable;
    for (let i = 0; i < count; i++) {
      const m = i * MESSAGE_STRIDE;
      const body = table[m + 1]!;
      yield {
        index: i,
        type: String.fromCharCode(table[m]!),
        body: this.u8.subarray(body, body + table[m + 2]!),
        fieldCount: table[m + 4]!,
        rowIndex: table[m + 5]!,
      };
    }
  }

  /**
   * Ends this codec: every later push/resume/setPlan throws, and everything handed out before
   * (bytes, views, columns, message bodies) reads as empty. Its memory, zeroed, may then serve a
   * new codec (loadCodec), which starts exactly as on a new memory. The driver retires a
   * connection's codec once the connection is closed; calling it again does nothing.
   */
  retire(): void {
    this.failure ??= new InterfaceError("the codec was retired (its connection is closed)");
    this.plan = this.requestedPlan = null;
    this.batchColumns = [];
    this.memoryViews = null;
    this.buffer = new ArrayBuffer(0);
    this.u8 = new Uint8Array(this.buffer);
    this.state = new Int32Array(SLOT_COUNT);
    this.messageTable = this.fieldTable = this.planAddrs = new Int32Array(0);
    const recycle = this.recycle;
    this.recycle = null;
    // Detaches the old buffer (so views taken before read nothing) and zeroes it for the next codec.
    recycle?.(this.wasm.memory);
  }

  // ---- internals ----

  private entry(i: number): number {
    if (!(Number.isInteger(i) && i >= 0 && i < this.messageCount)) {
      throw new InterfaceError(`no message ${i} in this batch of ${this.messageCount}`);
    }
    return i * MESSAGE_STRIDE;
  }

  private field(i: number, column: number): number {
    const m = this.entry(i);
    const count = this.messageTable[m + 4]!;
    if (!(Number.isInteger(column) && column >= 0 && column < count)) {
      throw new InterfaceError(`message ${i} has no field ${column}`);
    }
    return (this.messageTable[m + 3]! + column) * 2;
  }

  /** Writes the requested plan into the plan region; runs only when no batch can still be read. */
  private applyPlan(): void {
    const plan = this.requestedPlan;
    this.plan = plan;
    if (plan === null) {
      this.check(this.call(this.wasm.setPlan, -1));
      return;
    }
    const kinds = plan.kinds;
    if (kinds.length > this.state[Slot.PlanCap]!) this.check(this.call(this.wasm.reservePlan, kinds.length));
    this.u8.set(kinds, this.state[Slot.PlanKinds]!);
    this.check(this.call(this.wasm.setPlan, kinds.length));
  }

  /** Bookkeeping after a framing call: a new batch with fresh views. */
  private framed(count: number): number {
    this.check(count);
    this.batchColumns = [];
    return count;
  }

  /** Runs a WASM export; a trap (which would be a codec bug) fails the codec like bad input does. */
  private call(run: (arg: number) => number, arg: number): number {
    try {
      return run(arg);
    } catch (cause) {
      if (cause instanceof InterfaceError) throw this.fail(cause);
      throw this.fail(new InterfaceError(`the WASM codec trapped: ${String(cause)}`, { cause }));
    }
  }

  /** Refreshes views after a call; a negative result means the codec recorded an error. */
  private check(result: number): void {
    this.syncViews();
    if (result < 0) {
      const st = this.state;
      throw this.fail(codecFailure(st[Slot.Error]!, st[Slot.ErrA]!, st[Slot.ErrB]!, st[Slot.ErrC]!));
    }
  }

  /** Views die when memory grows (new buffer) or regions move (new version). */
  private syncViews(): void {
    const buffer = this.wasm.memory.buffer as ArrayBuffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.u8 = new Uint8Array(buffer);
      this.state = new Int32Array(buffer, this.stateAddress, SLOT_COUNT);
      this.version = -1;
    }
    const st = this.state;
    if (st[Slot.Version] === this.version) return;
    this.version = st[Slot.Version]!;
    this.messageTable = new Int32Array(buffer, st[Slot.MsgBase]!, st[Slot.MsgCap]! * MESSAGE_STRIDE);
    this.fieldTable = new Int32Array(buffer, st[Slot.FieldBase]!, st[Slot.FieldCap]! * 2);
    this.planAddrs = new Int32Array(buffer, st[Slot.PlanAddrs]!, st[Slot.PlanCap]!);
  }

  private ensureUsable(): void {
    const failure = this.failure;
    if (failure !== null) {
      throw new InterfaceError(`the codec failed earlier and cannot be used: ${failure.message}`, { cause: failure });
    }
  }

  private fail(error: InterfaceError): InterfaceError {
    this.failure ??= error;
    return error;
  }
}
