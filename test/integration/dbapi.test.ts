import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as pg8000 from "../../src/index.js";
import { trustOptions, uniqueName } from "./helpers.js";

let con: pg8000.Connection;
beforeAll(async () => {
  con = await pg8000.connect(trustOptions());
});
afterEach(async () => {
  // a failed test must not leave its transaction open for the next one
  con.autocommit = false;
  await con.rollback();
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

describe("module", () => {
  it("has the DB-API constants", () => {
    expect([pg8000.apilevel, pg8000.threadsafety, pg8000.paramstyle]).toEqual(["2.0", 1, "format"]);
  });

  it("exception hierarchy follows PEP 249", () => {
    expect(new pg8000.InterfaceError("x")).toBeInstanceOf(pg8000.Error);
    expect(new pg8000.IntegrityError("x")).toBeInstanceOf(pg8000.DatabaseError);
    expect(new pg8000.DatabaseError("x")).toBeInstanceOf(pg8000.Error);
    expect(new pg8000.Error("x")).toBeInstanceOf(globalThis.Error);
  });

  it("type objects compare with description type codes", async () => {
    const cur = await con
      .cursor()
      .execute("SELECT 'a'::varchar, 'b'::text, 1::int, 1.5::numeric(5,2), now(), '\\x00'::bytea, 1::oid");
    const codes = cur.description!.map((d) => d[1]);
    expect(codes.map((c) => pg8000.STRING.equals(c))).toEqual([true, true, false, false, false, false, false]);
    expect(codes.map((c) => pg8000.NUMBER.equals(c))).toEqual([false, false, true, true, false, false, true]);
    expect(pg8000.DATETIME.equals(codes[4]!)).toBe(true);
    expect(pg8000.BINARY.equals(codes[5]!)).toBe(true);
    expect(pg8000.ROWID.equals(codes[6]!)).toBe(true);
    expect(cur.description![3]!.slice(4, 6)).toEqual([5, 2]);
    await con.rollback();
  });

  it("constructors", () => {
    expect(pg8000.Date(2024, 2, 9)).toBe("2024-02-09");
    expect(pg8000.Time(1, 2, 3)).toBe("01:02:03");
    expect(pg8000.Timestamp(2024, 2, 9, 1, 2, 3)).toEqual(new Date("2024-02-09T01:02:03Z"));
    expect(pg8000.Binary("ab")).toEqual(new Uint8Array([97, 98]));
    expect(pg8000.TimestampFromTicks(0)).toEqual(new Date(0));
  });
});

describe("cursor", () => {
  it("execute with format (%s) params, fetchone/fetchmany/fetchall", async () => {
    const cur = con.cursor();
    await cur.execute("SELECT g, %s::text FROM generate_series(1, 5) g ORDER BY g", ["x"]);
    expect(cur.rowcount).toBe(5);
    expect(cur.description!.map((d) => d[0])).toEqual(["g", "text"]);
    expect(cur.fetchone()).toEqual([1, "x"]);
    expect(cur.fetchmany(2)).toEqual([
      [2, "x"],
      [3, "x"],
    ]);
    expect(cur.fetchmany()).toEqual([[4, "x"]]);
    expect(cur.fetchall()).toEqual([[5, "x"]]);
    expect(cur.fetchone()).toBeNull();
    await con.rollback();
  });

  it.each([
    ["qmark", "SELECT ?::int, ?::text", [1, "a"]],
    ["numeric", "SELECT :1::int, :2::text", [1, "a"]],
    ["named", "SELECT :x::int, :y::text", { x: 1, y: "a" }],
    ["format", "SELECT %s::int, %s::text", [1, "a"]],
    ["pyformat", "SELECT %(x)s::int, %(y)s::text", { x: 1, y: "a" }],
  ] as const)("paramstyle %s", async (style, sql, params) => {
    const cur = con.cursor();
    cur.paramstyle = style;
    await cur.execute(sql, params as never);
    expect(cur.fetchall()).toEqual([[1, "a"]]);
    await con.rollback();
  });

  it("%% is a literal % with params; without params the SQL is verbatim", async () => {
    const cur = con.cursor();
    await cur.execute("SELECT '50%%', 10 %% 3, %s::int", [1]);
    expect(cur.fetchone()).toEqual(["50%%", 1, 1]);
    await cur.execute("SELECT '50%%', 10 % 3");
    expect(cur.fetchone()).toEqual(["50%%", 1]);
    await con.rollback();
  });

  it("execute resolves to the cursor, which iterates", async () => {
    const rows: unknown[] = [];
    for (const row of await con.cursor().execute("SELECT generate_series(1, 3)")) rows.push(row);
    expect(rows).toEqual([[1], [2], [3]]);
    const asyncRows: unknown[] = [];
    for await (const row of await con.cursor().execute("SELECT 'a'")) asyncRows.push(row);
    expect(asyncRows).toEqual([["a"]]);
    await con.rollback();
  });

  it("fetch before execute, and after a statement without rows → ProgrammingError", async () => {
    const cur = con.cursor();
    expect(() => cur.fetchone()).toThrow(pg8000.ProgrammingError);
    expect(() => cur.fetchone()).toThrow("attempting to use unexecuted cursor");
    await cur.execute("SET TIME ZONE 'UTC'");
    expect(cur.description).toBeNull();
    expect(() => cur.fetchall()).toThrow(pg8000.ProgrammingError);
    await con.rollback();
  });

  it("a closed cursor refuses to execute", async () => {
    const cur = con.cursor();
    cur.close();
    await expect(cur.execute("SELECT 1")).rejects.toThrow(new pg8000.InterfaceError("Cursor closed"));
  });

  it("executemany runs every set and sums rowcount", async () => {
    const table = uniqueName("t_many");
    con.autocommit = true;
    try {
      const cur = con.cursor();
      await cur.execute(`CREATE TEMP TABLE ${table} (id int, v text)`);
      await cur.executemany(`INSERT INTO ${table} VALUES (%s, %s)`, [
        [1, "a"],
        [2, "b"],
        [3, "c"],
      ]);
      expect(cur.rowcount).toBe(3);
      await cur.execute(`SELECT * FROM ${table} ORDER BY id`);
      expect(cur.fetchall()).toEqual([
        [1, "a"],
        [2, "b"],
        [3, "c"],
      ]);
      await cur.executemany(`INSERT INTO ${table} VALUES (%s, %s)`, []);
      expect(cur.rowcount).toBe(-1);
    } finally {
      con.autocommit = false;
    }
  });

  it("setinputsizes sends explicit types for the next execute", async () => {
    const cur = con.cursor();
    cur.setinputsizes(pg8000.INTEGER);
    await cur.execute("SELECT pg_typeof(%s)::text", ["5"]);
    expect(cur.fetchone()).toEqual(["integer"]);
    // only the next execute: now the server infers text from the || operator
    await cur.execute("SELECT %s || 'x'", ["5"]);
    expect(cur.fetchone()).toEqual(["5x"]);
    await con.rollback();
  });

  it("callproc calls a procedure and returns INOUT values", async () => {
    con.autocommit = true;
    try {
      const name = uniqueName("proc_double");
      await con
        .cursor()
        .execute(`CREATE PROCEDURE pg_temp.${name}(INOUT x int) LANGUAGE plpgsql AS $$ BEGIN x := x * 2; END $$`);
      const cur = await con.cursor().callproc(`pg_temp.${name}`, [21]);
      expect(cur.fetchall()).toEqual([[42]]);
    } finally {
      con.autocommit = false;
    }
  });
});

describe("transactions", () => {
  it("outside autocommit the first statement opens a transaction; rollback undoes it", async () => {
    const table = uniqueName("t_tx");
    con.autocommit = true;
    await con.cursor().execute(`CREATE TABLE ${table} (x int)`);
    con.autocommit = false;
    const cur = con.cursor();
    await cur.execute(`INSERT INTO ${table} VALUES (%s)`, [1]);
    await con.rollback();
    await cur.execute(`SELECT count(*) FROM ${table}`);
    expect(cur.fetchone()).toEqual([0n]);
    await cur.execute(`INSERT INTO ${table} VALUES (%s)`, [2]);
    await con.commit();
    await cur.execute(`SELECT x FROM ${table}`);
    expect(cur.fetchall()).toEqual([[2]]);
    await con.commit();
    con.autocommit = true;
    await cur.execute(`DROP TABLE ${table}`);
    con.autocommit = false;
  });

  it("autocommit allows statements that cannot run in a transaction", async () => {
    con.autocommit = true;
    try {
      await con.cursor().execute("VACUUM pg_catalog.pg_class");
    } finally {
      con.autocommit = false;
    }
  });

  it("COMMIT of a failed transaction → InterfaceError('in failed transaction block'); connection usable", async () => {
    const cur = con.cursor();
    await expect(cur.execute("SELECT 1/0")).rejects.toThrow(pg8000.DataError);
    await expect(con.commit()).rejects.toThrow(new pg8000.InterfaceError("in failed transaction block"));
    await cur.execute("SELECT 1");
    expect(cur.fetchone()).toEqual([1]);
    await con.rollback();
  });

  it("ROLLBACK of a failed transaction is fine", async () => {
    const cur = con.cursor();
    await expect(cur.execute("SELECT 1/0")).rejects.toThrow(pg8000.DataError);
    await con.rollback();
    await cur.execute("SELECT 2");
    expect(cur.fetchone()).toEqual([2]);
    await con.rollback();
  });

  it("run() uses :name params inside the transaction", async () => {
    expect(await con.run("SELECT :v::int", { v: 7 })).toEqual([[7]]);
    await con.rollback();
  });
});

describe("two-phase commit", () => {
  it("tpc_begin / tpc_prepare / tpc_recover / tpc_commit", async () => {
    const table = uniqueName("t_tpc");
    con.autocommit = true;
    await con.cursor().execute(`CREATE TABLE ${table} (x int)`);
    con.autocommit = false;
    const xid = con.xid(0, uniqueName("gtrid"), "");
    await con.tpc_begin(xid);
    await con.cursor().execute(`INSERT INTO ${table} VALUES (%s)`, [1]);
    await con.tpc_prepare();
    expect(await con.tpc_recover()).toContainEqual([0, xid[1], ""]);
    await con.tpc_commit(xid);
    expect(await con.tpc_recover()).not.toContainEqual([0, xid[1], ""]);
    expect(await con.run(`SELECT x FROM ${table}`)).toEqual([[1]]);
    await con.rollback();
    con.autocommit = true;
    await con.run(`DROP TABLE ${table}`);
    con.autocommit = false;
  });

  it("tpc_rollback of a prepared transaction, and one-phase commit when not prepared", async () => {
    const table = uniqueName("t_tpc2");
    con.autocommit = true;
    await con.run(`CREATE TABLE ${table} (x int)`);
    con.autocommit = false;
    const xid = con.xid(0, uniqueName("gtrid"), "");
    await con.tpc_begin(xid);
    await con.run(`INSERT INTO ${table} VALUES (1)`);
    await con.tpc_prepare();
    await con.tpc_rollback(xid);
    const xid2 = con.xid(0, uniqueName("gtrid"), "");
    await con.tpc_begin(xid2);
    await con.run(`INSERT INTO ${table} VALUES (2)`);
    await con.tpc_commit();
    expect(await con.run(`SELECT x FROM ${table}`)).toEqual([[2]]);
    await con.rollback();
    await expect(con.tpc_commit()).rejects.toThrow(pg8000.ProgrammingError);
  });
});
