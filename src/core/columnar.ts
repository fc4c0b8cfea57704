// run_columnar: a result as one array per column. Fixed-width binary columns are copied batch by
// batch straight out of the codec's typed columns (no per-row JS objects); the others are
// decoded per value into plain arrays.

import type { TypedColumn } from "../codec/index.js";
import { type Codec, ColumnKind } from "../codec/index.js";
import { columnValue } from "../codec/values.js";
import type { ColumnInfo } from "../protocol/messages.js";
import type { DecodeText } from "../protocol/text-encoding.js";
import type { InAdapter, TypeRegistry } from "../types/registry.js";
import type { RowDecoder } from "./rows.js";

export type ColumnValues = TypedColumn | unknown[];

export interface Column {
  name: string;
  type_oid: number;
  /**
   * A typed array for fixed-width types: bool → Uint8Array (0/1), int2 → Int16Array, int4 →
   * Int32Array, int8 → BigInt64Array, float4 → Float32Array, float8 → Float64Array, oid →
   * Uint32Array, date → Int32Array (days since 1970-01-01), timestamp/timestamptz →
   * Float64Array (ms since 1970-01-01 UTC, ±Infinity). Otherwise a plain array (NULL → null) of
   * the values a row would hold (numeric strings, PGInterval, nested arrays, Range, …).
   */
  values: ColumnValues;
  /** For typed columns: 1 where the value is NULL (its slot in `values` holds 0). */
  nulls?: Uint8Array;
}

export interface ColumnarResult {
  columns: Column[];
  row_count: number;
}

type Typed = Exclude<ColumnValues, unknown[]>;
type TypedCtor = { new (n: number): Typed };

const TYPED: Partial<Record<number, TypedCtor>> = {
  [ColumnKind.Bool]: Uint8Array,
  [ColumnKind.Int2]: Int16Array,
  [ColumnKind.Int4]: Int32Array,
  [ColumnKind.Int8]: BigInt64Array,
  [ColumnKind.Float4]: Float32Array,
  [ColumnKind.Float8]: Float64Array,
  [ColumnKind.Oid]: Uint32Array,
  [ColumnKind.Date]: Int32Array,
  [ColumnKind.Timestamp]: Float64Array,
};

export class ColumnarCollector {
  private rows = 0;
  private capacity = 1024;
  private readonly typed: (Typed | null)[];
  private readonly nulls: (Uint8Array | null)[];
  private readonly plain: (unknown[] | null)[];
  private readonly text: (InAdapter | undefined)[];
  /** Rows of the current codec batch not yet copied out of its typed columns. */
  private batchFirst = -1;
  private batchCount = 0;

  constructor(
    private readonly columns: ColumnInfo[],
    private readonly kinds: Uint8Array,
    registry: TypeRegistry,
    private readonly decodeText: DecodeText,
  ) {
    this.typed = Array.from(kinds, (k) => {
      const ctor = TYPED[k];
      return ctor ? new ctor(this.capacity) : null;
    });
    this.nulls = this.typed.map((t) => (t ? new Uint8Array(this.capacity) : null));
    this.plain = this.typed.map((t) => (t ? null : []));
    this.text = columns.map((c) => registry.textDecoder(c.type_oid));
  }

  static forDecoder(
    columns: ColumnInfo[],
    decoder: RowDecoder,
    registry: TypeRegistry,
    decodeText: DecodeText,
  ): ColumnarCollector {
    return new ColumnarCollector(columns, decoder.plan.kinds, registry, decodeText);
  }

  /** One DataRow: NULL marks and plain values now; typed values later, a batch at a time. */
  dataRow(codec: Codec, i: number): void {
    const first = codec.frameFirstField(i);
    const n = codec.frameFieldCount(i);
    const rowIndex = codec.frameRowIndex(i);
    if (this.batchFirst < 0) this.batchFirst = rowIndex;
    this.batchCount++;
    const row = this.rows + this.batchCount - 1;
    if (row >= this.capacity) this.grow(row + 1);
    const fields = codec.fields;
    for (let c = 0; c < n; c++) {
      const len = fields[(first + c) * 2 + 1]!;
      const plain = this.plain[c];
      if (plain) {
        if (len < 0) plain.push(null);
        else plain.push(this.plainValue(codec, c, fields[(first + c) * 2]!, len, rowIndex));
      } else if (len < 0) {
        this.nulls[c]![row] = 1;
      }
    }
  }

  private plainValue(codec: Codec, c: number, offset: number, len: number, rowIndex: number): unknown {
    const kind = this.kinds[c] ?? ColumnKind.Text;
    if (kind !== ColumnKind.Text) return columnValue(codec.views, kind, codec.column(c)!, rowIndex);
    const s = this.decodeText(codec.bytes, offset, offset + len);
    const decoder = this.text[c];
    return decoder ? decoder(s) : s;
  }

  /** Copies the typed values of the rows framed in the current batch. */
  endBatch(codec: Codec): void {
    if (this.batchCount === 0) return;
    for (let c = 0; c < this.typed.length; c++) {
      const out = this.typed[c];
      if (!out) continue;
      const col = codec.column(c) as Typed;
      (out as Float64Array).set(
        col.subarray(this.batchFirst, this.batchFirst + this.batchCount) as Float64Array,
        this.rows,
      );
    }
    this.rows += this.batchCount;
    this.batchFirst = -1;
    this.batchCount = 0;
  }

  private grow(need: number): void {
    let capacity = this.capacity * 2;
    while (capacity < need) capacity *= 2;
    const keep = this.rows + this.batchCount;
    for (let c = 0; c < this.typed.length; c++) {
      const old = this.typed[c];
      if (!old) continue;
      const next = new (old.constructor as TypedCtor)(capacity);
      (next as Float64Array).set(old.subarray(0, keep) as Float64Array);
      this.typed[c] = next;
      const nulls = new Uint8Array(capacity);
      nulls.set(this.nulls[c]!.subarray(0, keep));
      this.nulls[c] = nulls;
    }
    this.capacity = capacity;
  }

  /** The rows collected so far as a result, and an empty collector for the next ones. */
  take(): ColumnarResult {
    const result = this.result();
    this.rows = 0;
    for (let c = 0; c < this.plain.length; c++) {
      if (this.plain[c]) this.plain[c] = [];
      else this.nulls[c]!.fill(0, 0, result.row_count);
    }
    return result;
  }

  result(): ColumnarResult {
    const rows = this.rows;
    return {
      row_count: rows,
      columns: this.columns.map((info, c) => {
        const typed = this.typed[c];
        if (!typed) return { name: info.name, type_oid: info.type_oid, values: this.plain[c]! };
        return {
          name: info.name,
          type_oid: info.type_oid,
          values: typed.slice(0, rows) as Typed,
          nulls: this.nulls[c]!.slice(0, rows),
        };
      }),
    };
  }
}
