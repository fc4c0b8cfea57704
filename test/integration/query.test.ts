// query(): { rows, fields, command, row_count } with object or array rows; stream() columns.

import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { InterfaceError, ProgrammingError } from "../../src/errors.js";
import { connect as connectDbapi } from "../../src/index.js";
import { type Connection, connect } from "../../src/native/index.js";
import { trustOptions, uniqueName } from "./helpers.js";

let con: Connection;
const table = uniqueName("t_query");
beforeAll(async () => {
  con = await connect(trustOptions());
  await con.run(`CREATE TEMP TABLE ${table} (id int PRIMARY KEY, name text, big int8)`);
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

describe("native query()", () => {
  it("rows are objects keyed by column name, with fields, command and row_count", async () => {
    const result = await con.query("SELECT 1 AS one, 'x' AS letter, NULL::int AS nothing");
    expect(result.rows).toEqual([{ one: 1, letter: "x", nothing: null }]);
    expect(result.fields.map((f) => [f.name, f.type_oid])).toEqual([
      ["one", 23],
      ["letter", 25],
      ["nothing", 23],
    ]);
    expect(result.command).toBe("SELECT");
    expect(result.row_count).toBe(1);
  });

  it('row_mode: "array" keeps arrays', async () => {
    const result = await con.query("SELECT $1::int AS a, $2::text AS b", [7, "y"], { row_mode: "array" });
    expect(result.rows).toEqual([[7, "y"]]);
    expect(result.fields.map((f) => f.name)).toEqual(["a", "b"]);
  });

  it("INSERT / UPDATE / DELETE: the tag's verb and count; RETURNING rows as objects", async () => {
    const inserted = await con.query(
      `INSERT INTO ${table} (id, name) SELECT g, 'n' || g FROM generate_series(1, 3) g RETURNING id, name`,
    );
    expect(inserted.command).toBe("INSERT");
    expect(inserted.row_count).toBe(3);
    expect(inserted.rows).toEqual([
      { id: 1, name: "n1" },
      { id: 2, name: "n2" },
      { id: 3, name: "n3" },
    ]);
    const updated = await con.query(`UPDATE ${table} SET name = :name WHERE id >= :from`, { name: "z", from: 2 });
    expect(updated).toEqual({ rows: [], fields: [], command: "UPDATE", row_count: 2 });
    const deleted = await con.query(`DELETE FROM ${table} WHERE id = 3`);
    expect([deleted.command, deleted.row_count]).toEqual(["DELETE", 1]);
  });

  it("statements without rows: empty rows and fields, row_count -1", async () => {
    const result = await con.query(`CREATE TEMP TABLE ${table}_b (x int)`);
    expect(result).toEqual({ rows: [], fields: [], command: "CREATE", row_count: -1 });
    expect(await con.query("SET search_path TO public")).toEqual({
      rows: [],
      fields: [],
      command: "SET",
      row_count: -1,
    });
  });

  it("duplicate column names: the last one wins in object rows, arrays keep both", async () => {
    const sql = "SELECT 1 AS id, 2 AS id";
    expect((await con.query(sql)).rows).toEqual([{ id: 2 }]);
    expect((await con.query(sql, null, { row_mode: "array" })).rows).toEqual([[1, 2]]);
  });

  it("a column named __proto__ is an ordinary property, not the row's prototype", async () => {
    const { rows } = await con.query(`SELECT '{"polluted": true}'::json AS "__proto__", 1 AS a`);
    const row = rows[0]!;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row)).toEqual(["__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(row, "__proto__")?.value).toEqual({ polluted: true });
    expect((row as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("updates columns and row_count like run()", async () => {
    await con.query("SELECT 1 AS a UNION ALL SELECT 2");
    expect(con.row_count).toBe(2);
    expect(con.columns?.map((c) => c.name)).toEqual(["a"]);
  });

  it("int8 stays a bigint unless an adapter says otherwise", async () => {
    expect((await con.query("SELECT count(*) AS n FROM generate_series(1, 4)")).rows).toEqual([{ n: 4n }]);
  });

  it("register_in_adapter without a type OID (e.g. a misspelt constant) says so", () => {
    expect(() => con.register_in_adapter(undefined as unknown as number, Number)).toThrow(
      new InterfaceError("register_in_adapter needs a type OID (a positive integer, e.g. BIGINT), got undefined"),
    );
  });

  it("server errors reject with the DB-API class", async () => {
    await expect(con.query("SELECT * FROM no_such_table_anywhere")).rejects.toBeInstanceOf(ProgrammingError);
    expect((await con.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
  });

  it("a bad row_mode is an InterfaceError that names the choices", async () => {
    await expect(con.query("SELECT 1", null, { row_mode: "objects" as "object" })).rejects.toThrow(
      new InterfaceError('row_mode must be "object" or "array", got "objects"'),
    );
  });

  it("query<Row>() types the rows", async () => {
    interface Person {
      id: number;
      name: string;
    }
    const result = await con.query<Person>("SELECT 5 AS id, 'ann' AS name");
    expectTypeOf(result.rows).toEqualTypeOf<Person[]>();
    expect(result.rows[0]!.name).toBe("ann");
    const arrays = await con.query<[number, string]>("SELECT 5, 'ann'", null, { row_mode: "array" });
    expectTypeOf(arrays.rows).toEqualTypeOf<[number, string][]>();
    expect(arrays.rows[0]![1]).toBe("ann");
    const untyped = await con.query("SELECT 1 AS a");
    expectTypeOf(untyped.rows).toEqualTypeOf<Record<string, unknown>[]>();
  });
});

describe("query() on the DB-API connection", () => {
  it("runs inside the transaction the DB-API opens, as run() does", async () => {
    const dbapi = await connectDbapi(trustOptions());
    try {
      const created = await dbapi.query(`CREATE TABLE ${table}_dbapi (x int)`);
      expect(created.command).toBe("CREATE");
      await dbapi.rollback();
      expect((await dbapi.query("SELECT to_regclass(:t) AS found", { t: `${table}_dbapi` })).rows).toEqual([
        { found: null },
      ]);
    } finally {
      await dbapi.close();
    }
  });
});

describe("stream() columns", () => {
  it("are known after the first row, before the stream ends", async () => {
    const stream = con.stream("SELECT g AS n, g::text AS label FROM generate_series(1, 5) g", null, {
      batch_size: 2,
    });
    expect(stream.columns).toBeNull();
    const first = await stream.next();
    expect(first.value).toEqual([1, "1"]);
    expect(stream.columns?.map((c) => c.name)).toEqual(["n", "label"]);
    const rest: unknown[][] = [];
    for await (const row of stream) rest.push(row);
    expect(rest).toHaveLength(4);
  });

  it("return() while next() waits for the next batch: both settle, the connection stays usable", async () => {
    const stream = con.stream("SELECT g, pg_sleep(0.05) FROM generate_series(1, 3) g", null, { batch_size: 1 });
    expect((await stream.next()).value).toEqual([1, ""]);
    const pending = stream.next(); // asks the server for the second batch
    await stream.return!();
    const outcome = await Promise.race([
      pending.then(() => "settled"),
      new Promise((r) => setTimeout(() => r("still waiting after 2 s"), 2000)),
    ]);
    expect(outcome).toBe("settled");
    expect((await con.query("SELECT 1 AS after")).rows).toEqual([{ after: 1 }]);
  });

  it("are known for an empty result once the stream ends", async () => {
    const stream = con.stream("SELECT 1 AS only_column WHERE false");
    expect((await stream.next()).done).toBe(true);
    expect(stream.columns?.map((c) => c.name)).toEqual(["only_column"]);
  });
});
