// Bad input at every public entry: connect options, run/execute parameters and SQL, stream and
// COPY options. Each must give a clear error (the DB-API class, a message that names what is
// wrong), send nothing harmful, and leave the connection usable.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InterfaceError } from "../../src/errors.js";
import * as dbapi from "../../src/index.js";
import { type Connection, connect } from "../../src/native/index.js";
import { trustOptions, uniqueName } from "../integration/helpers.js";

let con: Connection;
let table: string;
beforeAll(async () => {
  con = await connect(trustOptions());
  table = uniqueName("bad_input");
  await con.run(`CREATE TEMP TABLE ${table} (t text)`);
});
afterAll(async () => {
  await con.close();
});

/** The error a call gives (sync throw or rejection); fails the test if there is none. */
async function errorOf(call: () => unknown): Promise<Error> {
  try {
    await call();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error, got none");
}

async function expectStillUsable(c: Connection = con): Promise<void> {
  expect(await c.run("SELECT 1 AS one")).toEqual([[1]]);
}

const HIGH = "\uD83D"; // first half of 😀 (U+1F600 = D83D DE00)
const LOW = "\uDE00";

describe("lone UTF-16 surrogates are refused, not replaced by U+FFFD", () => {
  it.each([
    ["a high surrogate in the middle", `ab${HIGH}cd`, "D83D", 2],
    ["a low surrogate alone", `${LOW}x`, "DE00", 0],
    ["an emoji cut in half at the end", `smile ${HIGH}`, "D83D", 6],
  ])("in a $n parameter: %s", async (_what, value, code, index) => {
    const err = await errorOf(() => con.run(`INSERT INTO ${table} VALUES ($1)`, [value]));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message).toContain(`parameter $1 contains a lone UTF-16 surrogate (U+${code} at index ${index})`);
    expect(err.message).toContain("Nothing was sent");
    expect(await con.run(`SELECT count(*)::int FROM ${table}`)).toEqual([[0]]);
    await expectStillUsable();
  });

  it("names the :name parameter in a native query", async () => {
    const err = await errorOf(() => con.run(`SELECT :ok::text, :bad::text`, { ok: "fine", bad: `x${HIGH}` }));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message).toMatch(/^parameter :bad \(\$2\) contains a lone UTF-16 surrogate/);
    await expectStillUsable();
  });

  it("inside an array parameter", async () => {
    const err = await errorOf(() => con.run("SELECT $1::text[]", [["ok", `b${LOW}`]]));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message).toMatch(/^parameter \$1 contains a lone UTF-16 surrogate/);
    await expectStillUsable();
  });

  it("a proper surrogate pair (an emoji) still goes through unchanged", async () => {
    expect(await con.run("SELECT $1::text", [`a${HIGH}${LOW}b`])).toEqual([[`a${HIGH}${LOW}b`]]);
  });

  it.each([
    ["the simple protocol", null],
    ["the extended protocol", [1]],
  ])("in the SQL, through %s", async (_what, params) => {
    const sql = `SELECT '${HIGH}' AS t, $1::int AS n`.replace(params ? "" : ", $1::int AS n", "");
    const err = await errorOf(() => con.run(sql, params));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message).toMatch(/^query contains a lone UTF-16 surrogate \(U\+D83D at index 8\)/);
    await expectStillUsable();
    // The refused SQL was not cached as a statement: the same call gives the same error again.
    const again = await errorOf(() => con.run(sql, params));
    expect(again.message).toBe(err.message);
  });

  it("in COPY FROM STDIN data; a pair split across two chunks is joined again", async () => {
    const err = await errorOf(() => con.run(`COPY ${table} FROM STDIN`, null, { stream: [`a${LOW}b\n`] }));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message).toMatch(/COPY FROM STDIN chunk contains a lone UTF-16 surrogate/);
    expect(await con.run(`SELECT count(*)::int FROM ${table}`)).toEqual([[0]]);
    await con.run(`COPY ${table} FROM STDIN`, null, { stream: [`smile ${HIGH}`, `${LOW}\n`] });
    expect(await con.run(`SELECT t FROM ${table}`)).toEqual([[`smile ${HIGH}${LOW}`]]);
    await con.run(`TRUNCATE ${table}`);
  });

  it("through the DB-API cursor", async () => {
    const db = await dbapi.connect(trustOptions());
    const cursor = db.cursor();
    const err = await errorOf(() => cursor.execute("SELECT %s::text", [`x${HIGH}`]));
    expect(err).toBeInstanceOf(dbapi.InterfaceError);
    expect(err.message).toMatch(/^parameter \$1 contains a lone UTF-16 surrogate/);
    await db.rollback();
    await cursor.execute("SELECT 2");
    expect(cursor.fetchall()).toEqual([[2]]);
    await db.close();
  });
});

describe("bad connect options", () => {
  const base = () => trustOptions();
  it.each<[string, Record<string, unknown>]>([
    ["no user", { user: undefined }],
    ["a numeric user", { user: 42 }],
    ["a port of 0", { port: 0 }],
    ["a port above 65535", { port: 70000 }],
    ["a port that is a string of letters", { port: "abc" }],
    ["a negative timeout", { timeout: -1 }],
    ["a NaN timeout", { timeout: Number.NaN }],
    ["an unknown option", { usr: "x" }],
    ["a negative statement_cache_size", { statement_cache_size: -1 }],
    ["a fractional statement_cache_size", { statement_cache_size: 1.5 }],
    ["startup_params that is not an object", { startup_params: "TimeZone=UTC" }],
    ["a startup parameter value that is not a string", { startup_params: { TimeZone: 5 } }],
    ["a NUL in the database name", { database: "pg8000\0test" }],
    ["a lone surrogate in the application_name", { application_name: `app${HIGH}` }],
  ])("%s → InterfaceError", async (_what, extra) => {
    const err = await errorOf(() => connect({ ...base(), ...extra } as Parameters<typeof connect>[0]));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message.length).toBeGreaterThan(10);
  });

  it.each<[string, unknown]>([
    ["null", null],
    ["a number", 5432],
    ["an unparsable URI", "postgresql://[::1"],
  ])("connect(%s) → InterfaceError", async (_what, input) => {
    const err = await errorOf(() => connect(input as Parameters<typeof connect>[0]));
    expect(err).toBeInstanceOf(InterfaceError);
  });
});

describe("bad run() parameters and options", () => {
  it.each<[string, unknown]>([
    ["a Symbol", Symbol("s")],
    ["a function", () => 1],
    ["a NaN Date", new Date(Number.NaN)],
    ["a WeakMap", new WeakMap()],
  ])("%s as a parameter → InterfaceError naming what it got; connection usable", async (_what, value) => {
    const err = await errorOf(() => con.run("SELECT $1", [value]));
    expect(err).toBeInstanceOf(InterfaceError);
    await expectStillUsable();
  });

  it("a circular object as a json parameter → an error, connection usable", async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const err = await errorOf(() => con.run("SELECT $1::json", [circular]));
    expect(err).toBeInstanceOf(InterfaceError);
    await expectStillUsable();
  });

  it.each<[string, unknown]>([
    ["too few", [1]],
    ["too many", [1, 2, 3]],
  ])("%s positional parameters → InterfaceError", async (_what, params) => {
    const err = await errorOf(() => con.run("SELECT $1::int, $2::int", params as unknown[]));
    expect(err).toBeInstanceOf(InterfaceError);
    await expectStillUsable();
  });

  it("a missing :name parameter → InterfaceError naming it", async () => {
    const err = await errorOf(() => con.run("SELECT :a::int, :b::int", { a: 1 }));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(err.message).toContain("b");
    await expectStillUsable();
  });

  it.each<[string, unknown]>([
    ["not a string", 42],
    ["null", null],
  ])("SQL that is %s → InterfaceError", async (_what, sql) => {
    const err = await errorOf(() => con.run(sql as string));
    expect(err).toBeInstanceOf(InterfaceError);
    await expectStillUsable();
  });

  it.each<[string, unknown]>([
    ["zero", 0],
    ["negative", -1],
    ["a string", "1"],
    ["Infinity", Number.POSITIVE_INFINITY],
  ])("a query timeout that is %s → InterfaceError", async (_what, timeout) => {
    const err = await errorOf(() => con.run("SELECT 1", null, { timeout: timeout as number }));
    expect(err).toBeInstanceOf(InterfaceError);
    await expectStillUsable();
  });

  it.each<[string, unknown]>([
    ["a number", 42],
    ["an object without a way to read it", { foo: 1 }],
    ["an array of numbers", [1, 2, 3]],
  ])("a COPY FROM STDIN stream that is %s → InterfaceError; connection usable", async (_what, stream) => {
    const err = await errorOf(() => con.run(`COPY ${table} FROM STDIN`, null, { stream }));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(await con.run(`SELECT count(*)::int FROM ${table}`)).toEqual([[0]]);
    await expectStillUsable();
  });

  it("a COPY TO STDOUT stream that cannot be written → InterfaceError; connection usable", async () => {
    const err = await errorOf(() => con.run("COPY (SELECT 1) TO STDOUT", null, { stream: 42 }));
    expect(err).toBeInstanceOf(InterfaceError);
    await expectStillUsable();
  });
});

describe("bad stream() options", () => {
  it.each<[string, unknown]>([
    ["zero", 0],
    ["negative", -5],
    ["fractional", 2.5],
    ["a string", "10"],
  ])("batch_size %s → InterfaceError before anything is sent", async (_what, batch_size) => {
    const err = await errorOf(async () => {
      for await (const _row of con.stream("SELECT 1", null, { batch_size: batch_size as number })) break;
    });
    expect(err).toBeInstanceOf(InterfaceError);
    await expectStillUsable();
  });
});

describe("bad DB-API execute() input", () => {
  it.each<[string, string, unknown]>([
    ["too few format parameters", "SELECT %s, %s", [1]],
    ["too many format parameters", "SELECT %s", [1, 2]],
    ["params that are not a sequence", "SELECT %s", 5],
  ])("%s → InterfaceError/ProgrammingError; connection usable", async (_what, sql, params) => {
    const db = await dbapi.connect(trustOptions());
    const cursor = db.cursor();
    const err = await errorOf(() => cursor.execute(sql, params as unknown[]));
    expect(err instanceof dbapi.InterfaceError || err instanceof dbapi.ProgrammingError).toBe(true);
    await db.rollback();
    await cursor.execute("SELECT 3");
    expect(cursor.fetchall()).toEqual([[3]]);
    await db.close();
  });
});
