import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseError, InterfaceError } from "../../src/errors.js";
import { type Connection, connect, identifier } from "../../src/native/index.js";
import { trustOptions, uniqueName } from "./helpers.js";

let con: Connection;
beforeAll(async () => {
  con = await connect(trustOptions());
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

describe("native run()", () => {
  it("named parameters and their types", async () => {
    expect(await con.run("SELECT :a::int, :b", { a: 1, b: "x" })).toEqual([[1, "x"]]);
  });

  it("positional $n with an array", async () => {
    expect(await con.run("SELECT $1::int + $2::int, $2::text", [1, 2])).toEqual([[3, "2"]]);
  });

  it("a repeated name is one parameter", async () => {
    expect(await con.run("SELECT :v::int, :v::int * 2", { v: 21 })).toEqual([[21, 42]]);
  });

  it("placeholders in strings, identifiers, comments and dollar quotes are left alone", async () => {
    const rows = await con.run(
      `SELECT ':a' AS ":a", $$ :a $$, $t$ :a $t$ /* :a */, :a::text -- :a
      `,
      { a: "value" },
    );
    expect(rows).toEqual([[":a", " :a ", " :a ", "value"]]);
  });

  it("no params: simple protocol, several statements, rows of all of them", async () => {
    const rows = await con.run("SELECT 1; SELECT 2 UNION ALL SELECT 3");
    expect(rows).toEqual([[1], [2], [3]]);
    expect(con.row_count).toBe(3);
  });

  it("returns null for statements without a result, with row_count -1", async () => {
    expect(await con.run("SET search_path TO public")).toBeNull();
    expect(con.row_count).toBe(-1);
    expect(con.columns).toBeNull();
  });

  it("an empty query returns null", async () => {
    expect(await con.run("")).toBeNull();
  });

  it("row_count and columns of the last statement", async () => {
    const table = uniqueName("t_native");
    await con.run(`CREATE TEMP TABLE ${table} (id int PRIMARY KEY, name text)`);
    await con.run(`INSERT INTO ${table} VALUES (:id, :name)`, { id: 1, name: "one" });
    expect(con.row_count).toBe(1);
    await con.run(`INSERT INTO ${table} SELECT g, g::text FROM generate_series(2, 5) g`);
    expect(con.row_count).toBe(4);
    const rows = await con.run(`SELECT id, name FROM ${table} WHERE id > :min ORDER BY id`, { min: 3 });
    expect(rows).toEqual([
      [4, "4"],
      [5, "5"],
    ]);
    expect(con.row_count).toBe(2);
    expect(con.columns!.map((c) => [c.name, c.type_oid])).toEqual([
      ["id", 23],
      ["name", 25],
    ]);
    expect(con.columns![0]!.column_attrnum).toBe(1);
    expect(con.columns![0]!.table_oid).toBeGreaterThan(0);
  });

  it("same SQL many times uses the statement cache and binary results", async () => {
    for (let i = 0; i < 5; i++) {
      const rows = await con.run(
        "SELECT :i::int, :i::int8, :i::float8, true, '2024-02-29'::date, '2024-02-29 12:34:56.789+00'::timestamptz, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
        { i },
      );
      expect(rows).toEqual([
        [
          i,
          BigInt(i),
          i,
          true,
          "2024-02-29",
          new Date("2024-02-29T12:34:56.789Z"),
          "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        ],
      ]);
    }
  });

  it("types option sends explicit OIDs", async () => {
    expect(await con.run("SELECT pg_typeof(:v)::text", { v: "5" }, { types: { v: 23 } })).toEqual([["integer"]]);
  });

  it("types for some parameters keep the others' own types (bytea, bigint)", async () => {
    const rows = await con.run(
      "SELECT pg_typeof($1)::text, $1::bytea, $2 + 1, pg_typeof($3)::text",
      [new Uint8Array([65, 255]), 9007199254740993n, "x"],
      {
        types: { "3": 25 },
      },
    );
    expect(rows).toEqual([["bytea", new Uint8Array([65, 255]), 9007199254740994n, "text"]]);
  });

  it("missing named parameter → InterfaceError", async () => {
    await expect(con.run("SELECT :a, :b", { a: 1 })).rejects.toThrow(
      new InterfaceError("There's a placeholder 'b' in the query, but no matching parameter."),
    );
  });

  it("prepare → run many times → close", async () => {
    const ps = await con.prepare("SELECT :v::int * 2");
    expect(await ps.run({ v: 1 })).toEqual([[2]]);
    expect(await ps.run({ v: 21 })).toEqual([[42]]);
    expect(ps.columns!.map((c) => c.name)).toEqual(["?column?"]);
    await ps.close();
    await expect(ps.run({ v: 1 })).rejects.toThrow(/closed/);
  });

  it("prepare reports a syntax error at once", async () => {
    const err = await con.prepare("SELEC :v").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as DatabaseError).code).toBe("42601");
    expect(await con.run("SELECT 1")).toEqual([[1]]);
  });

  it("identifier() quotes for use in SQL", async () => {
    const table = uniqueName("Mixed Case");
    await con.run(`CREATE TEMP TABLE ${identifier(table)} (x int)`);
    await con.run(`INSERT INTO ${identifier(table)} VALUES (1)`);
    expect(await con.run(`SELECT x FROM ${identifier(table)}`)).toEqual([[1]]);
  });
});
