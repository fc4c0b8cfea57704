// Where the notebook's chart gets its numbers: the grid's rows, or the statement reduced to the
// chartable columns for run_columnar.

import { describe, expect, it } from "vitest";
import { columnsFromColumnar, onlyColumnsSql, rowValueNumber } from "../../web-demo/app/chart-data.js";
import { isChartableType } from "../../web-demo/app/format.js";
import { ResultRows } from "../../web-demo/app/result-data.js";

describe("onlyColumnsSql", () => {
  it("wraps a single query so that only the named columns come back", () => {
    expect(onlyColumnsSql("select i, md5(i::text) from t;  ", ["i"], ["i", "md5"])).toBe(
      'SELECT "i" FROM (\nselect i, md5(i::text) from t\n) AS q',
    );
  });

  it("quotes names and survives a trailing line comment and leading comments", () => {
    expect(onlyColumnsSql('-- chart\nWITH w AS (SELECT 1 AS "a""b") SELECT * FROM w -- end', ['a"b'], ['a"b'])).toBe(
      'SELECT "a""b" FROM (\nWITH w AS (SELECT 1 AS "a""b") SELECT * FROM w -- end\n) AS q',
    );
    expect(onlyColumnsSql("VALUES (1, 2)", ["column1"], ["column1", "column2"])).toContain("VALUES (1, 2)\n) AS q");
    expect(onlyColumnsSql("TABLE weather", ["day"], ["day"])).toBe('SELECT "day" FROM (\nTABLE weather\n) AS q');
  });

  it("gives null (run the statement as it is) for commands, SELECT INTO and ambiguous names", () => {
    expect(onlyColumnsSql("INSERT INTO t VALUES (1) RETURNING id", ["id"], ["id"])).toBeNull();
    expect(onlyColumnsSql("SELECT 1 AS x INTO new_table", ["x"], ["x"])).toBeNull();
    expect(onlyColumnsSql("SELECT 1 AS x, 2 AS x", ["x"], ["x", "x"])).toBeNull();
    expect(onlyColumnsSql("SELECT 1 AS x", [], ["x"])).toBeNull();
  });
});

describe("numbers from the grid's rows", () => {
  it("converts each decoded type to the chart's numbers (time in seconds, NULL as a gap)", () => {
    expect(rowValueNumber(3, "int4")).toBe(3);
    expect(rowValueNumber(12n, "int8")).toBe(12);
    expect(rowValueNumber("1.50", "numeric")).toBe(1.5);
    expect(rowValueNumber("2024-01-02", "date")).toBe(Date.UTC(2024, 0, 2) / 1000);
    expect(rowValueNumber(new Date(Date.UTC(2024, 0, 2, 3)), "timestamptz")).toBe(Date.UTC(2024, 0, 2, 3) / 1000);
    expect(rowValueNumber("$1,234.50", "money")).toBe(1234.5);
    expect(rowValueNumber(null, "float8")).toBeNaN();
  });

  it("charts the grid's columns: typed arrays joined across batches, NULL as a gap, times in seconds", () => {
    const rows = new ResultRows(["int4", "text", "date"]);
    rows.append({
      row_count: 2,
      columns: [
        { name: "n", type_oid: 23, values: Int32Array.of(1, 2), nulls: Uint8Array.of(0, 0) },
        { name: "s", type_oid: 25, values: ["a", null] },
        { name: "d", type_oid: 1082, values: Int32Array.of(19723, 0), nulls: Uint8Array.of(0, 1) },
      ],
    });
    rows.append({
      row_count: 1,
      columns: [
        { name: "n", type_oid: 23, values: Int32Array.of(3), nulls: Uint8Array.of(1) },
        { name: "s", type_oid: 25, values: ["c"] },
        { name: "d", type_oid: 1082, values: Int32Array.of(19724), nulls: Uint8Array.of(0) },
      ],
    });
    const names: Record<number, string> = { 23: "int4", 25: "text", 1082: "date" };
    const whole = [rows.column(0, "n", 23), rows.column(1, "s", 25), rows.column(2, "d", 1082)];
    const columns = columnsFromColumnar(whole, (oid) => names[oid]!, isChartableType);
    expect(columns.map((c) => c.name)).toEqual(["n", "d"]);
    const n = columns[0]!.numbers();
    expect([n[0], n[1]]).toEqual([1, 2]);
    expect(n[2]).toBeNaN();
    const d = columns[1]!.numbers();
    expect(d[0]).toBe(Date.UTC(2024, 0, 1) / 1000);
    expect(d[1]).toBeNaN();
    expect(d[2]).toBe(Date.UTC(2024, 0, 2) / 1000);
    expect(columns[1]!.numbers()).toBe(d);
  });
});
