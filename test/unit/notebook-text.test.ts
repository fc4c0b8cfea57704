// The notebook's pure text handling: splitting a cell into statements (offsets kept for error
// positions), the .sql file format of cells, and how values read in the grid and in CSV.

import { describe, expect, it } from "vitest";
import { csvField, parseCsvLine, sqlstateClass, valueText } from "../../web-demo/app/format.js";
import { fromSqlFile, toSqlFile } from "../../web-demo/app/notebook-file.js";
import { splitStatements } from "../../web-demo/app/statements.js";

const texts = (sql: string) => splitStatements(sql).map((s) => s.text);

describe("splitStatements", () => {
  it("splits at top-level semicolons and keeps each statement's offset in the cell", () => {
    const sql = "SELECT 1 AS a;\nSELECT 'x' AS b, 'y' AS c;  \n-- trailing comment\n";
    const parts = splitStatements(sql);
    expect(parts.map((p) => p.text)).toEqual(["SELECT 1 AS a", "\nSELECT 'x' AS b, 'y' AS c"]);
    for (const p of parts) expect(sql.slice(p.from, p.to)).toBe(p.text);
  });

  it("does not split inside quotes, identifiers, comments, dollar quotes or parentheses", () => {
    expect(texts(`SELECT ';' AS "a;b" /* ; /* nested ; */ ; */ -- ;\n; SELECT 2`)).toEqual([
      `SELECT ';' AS "a;b" /* ; /* nested ; */ ; */ -- ;\n`,
      " SELECT 2",
    ]);
    expect(texts("DO $$ BEGIN RAISE NOTICE 'a;b'; END $$; SELECT $tag$;$tag$")).toEqual([
      "DO $$ BEGIN RAISE NOTICE 'a;b'; END $$",
      " SELECT $tag$;$tag$",
    ]);
    expect(texts("CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2); SELECT 3")).toEqual([
      "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2)",
      " SELECT 3",
    ]);
  });

  it("reads E'' strings with backslash escapes, and $1 is a parameter, not a dollar quote", () => {
    expect(texts("SELECT E'it\\'s;'; SELECT 'it''s;'")).toEqual(["SELECT E'it\\'s;'", " SELECT 'it''s;'"]);
    expect(texts("SELECT $1; SELECT a$b$ FROM t")).toEqual(["SELECT $1", " SELECT a$b$ FROM t"]);
  });

  it("drops empty statements and comment-only text", () => {
    expect(texts(";; -- nothing\n ; /* */")).toEqual([]);
    expect(texts("")).toEqual([]);
  });
});

describe("the .sql notebook file", () => {
  it("writes a -- %% line before each cell and reads the cells back", () => {
    const cells = ["SELECT 1;", "-- a comment\nSELECT 2;\nSELECT 3", ""];
    const file = toSqlFile(cells);
    expect(file).toBe("-- %%\nSELECT 1;\n\n-- %%\n-- a comment\nSELECT 2;\nSELECT 3\n\n-- %%\n\n");
    expect(fromSqlFile(file)).toEqual(cells);
  });

  it("a plain SQL file is one cell; text before the first mark is a cell when it holds something", () => {
    expect(fromSqlFile("SELECT 1;\r\nSELECT 2;\r\n")).toEqual(["SELECT 1;\nSELECT 2;"]);
    expect(fromSqlFile("SET x = 1;\n-- %% second\nSELECT 2\n")).toEqual(["SET x = 1;", "SELECT 2"]);
    expect(fromSqlFile("\n\n-- %%\nSELECT 2\n")).toEqual(["SELECT 2"]);
  });
});

describe("values as the notebook shows them", () => {
  it("NULL, JSON (one line, or pretty), bytea, dates", () => {
    expect(valueText(null, "text", false)).toBe("NULL");
    expect(valueText({ k: [1, null], s: "t" }, "jsonb", false)).toBe('{"k": [1, null], "s": "t"}');
    expect(valueText({ k: [1] }, "jsonb", true)).toBe('{\n  "k": [\n    1\n  ]\n}');
    expect(valueText(new Uint8Array([0, 255, 16]), "bytea", false)).toBe("\\x00ff10");
    expect(valueText(new Date("2024-02-29T00:00:00Z"), "date", false)).toBe("2024-02-29");
    expect(valueText(new Date("2024-01-02T03:04:05.678Z"), "timestamptz", false)).toBe("2024-01-02 03:04:05.678Z");
    expect(valueText(9007199254740993n, "int8", false)).toBe("9007199254740993");
  });

  it("CSV fields as COPY … CSV reads them: NULL empty, the empty string quoted", () => {
    expect(["plain", null, "", 'a, "q"\nb', 42].map((v) => csvField(v, "text"))).toEqual([
      "plain",
      "",
      '""',
      '"a, ""q""\nb"',
      "42",
    ]);
    expect(parseCsvLine('city,"visits, total","say ""hi"""')).toEqual(["city", "visits, total", 'say "hi"']);
  });

  it("names SQLSTATE classes", () => {
    expect(sqlstateClass("57014")).toBe("operator intervention");
    expect(sqlstateClass("42P01")).toBe("syntax error or access rule violation");
    expect(sqlstateClass("ZZ999")).toBe("error");
  });
});
