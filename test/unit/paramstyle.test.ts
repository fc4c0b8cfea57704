import { describe, expect, it } from "vitest";
import { forEachCodeSpan } from "../../src/core/sql-scanner.js";
import { convertParamstyle, type Paramstyle } from "../../src/dbapi/paramstyle.js";
import { expectInterfaceError } from "./expect-interface-error.js";

/** The code runs the scanner reports, as text. */
function codeSpans(sql: string): string[] {
  const spans: string[] = [];
  forEachCodeSpan(sql, (start, end) => spans.push(sql.slice(start, end)));
  return spans;
}

describe("forEachCodeSpan", () => {
  it("reports the whole text when nothing is quoted", () => {
    expect(codeSpans("SELECT 1")).toEqual(["SELECT 1"]);
    expect(codeSpans("")).toEqual([]);
  });

  it("skips '' strings with doubled quotes", () => {
    expect(codeSpans("a 'it''s' b")).toEqual(["a ", " b"]);
    expect(codeSpans("'x'''")).toEqual([]);
    expect(codeSpans("'a''b'c")).toEqual(["c"]);
  });

  it("keeps backslashes ordinary in standard strings", () => {
    expect(codeSpans(String.raw`a '\' b`)).toEqual(["a ", " b"]);
  });

  it("skips E'' and e'' strings with backslash escapes, prefix included", () => {
    expect(codeSpans(String.raw`a E'x\'y' b`)).toEqual(["a ", " b"]);
    expect(codeSpans(String.raw`a e'x\'y' b`)).toEqual(["a ", " b"]);
    expect(codeSpans(String.raw`a E'x''y\\' b`)).toEqual(["a ", " b"]);
    expect(codeSpans(String.raw`E'\\'c`)).toEqual(["c"]);
  });

  it("treats an E that ends a word as part of the word", () => {
    expect(codeSpans(String.raw`somE'\' b`)).toEqual(["somE", " b"]);
  });

  it("skips quoted identifiers with doubled quotes", () => {
    expect(codeSpans('a "x""y" b')).toEqual(["a ", " b"]);
  });

  it("skips -- comments up to the line break, which is code", () => {
    expect(codeSpans("a -- c\nb")).toEqual(["a ", "\nb"]);
    expect(codeSpans("a -- c\r\nb")).toEqual(["a ", "\r\nb"]);
    expect(codeSpans("a -- c")).toEqual(["a "]);
    expect(codeSpans("a - -b")).toEqual(["a - -b"]);
  });

  it("skips nested block comments", () => {
    expect(codeSpans("a /* x /* y */ z */ b")).toEqual(["a ", " b"]);
    expect(codeSpans("a /*/ x */ b")).toEqual(["a ", " b"]);
    expect(codeSpans("a /* -- */ b")).toEqual(["a ", " b"]);
    expect(codeSpans("a / * b")).toEqual(["a / * b"]);
  });

  it("skips $$ and $tag$ dollar quotes", () => {
    expect(codeSpans("a $$x$$ b")).toEqual(["a ", " b"]);
    expect(codeSpans("a $t$ $$ $u$ $t$ b")).toEqual(["a ", " b"]);
    expect(codeSpans("a $_t1$x$_t1$b")).toEqual(["a ", "b"]);
    expect(codeSpans("a $é$x$é$ b")).toEqual(["a ", " b"]);
  });

  it("does not take $1, $ alone or $ inside a word for a dollar quote", () => {
    expect(codeSpans("a $1 b")).toEqual(["a $1 b"]);
    expect(codeSpans("a $1$ b")).toEqual(["a $1$ b"]);
    expect(codeSpans("a$b$c $")).toEqual(["a$b$c $"]);
    expect(codeSpans("x$$ y $$")).toEqual(["x$$ y "]);
    expect(codeSpans("a $ 'b'")).toEqual(["a $ "]);
    expect(codeSpans("a $t b")).toEqual(["a $t b"]);
  });

  it("lets a parameter be followed by a dollar quote, as the server does", () => {
    expect(codeSpans("$1$$x$$")).toEqual(["$1"]);
  });

  it("treats every unterminated quote or comment as running to the end", () => {
    expect(codeSpans("a 'b")).toEqual(["a "]);
    expect(codeSpans("a E'b\\'")).toEqual(["a "]);
    expect(codeSpans('a "b')).toEqual(["a "]);
    expect(codeSpans("a /* /* */ b")).toEqual(["a "]);
    expect(codeSpans("a $t$ b $t")).toEqual(["a "]);
    expect(codeSpans("a E'")).toEqual(["a "]);
  });
});

describe("convertParamstyle: placeholders in quotes and comments are left alone", () => {
  // Each style's placeholder token and the args for one use of it.
  const styles: [Paramstyle, string, unknown[] | Record<string, unknown>][] = [
    ["qmark", "?", [1]],
    ["numeric", ":1", [1]],
    ["named", ":a", { a: 1 }],
    ["format", "%s", [1]],
    ["pyformat", "%(a)s", { a: 1 }],
  ];
  const contexts: [string, string][] = [
    ["a string", "'x P y'"],
    ["a string with doubled quotes", "'it''s P'"],
    ["an E string with \\'", String.raw`E'\' P'`],
    ["an e string with \\'", String.raw`e'\' P'`],
    ["a quoted identifier", '"ident with P"'],
    ["a -- comment", "-- P\n"],
    ["a nested block comment", "/* /* P */ P */"],
    ["a $$ quote", "$$ P $$"],
    ["a $tag$ quote containing $other$", "$tag$ $other$ P $other$ P $tag$"],
  ];
  for (const [style, token, args] of styles) {
    for (const [what, quoted] of contexts) {
      it(`${style} in ${what}`, () => {
        const inside = quoted.replaceAll("P", token);
        const sql = `SELECT ${inside}, ${token}`;
        expect(convertParamstyle(style, sql, args)).toEqual({
          sql: `SELECT ${inside}, $1`,
          values: [1],
        });
      });
    }
  }
});

describe("convertParamstyle qmark", () => {
  it("numbers each ? in order", () => {
    expect(convertParamstyle("qmark", "SELECT ?, ? FROM t WHERE x = ?", [1, 2, 3])).toEqual({
      sql: "SELECT $1, $2 FROM t WHERE x = $3",
      values: [1, 2, 3],
    });
  });

  it("passes the args array itself as the values", () => {
    const args = [1];
    expect(convertParamstyle("qmark", "SELECT ?", args).values).toBe(args);
  });

  it("converts the jsonb ?, ?| and ?& operators too (as pg8000 does)", () => {
    expect(convertParamstyle("qmark", "SELECT j ? 'k', j ?| a, j ?& b, ?", [1, 2, 3, 4])).toEqual({
      sql: "SELECT j $1 'k', j $2| a, j $3& b, $4",
      values: [1, 2, 3, 4],
    });
  });

  it("keeps ? in all quoting forms at once", () => {
    const sql = `${String.raw`SELECT '?', E'\'?', "?", $q$?$q$, ? -- ?`}\n/* ? /* ? */ */ ?`;
    expect(convertParamstyle("qmark", sql, ["a", "b"]).sql).toBe(
      `${String.raw`SELECT '?', E'\'?', "?", $q$?$q$, $1 -- ?`}\n/* ? /* ? */ */ $2`,
    );
  });

  it("returns the SQL unchanged when there is nothing to convert", () => {
    expect(convertParamstyle("qmark", "SELECT '?'", [])).toEqual({ sql: "SELECT '?'", values: [] });
  });

  it("reports a count mismatch either way", () => {
    expectInterfaceError(
      () => convertParamstyle("qmark", "SELECT ?, ?, ?", [1, 2]),
      "the query has 3 placeholders but 2 parameters were given",
    );
    expectInterfaceError(
      () => convertParamstyle("qmark", "SELECT ?", [1, 2]),
      "the query has 1 placeholder but 2 parameters were given",
    );
    expectInterfaceError(
      () => convertParamstyle("qmark", "SELECT '?'", [1]),
      "the query has 0 placeholders but 1 parameter was given",
    );
  });

  it("wants an array", () => {
    expectInterfaceError(
      () => convertParamstyle("qmark", "SELECT ?", { a: 1 }),
      "The 'qmark' paramstyle expects the parameters as an array, but an object was given.",
    );
    expectInterfaceError(
      () => convertParamstyle("qmark", "SELECT ?", null as unknown as unknown[]),
      "The 'qmark' paramstyle expects the parameters as an array, but null was given.",
    );
    expectInterfaceError(
      () => convertParamstyle("qmark", "SELECT ?", "x" as unknown as unknown[]),
      "The 'qmark' paramstyle expects the parameters as an array, but a string was given.",
    );
  });
});

describe("convertParamstyle numeric", () => {
  it("turns :n into $n, in any order and repeated", () => {
    expect(convertParamstyle("numeric", "SELECT :2, :1, :2", ["a", "b"])).toEqual({
      sql: "SELECT $2, $1, $2",
      values: ["a", "b"],
    });
  });

  it("leaves :: casts and := alone", () => {
    expect(convertParamstyle("numeric", "SELECT :1::int, x::text, f(a := :2), '1'::int", [1, 2]).sql).toBe(
      "SELECT $1::int, x::text, f(a := $2), '1'::int",
    );
  });

  it("takes digits only", () => {
    expect(convertParamstyle("numeric", "SELECT :1, :a, :12x", new Array(12).fill(0)).sql).toBe("SELECT $1, :a, $12x");
  });

  it("counts the highest number as the placeholder count", () => {
    expectInterfaceError(
      () => convertParamstyle("numeric", "SELECT :1, :3", [1, 2]),
      "the query has 3 placeholders but 2 parameters were given",
    );
    expectInterfaceError(
      () => convertParamstyle("numeric", "SELECT :1, :1", [1, 2]),
      "the query has 1 placeholder but 2 parameters were given",
    );
  });

  it("rejects :0", () => {
    expectInterfaceError(
      () => convertParamstyle("numeric", "SELECT :0", [1]),
      "Numeric placeholders start at :1, but the query has :0.",
    );
  });

  it("wants an array", () => {
    expectInterfaceError(
      () => convertParamstyle("numeric", "SELECT :1", { 1: "a" }),
      "The 'numeric' paramstyle expects the parameters as an array, but an object was given.",
    );
  });
});

describe("convertParamstyle named", () => {
  it("numbers names by first appearance and reuses repeats", () => {
    expect(convertParamstyle("named", "SELECT :b, :a, :b, :a_1", { a: 1, b: 2, a_1: 3, unused: 4 })).toEqual({
      sql: "SELECT $1, $2, $1, $3",
      values: [2, 1, 3],
    });
  });

  it("leaves :: casts, := and digits after : alone", () => {
    expect(convertParamstyle("named", "SELECT :a::int, x::text, f(p := :a), arr[1:2]", { a: 1 })).toEqual({
      sql: "SELECT $1::int, x::text, f(p := $1), arr[1:2]",
      values: [1],
    });
  });

  it("ends a name at the first character that is not a letter, digit or _", () => {
    expect(convertParamstyle("named", "SELECT :a+:b9,:_c)", { a: 1, b9: 2, _c: 3 }).sql).toBe("SELECT $1+$2,$3)");
  });

  it("accepts non-ASCII names, 4-byte characters included", () => {
    expect(convertParamstyle("named", "SELECT :名前, '𝄞:x', :𝄞a", { 名前: 1, "𝄞a": 2 })).toEqual({
      sql: "SELECT $1, '𝄞:x', $2",
      values: [1, 2],
    });
  });

  it("binds undefined and null values that are present", () => {
    expect(convertParamstyle("named", "SELECT :a, :b", { a: undefined, b: null }).values).toEqual([undefined, null]);
  });

  it("reports a missing name, without looking at Object.prototype", () => {
    expectInterfaceError(
      () => convertParamstyle("named", "SELECT :a, :b", { a: 1 }),
      "There's a placeholder 'b' in the query, but no matching parameter.",
    );
    expectInterfaceError(
      () => convertParamstyle("named", "SELECT :constructor", {}),
      "There's a placeholder 'constructor' in the query, but no matching parameter.",
    );
  });

  it("wants an object", () => {
    expectInterfaceError(
      () => convertParamstyle("named", "SELECT :a", [1]),
      "The 'named' paramstyle expects the parameters as an object, but an array was given.",
    );
  });
});

describe("convertParamstyle format", () => {
  it("numbers each %s and unescapes %% in code only", () => {
    expect(convertParamstyle("format", "SELECT %s, 'x%%' || %s, a %% 2 FROM t WHERE b LIKE '75%%'", [1, 2])).toEqual({
      sql: "SELECT $1, 'x%%' || $2, a % 2 FROM t WHERE b LIKE '75%%'",
      values: [1, 2],
    });
  });

  it("keeps %% and %s in identifiers, comments and dollar quotes", () => {
    const sql = 'SELECT "%%s", $f$ %s %% $f$ /* %% */ -- %x\n, %%s';
    expect(convertParamstyle("format", sql, [])).toEqual({
      sql: 'SELECT "%%s", $f$ %s %% $f$ /* %% */ -- %x\n, %s',
      values: [],
    });
  });

  it("rejects any other %", () => {
    for (const sql of ["SELECT %d", "SELECT 5 % 2", "SELECT %", "SELECT %'s'", "SELECT %(a)s"]) {
      expectInterfaceError(() => convertParamstyle("format", sql, [1]), "Only %s and %% are supported in the query.");
    }
  });

  it("reports a count mismatch", () => {
    expectInterfaceError(
      () => convertParamstyle("format", "SELECT %s, %s", [1]),
      "the query has 2 placeholders but 1 parameter was given",
    );
  });

  it("wants an array", () => {
    expectInterfaceError(
      () => convertParamstyle("format", "SELECT %s", { a: 1 }),
      "The 'format' paramstyle expects the parameters as an array, but an object was given.",
    );
  });
});

describe("convertParamstyle pyformat", () => {
  it("numbers %(name)s by first appearance, reuses repeats and unescapes %%", () => {
    expect(convertParamstyle("pyformat", "SELECT %(b)s, %(a)s, %(b)s, x %% 2, '%%'", { a: 1, b: 2, c: 3 })).toEqual({
      sql: "SELECT $1, $2, $1, x % 2, '%%'",
      values: [2, 1],
    });
  });

  it("takes any characters up to ) as the name", () => {
    expect(convertParamstyle("pyformat", "SELECT %(a b-c)s", { "a b-c": 1 })).toEqual({
      sql: "SELECT $1",
      values: [1],
    });
  });

  it("accepts bare %s with an array", () => {
    expect(convertParamstyle("pyformat", "SELECT %s, %%, %s", [1, 2])).toEqual({
      sql: "SELECT $1, %, $2",
      values: [1, 2],
    });
  });

  it("requires an object for %(name)s and an array for %s", () => {
    expectInterfaceError(
      () => convertParamstyle("pyformat", "SELECT %s, %(a)s", [1]),
      "The query has a %(name)s placeholder, so the parameters must be an object, but an array was given.",
    );
    expectInterfaceError(
      () => convertParamstyle("pyformat", "SELECT %(a)s, %s", { a: 1 }),
      "The query has a %s placeholder, so the parameters must be an array, but an object was given.",
    );
    expectInterfaceError(
      () => convertParamstyle("pyformat", "SELECT %(a)s", 1 as unknown as unknown[]),
      "The 'pyformat' paramstyle expects the parameters as an object, but a number was given.",
    );
  });

  it("rejects other % forms", () => {
    for (const sql of ["SELECT %(a)d", "SELECT %(a", "SELECT %(a)", "SELECT %d", "SELECT %(a)'s'"]) {
      expectInterfaceError(
        () => convertParamstyle("pyformat", sql, { a: 1 }),
        "Only %(name)s, %s and %% are supported in the query.",
      );
    }
    expectInterfaceError(
      () => convertParamstyle("pyformat", "SELECT %d", [1]),
      "Only %(name)s, %s and %% are supported in the query.",
    );
  });

  it("reports a missing name", () => {
    expectInterfaceError(
      () => convertParamstyle("pyformat", "SELECT %(a)s, %(b)s", { a: 1 }),
      "There's a placeholder 'b' in the query, but no matching parameter.",
    );
  });
});

describe("convertParamstyle edge cases", () => {
  it("treats an unterminated quote as quoted to the end", () => {
    expect(convertParamstyle("qmark", "SELECT ?, 'abc ?", [1])).toEqual({
      sql: "SELECT $1, 'abc ?",
      values: [1],
    });
    expect(convertParamstyle("named", "SELECT :a /* :b", { a: 1 }).sql).toBe("SELECT $1 /* :b");
    expect(convertParamstyle("format", "SELECT %s $x$ %d", [1]).sql).toBe("SELECT $1 $x$ %d");
  });

  it("does not mistake $1 for a dollar quote", () => {
    expect(convertParamstyle("qmark", "SELECT $1, ?, $2", [1])).toEqual({
      sql: "SELECT $1, $1, $2",
      values: [1],
    });
  });

  it("keeps 4-byte characters around placeholders intact", () => {
    expect(convertParamstyle("qmark", "SELECT '😀?', ?||'𝄞', ?", ["a", "b"]).sql).toBe("SELECT '😀?', $1||'𝄞', $2");
    expect(convertParamstyle("format", "SELECT '😀%%', %s, '%%𝄞' || %%", ["a"]).sql).toBe(
      "SELECT '😀%%', $1, '%%𝄞' || %",
    );
  });

  it("copes with placeholders next to quotes and at the very ends", () => {
    expect(convertParamstyle("qmark", "?'?'?", [1, 2]).sql).toBe("$1'?'$2");
    expect(convertParamstyle("named", ":a", { a: 1 }).sql).toBe("$1");
    expect(convertParamstyle("named", "E'x':a", { a: 1 }).sql).toBe("E'x'$1");
  });

  it("does not take a name across the start of an E string", () => {
    expect(convertParamstyle("named", String.raw`SELECT :E'\'', :e`, { e: 1 }).sql).toBe(String.raw`SELECT :E'\'', $1`);
  });

  it("rejects an unknown style", () => {
    expectInterfaceError(
      () => convertParamstyle("percent" as Paramstyle, "SELECT 1", []),
      "Unknown paramstyle 'percent'.",
    );
  });
});
