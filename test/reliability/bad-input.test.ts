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
