import { describe, expect, it } from "vitest";
import { bindNamed, bindTypes, toStatement } from "../../src/native/placeholders.js";
import { expectInterfaceError } from "./expect-interface-error.js";

/** toStatement then bindNamed, as a run() does. */
function bind(sql: string, params: Record<string, unknown> | unknown[]): { sql: string; values: unknown[] } {
  const statement = toStatement(sql);
  return { sql: statement.sql, values: bindNamed(statement, params) };
}

describe("toStatement", () => {
  it("numbers :name placeholders by first appearance and reuses repeats", () => {
    expect(toStatement("SELECT :b, :a, :b")).toEqual({
      sql: "SELECT $1, $2, $1",
      names: ["b", "a"],
      maxDollar: 0,
    });
  });

  it("leaves $n as written and records the highest", () => {
    expect(toStatement("SELECT $2, $1, $10")).toEqual({
      sql: "SELECT $2, $1, $10",
      names: [],
      maxDollar: 10,
    });
  });

  it("numbers :name after the highest $n, even one that comes later", () => {
    expect(toStatement("SELECT :a, $1, :b, $2, :a")).toEqual({
      sql: "SELECT $3, $1, $4, $2, $3",
      names: ["a", "b"],
      maxDollar: 2,
    });
  });

  it("leaves :: casts and := alone", () => {
    expect(toStatement("SELECT :a::int, x::text, f(p := :a), arr[1:2]").sql).toBe(
      "SELECT $1::int, x::text, f(p := $1), arr[1:2]",
    );
  });

  it("ignores placeholders in every kind of quote and comment", () => {
    const sql =
      String.raw`SELECT ':q $9', E'\' :q $9', e'\' :q', "ident with :q and $9", ` +
      "$$ :q $9 $$, $tag$ $other$ :q $8 $other$ $tag$, /* /* :q */ $9 */ :a -- :q $9\n, $1";
    expect(toStatement(sql)).toEqual({
      sql:
        String.raw`SELECT ':q $9', E'\' :q $9', e'\' :q', "ident with :q and $9", ` +
        "$$ :q $9 $$, $tag$ $other$ :q $8 $other$ $tag$, /* /* :q */ $9 */ $2 -- :q $9\n, $1",
      names: ["a"],
      maxDollar: 1,
    });
  });

  it("does not take $n inside an identifier for a parameter", () => {
    expect(toStatement("SELECT col$1, a$$b, :x")).toEqual({
      sql: "SELECT col$1, a$$b, $1",
      names: ["x"],
      maxDollar: 0,
    });
  });

  it("copes with a bare $ anywhere, including at the end", () => {
    expect(toStatement("SELECT $")).toEqual({ sql: "SELECT $", names: [], maxDollar: 0 });
    expect(toStatement("SELECT $ + :a, $")).toEqual({
      sql: "SELECT $ + $1, $",
      names: ["a"],
      maxDollar: 0,
    });
  });

  it("treats an unterminated quote as quoted to the end", () => {
    expect(toStatement("SELECT :a, 'x :b")).toEqual({
      sql: "SELECT $1, 'x :b",
      names: ["a"],
      maxDollar: 0,
    });
  });

  it("keeps 4-byte characters and accepts non-ASCII names", () => {
    expect(toStatement("SELECT '😀:x', :名前||'𝄞', :𝄞")).toEqual({
      sql: "SELECT '😀:x', $1||'𝄞', $2",
      names: ["名前", "𝄞"],
      maxDollar: 0,
    });
  });

  it("allows the names pg8000 reserves (types, stream, signal, timeout)", () => {
    expect(toStatement("SELECT :types, :stream, :signal, :timeout").names).toEqual([
      "types",
      "stream",
      "signal",
      "timeout",
    ]);
  });
});

describe("bindNamed", () => {
  it("takes :name values by name and ignores unused keys", () => {
    expect(bind("SELECT :b, :a, :b", { a: 1, b: "two", c: 3 })).toEqual({
      sql: "SELECT $1, $2, $1",
      values: ["two", 1],
    });
  });

  it("binds $n to the n-th key of a params object", () => {
    expect(bind("SELECT $2, $1", { a: "first", b: "second" })).toEqual({
      sql: "SELECT $2, $1",
      values: ["first", "second"],
    });
  });

  it("mixes $n and :name", () => {
    expect(bind("SELECT :b, $1", { a: "first", b: "second" })).toEqual({
      sql: "SELECT $2, $1",
      values: ["first", "second"],
    });
  });

  it("binds an array to $n as given", () => {
    const params = [1, 2];
    const statement = toStatement("SELECT $2, $1");
    expect(bindNamed(statement, params)).toBe(params);
  });

  it("rejects an array when the query has :name placeholders", () => {
    expectInterfaceError(
      () => bind("SELECT $1, :a", [1]),
      "The query has the placeholder ':a', so params must be an object, but an array was given.",
    );
  });

  it("reports an array that does not match the $n placeholders", () => {
    expectInterfaceError(
      () => bind("SELECT $1, $3", [1, 2]),
      "the query has 3 placeholders but 2 parameters were given",
    );
    expectInterfaceError(() => bind("SELECT $1", [1, 2]), "the query has 1 placeholder but 2 parameters were given");
  });

  it("reports a $n beyond the keys of a params object", () => {
    expectInterfaceError(
      () => bind("SELECT $2", { a: 1 }),
      "There's a placeholder '$2' in the query, but only 1 parameter was given.",
    );
  });

  it("reports a missing name, without looking at Object.prototype", () => {
    expectInterfaceError(
      () => bind("SELECT :a, :b", { a: 1 }),
      "There's a placeholder 'b' in the query, but no matching parameter.",
    );
    expectInterfaceError(
      () => bind("SELECT :toString", {}),
      "There's a placeholder 'toString' in the query, but no matching parameter.",
    );
  });

  it("rejects params that are neither an object nor an array", () => {
    expectInterfaceError(
      () => bind("SELECT :a", null as unknown as unknown[]),
      "params must be an object or an array, but null was given.",
    );
    expectInterfaceError(
      () => bind("SELECT :a", "a" as unknown as unknown[]),
      "params must be an object or an array, but a string was given.",
    );
  });

  it("binds undefined and null values that are present", () => {
    expect(bind("SELECT :a, :b", { a: undefined, b: null }).values).toEqual([undefined, null]);
  });
});

describe("bindTypes", () => {
  it("lines up OIDs by name, undefined (the value's own type) where none is given", () => {
    const statement = toStatement("SELECT :b, :a, :c");
    expect(bindTypes(statement, { a: 1, b: 2, c: 3 }, { a: 23, c: 25, other: 16 })).toEqual([undefined, 23, 25]);
  });

  it("uses the key of the n-th param for a literal $n", () => {
    const statement = toStatement("SELECT $1, :b");
    expect(bindTypes(statement, { a: 1, b: 2 }, { a: 20, b: 25 })).toEqual([20, 25]);
  });

  it("uses 1-based positions as keys for array params", () => {
    const statement = toStatement("SELECT $1, $2, $3");
    expect(bindTypes(statement, [1, 2, 3], { 2: 23 })).toEqual([undefined, 23, undefined]);
  });

  it("does not read OIDs from Object.prototype", () => {
    expect(bindTypes(toStatement("SELECT :valueOf"), { valueOf: 1 }, {})).toEqual([undefined]);
  });
});
