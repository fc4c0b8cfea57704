// pg8000 API that its own test suite uses: type objects compared with ==, the exception classes
// on the connection, the cursor as a context manager, cursor.connection and the legacy
// Connection.description. The assertions are pg8000's behaviour.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as pg8000 from "../../src/index.js";
import { trustOptions, uniqueName } from "./helpers.js";

let con: pg8000.Connection;
beforeAll(async () => {
  con = await pg8000.connect(trustOptions());
});
afterEach(async () => {
  await con.rollback();
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

describe("type objects and ==", () => {
  it("description type codes == the type object of pg8000's primary code (STRING == VARCHAR)", async () => {
    const cur = await con
      .cursor()
      .execute("SELECT 'a'::varchar, 'b'::text, 1.5::numeric, now()::timestamp, 1::oid, '\\x00'::bytea, 1::int");
    // `unknown`, as in JavaScript: TypeScript refuses == between number and an object type.
    const code = (i: number): unknown => cur.description![i]![1];
    // biome-ignore-start lint/suspicious/noDoubleEquals: == between a type code and a type object is the pg8000 idiom under test
    expect(code(0) == pg8000.STRING).toBe(true); // pg8000's dbapi20 test: varchar column == STRING
    expect(code(1) == pg8000.STRING).toBe(false); // pg8000's STRING is 1043 only; equals() covers text
    expect(code(2) == pg8000.NUMBER).toBe(true);
    expect(code(3) == pg8000.DATETIME).toBe(true);
    expect(code(4) == pg8000.ROWID).toBe(true);
    expect(code(5) == pg8000.BINARY).toBe(true);
    expect(code(6) == pg8000.NUMBER).toBe(false);
    expect(code(0) != pg8000.NUMBER).toBe(true);
    // biome-ignore-end lint/suspicious/noDoubleEquals: end of the == checks
  });

  it("equals() answers for the whole set; String() and templates give the name", () => {
    expect([25, 1043, 1042, 19].map((c) => pg8000.STRING.equals(c))).toEqual([true, true, true, true]);
    expect([20, 21, 23, 700, 701, 1700].every((c) => pg8000.NUMBER.equals(c))).toBe(true);
    expect([String(pg8000.STRING), `${pg8000.NUMBER}`, +pg8000.DATETIME]).toEqual(["STRING", "NUMBER", 1114]);
  });

  it("setinputsizes accepts a type object as its primary code, like pg8000's integer STRING", async () => {
    const cur = con.cursor();
    cur.setinputsizes(pg8000.STRING);
    await cur.execute("SELECT pg_typeof(%s)::text", ["x"]);
    expect(cur.fetchone()).toEqual(["character varying"]);
  });
});

describe("connection attributes", () => {
  it("the PEP 249 exception classes are on the connection (con.Error, con.InterfaceError…)", async () => {
    expect([
      con.Warning,
      con.Error,
      con.InterfaceError,
      con.DatabaseError,
      con.DataError,
      con.OperationalError,
      con.IntegrityError,
      con.InternalError,
      con.ProgrammingError,
      con.NotSupportedError,
    ]).toEqual([
      pg8000.Warning,
      pg8000.Error,
      pg8000.InterfaceError,
      pg8000.DatabaseError,
      pg8000.DataError,
      pg8000.OperationalError,
      pg8000.IntegrityError,
      pg8000.InternalError,
      pg8000.ProgrammingError,
      pg8000.NotSupportedError,
    ]);
    const other = await pg8000.connect(trustOptions());
    await other.close();
    // pg8000's test_closed_connection: `with pytest.raises(con.InterfaceError, match="connection is closed")`
    await expect(other.run("SELECT 1")).rejects.toThrow(other.InterfaceError);
    await expect(other.run("SELECT 1")).rejects.toThrow("connection is closed");
  });

  it("description after run() (pg8000's legacy Connection.description)", async () => {
    expect(await con.run("SELECT 1::int AS a, 'x'::varchar(5) AS b, 1.50::numeric(6,2) AS c")).toEqual([
      [1, "x", "1.50"],
    ]);
    expect(con.description!.map((d) => [d[0], d[1], d[4], d[5]])).toEqual([
      ["a", pg8000.INTEGER, null, null],
      ["b", pg8000.VARCHAR, null, null],
      ["c", pg8000.NUMERIC, 6, 2],
    ]);
    expect(await con.run("SET TIME ZONE 'UTC'")).toEqual([]);
    expect(con.description).toBeNull();
  });

  it("run() of a statement without rows gives [] (pg8000's legacy run gives an empty tuple)", async () => {
    expect(await con.run("SET TIME ZONE 'UTC'")).toEqual([]);
    expect(await con.run("")).toEqual([]);
    expect(await con.run("SELECT 1 WHERE false")).toEqual([]);
  });
});

describe("prepare() as pg8000's legacy PreparedStatement", () => {
  it("run() opens the transaction outside autocommit, so rollback() undoes it", async () => {
    const table = uniqueName("t_prep");
    con.autocommit = true;
    await con.run(`CREATE TEMP TABLE ${table} (x int)`);
    con.autocommit = false;
    const insert = await con.prepare(`INSERT INTO ${table} VALUES (:x)`);
    expect(await insert.run({ x: 1 })).toEqual([]);
    await con.rollback();
    expect(await con.run(`SELECT count(*) FROM ${table}`)).toEqual([[0n]]);
    await insert.close();
  });
});

describe("messages and defaults as pg8000", () => {
  it("tpc_rollback() without a transaction: 'Cannot tpc_rollback() without a TPC prepared transaction!'", async () => {
    await expect(con.tpc_rollback()).rejects.toThrow(
      new pg8000.ProgrammingError("Cannot tpc_rollback() without a TPC prepared transaction!"),
    );
    await expect(con.tpc_commit()).rejects.toThrow(
      new pg8000.ProgrammingError("Cannot tpc_commit() without a TPC transaction!"),
    );
  });

  it("execute() with an empty array or object runs the SQL verbatim (pg8000's len(args) == 0)", async () => {
    const cur = con.cursor();
    await cur.execute("SELECT '100%%'", {});
    expect(cur.fetchall()).toEqual([["100%%"]]);
    await cur.execute("SELECT '100%%'", []);
    expect(cur.fetchall()).toEqual([["100%%"]]);
  });

  it("fetchmany(null) fetches arraysize rows, like fetchmany(None)", async () => {
    const cur = await con.cursor().execute("SELECT generate_series(1, 5)");
    cur.arraysize = 2;
    expect(cur.fetchmany(null)).toEqual([[1], [2]]);
    expect(cur.fetchmany()).toEqual([[3], [4]]);
    expect(cur.fetchmany(0)).toEqual([]);
  });
});

describe("cursor", () => {
  it("cursor.connection is the connection, and null once the cursor is closed", () => {
    const cur = con.cursor();
    expect(cur.connection).toBe(con);
    cur.close();
    expect(cur.connection).toBeNull();
  });

  it("rows fetched before close() stay readable (pg8000 only refuses a new execute)", async () => {
    const cur = await con.cursor().execute("SELECT generate_series(1, 3)");
    expect(cur.fetchone()).toEqual([1]);
    cur.close();
    expect(cur.fetchall()).toEqual([[2], [3]]);
    await expect(cur.execute("SELECT 1")).rejects.toThrow(new pg8000.InterfaceError("Cursor closed"));
  });

  it("`using` closes the cursor at the end of the block, like pg8000's `with con.cursor()`", async () => {
    let escaped: pg8000.Cursor;
    {
      using cur = con.cursor();
      escaped = cur;
      await cur.execute("SELECT 1");
      expect(cur.fetchone()).toEqual([1]);
    }
    await expect(escaped.execute("SELECT 1")).rejects.toThrow(new pg8000.InterfaceError("Cursor closed"));
    {
      await using cur = con.cursor();
      escaped = cur;
    }
    expect(escaped.connection).toBeNull();
  });
});

describe("literal()", () => {
  it("bytes become a bytea literal; pg8000's X'03' would be a bit string", async () => {
    const bytes = new Uint8Array([3, 255]);
    expect(pg8000.literal(bytes)).toBe("E'\\\\x03ff'::bytea");
    expect(await con.run(`SELECT ${pg8000.literal(bytes)}, pg_typeof(${pg8000.literal(bytes)})::text`)).toEqual([
      [bytes, "bytea"],
    ]);
    expect(await con.run("SELECT pg_typeof(X'03')::text")).toEqual([["bit"]]);
  });
});
