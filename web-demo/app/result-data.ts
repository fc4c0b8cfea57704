// A result's rows as they arrive from stream_columnar(): one columnar batch after another, kept
// as the driver hands them (typed arrays for fixed-width types, plain arrays for the rest), never
// as one object per row. The grid, the detail box and the CSV export read single values; the
// chart takes whole columns. Pure: unit-tested in Node.

import type { ColumnarResult } from "pg8000/native";
// The driver's own wording of a date and a timestamp, so that a value reads the same whether it
// came in a row or in a typed column (the page is built from the driver's sources anyway).
import { formatDate, timestampFromMillis } from "../../src/types/datetime.js";

/** One column of the whole result (as run_columnar gives it): what the chart converts. */
export interface WholeColumn {
  name: string;
  type_oid: number;
  values: ArrayLike<unknown>;
  nulls?: Uint8Array;
}

type Typed = Exclude<ColumnarResult["columns"][number]["values"], unknown[]>;

/** How a typed column's number reads as a row of stream() would hold it, by type name. */
function typedValue(type: string | undefined): (v: number) => unknown {
  switch (type) {
    case "bool":
      return (v) => v === 1;
    case "date":
      return formatDate;
    case "timestamp":
    case "timestamptz":
      return timestampFromMillis;
    default:
      return (v) => v;
  }
}

export class ResultRows {
  /** Rows held. */
  length = 0;
  private readonly batches: ColumnarResult[] = [];
  /** Row index one past each batch's last row. */
  private readonly ends: number[] = [];
  /** The batch of the last look-up: the grid and the export read rows in order. */
  private last = 0;

  /** Per column, the conversion of a typed value (chosen once, not per value). */
  private readonly convert: ((v: number) => unknown)[];

  /** `types`: each column's PostgreSQL type name (int4, date, timestamptz…). */
  constructor(types: readonly string[]) {
    this.convert = types.map(typedValue);
  }

  append(batch: ColumnarResult): void {
    if (batch.row_count === 0) return;
    this.batches.push(batch);
    this.length += batch.row_count;
    this.ends.push(this.length);
  }

  private batchOf(row: number): number {
    const last = this.last;
    if (row < (this.ends[last] ?? 0) && row >= (last ? this.ends[last - 1]! : 0)) return last;
    let lo = 0;
    let hi = this.ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! > row) hi = mid;
      else lo = mid + 1;
    }
    this.last = lo;
    return lo;
  }

  /** The value in `row`, `column` as a row of stream() would hold it (NULL → null). */
  value(row: number, column: number): unknown {
    if (row < 0 || row >= this.length) return undefined;
    const b = this.batchOf(row);
    const at = row - (b ? this.ends[b - 1]! : 0);
    const { values, nulls } = this.batches[b]!.columns[column]!;
    if (!ArrayBuffer.isView(values)) return values[at];
    if (nulls?.[at]) return null;
    return this.convert[column]!(values[at] as number);
  }

  /** A whole column: typed arrays joined into one, or the plain values in one array. */
  column(column: number, name: string, type_oid: number): WholeColumn {
    const parts = this.batches.map((b) => b.columns[column]!);
    const first = parts[0]?.values;
    if (!first || !ArrayBuffer.isView(first)) {
      const values: unknown[] = [];
      for (const part of parts) for (const v of part.values as unknown[]) values.push(v);
      return { name, type_oid, values };
    }
    const values = new (first.constructor as new (n: number) => Typed)(this.length);
    const nulls = new Uint8Array(this.length);
    let at = 0;
    for (const part of parts) {
      (values as Float64Array).set(part.values as Float64Array, at);
      if (part.nulls) nulls.set(part.nulls, at);
      at += part.values.length;
    }
    return { name, type_oid, values, nulls };
  }
}
