// The notebook's result rows: columnar batches read value by value as rows would hold them.

import { describe, expect, it } from "vitest";
import { ResultRows } from "../../web-demo/app/result-data.js";

describe("ResultRows", () => {
  it("reads values across batches as a row holds them: bool, date and timestamp from typed columns, NULL", () => {
    const rows = new ResultRows(["int8", "bool", "date", "timestamptz", "text"]);
    const batch = (n: bigint, b: number, day: number, ms: number, s: string | null, nullRow: number) => ({
      row_count: 1,
      columns: [
        { name: "n", type_oid: 20, values: BigInt64Array.of(n), nulls: Uint8Array.of(0) },
        { name: "b", type_oid: 16, values: Uint8Array.of(b), nulls: Uint8Array.of(nullRow) },
        { name: "d", type_oid: 1082, values: Int32Array.of(day), nulls: Uint8Array.of(0) },
        { name: "t", type_oid: 1184, values: Float64Array.of(ms), nulls: Uint8Array.of(0) },
        { name: "s", type_oid: 25, values: [s] },
      ],
    });
    rows.append(batch(7n, 1, 19723, Date.UTC(2024, 0, 1, 12), "x", 0));
    rows.append({ row_count: 0, columns: [] });
    rows.append(batch(8n, 0, 0, Number.POSITIVE_INFINITY, null, 1));
    expect(rows.length).toBe(2);
    expect([0, 1, 2, 3, 4].map((c) => rows.value(0, c))).toEqual([
      7n,
      true,
      "2024-01-01",
      new Date(Date.UTC(2024, 0, 1, 12)),
      "x",
    ]);
    expect([0, 1, 2, 3, 4].map((c) => rows.value(1, c))).toEqual([8n, null, "1970-01-01", Infinity, null]);
    expect(rows.value(2, 0)).toBeUndefined();
  });

  it("finds the batch of any row, in order or not", () => {
    const rows = new ResultRows(["int4"]);
    for (let b = 0; b < 50; b++) {
      const values = Int32Array.from({ length: 7 }, (_, i) => b * 7 + i);
      rows.append({ row_count: 7, columns: [{ name: "i", type_oid: 23, values, nulls: new Uint8Array(7) }] });
    }
    for (let r = 0; r < rows.length; r++) expect(rows.value(r, 0)).toBe(r);
    for (const r of [349, 0, 200, 7, 6, 343]) expect(rows.value(r, 0)).toBe(r);
    const whole = rows.column(0, "i", 23);
    expect(whole.values).toBeInstanceOf(Int32Array);
    expect(whole.values.length).toBe(350);
    expect(whole.values[349]).toBe(349);
  });
});
