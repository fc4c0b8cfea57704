// Where the notebook's chart gets its numbers: the grid's rows, or the statement reduced to the
// chartable columns for run_columnar.

import { describe, expect, it } from "vitest";
import { columnsFromRows, onlyColumnsSql, rowValueNumber } from "../../web-demo/app/chart-data.js";
import { isChartableType } from "../../web-demo/app/format.js";

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

  it("offers only the chartable columns, each converted once", () => {
    const rows = [
      [1, "a", "2024-01-01"],
      [2, null, null],
    ];
    const columns = columnsFromRows(
      [
        { name: "n", type: "int4" },
        { name: "s", type: "text" },
        { name: "d", type: "date" },
      ],
      rows,
      isChartableType,
    );
    expect(columns.map((c) => c.name)).toEqual(["n", "d"]);
    expect([...columns[0]!.numbers()]).toEqual([1, 2]);
    expect(columns[1]!.numbers()[0]).toBe(Date.UTC(2024, 0, 1) / 1000);
    expect(columns[1]!.numbers()[1]).toBeNaN();
    expect(columns[1]!.numbers()).toBe(columns[1]!.numbers());
  });

  it("prepare() converts a large column in slices to the same numbers", async () => {
    const rows = Array.from({ length: 250_001 }, (_, i) => [i % 7 === 0 ? null : i * 0.5]);
    const [column] = columnsFromRows([{ name: "v", type: "float8" }], rows, isChartableType);
    await column!.prepare();
    const numbers = column!.numbers();
    expect(numbers.length).toBe(250_001);
    expect(numbers[250_000]).toBe(125_000);
    expect(numbers[7]).toBeNaN();
    expect(numbers[249_999]).toBe(124_999.5);
  });
});
