// SQL run without parameters: one statement goes through the extended protocol (binary results),
// several keep the simple protocol; what the user sees stays the same either way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PREPARE_THRESHOLD } from "../../src/core/statement-runner.js";
import { DatabaseError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { trustOptions, uniqueName } from "./helpers.js";

let con: Connection;
beforeAll(async () => {
  con = await connect(trustOptions());
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

async function caught(p: Promise<unknown>): Promise<DatabaseError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatabaseError);
  return err as DatabaseError;
}

describe("run() without parameters", () => {
  it("one statement: binary results (exact float8 even when the session prints rounded text)", async () => {
    await con.run("SET extra_float_digits = 0");
    try {
      expect(await con.run("SELECT 0.1::float8 + 0.2")).toEqual([[0.1 + 0.2]]);
      // Several statements: the simple protocol, text results as the server printed them.
      expect(await con.run("SELECT 1; SELECT 0.1::float8 + 0.2")).toEqual([[1], [0.3]]);
    } finally {
      await con.run("SET extra_float_digits = 3");
    }
  });

  it(`becomes a cached named statement on its ${PREPARE_THRESHOLD}th run, not before`, async () => {
    const marker = uniqueName("threshold");
    const sql = `SELECT '${marker}' AS m`;
    const prepared = async () =>
      (await con.run("SELECT count(*)::int FROM pg_prepared_statements WHERE statement = $1", [sql]))![0]![0];
    for (let i = 1; i < PREPARE_THRESHOLD; i++) expect(await con.run(sql)).toEqual([[marker]]);
    expect(await prepared()).toBe(0);
    expect(await con.run(sql)).toEqual([[marker]]);
    expect(await prepared()).toBe(1);
    expect(await con.run(sql)).toEqual([[marker]]);
    expect(await prepared()).toBe(1);
  });

  it("DDL, DML, SET, SHOW, VACUUM: rows, row counts and columns as before", async () => {
    const table = uniqueName("pl");
    expect(await con.run(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`)).toBeNull();
    expect(con.columns).toBeNull();
    expect(await con.run(`INSERT INTO ${table} VALUES (1, 'a'), (2, 'b')`)).toBeNull();
    expect(con.row_count).toBe(2);
    expect(await con.run(`SELECT id, v FROM ${table} ORDER BY id;`)).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    expect(con.row_count).toBe(2);
    expect(con.columns?.map((c) => c.name)).toEqual(["id", "v"]);
    expect(await con.run(`VACUUM ${table}`)).toBeNull(); // refuses to run in a transaction block
    await con.run("SET application_name = 'parameterless'");
    expect(await con.run("SHOW application_name")).toEqual([["parameterless"]]);
    expect(await con.run(`DROP TABLE ${table}`)).toBeNull();
  });

  it("transaction control, and a failed transaction block refuses statements until ROLLBACK", async () => {
    await con.run("BEGIN");
    const division = await caught(con.run("SELECT 1 / 0"));
    expect(division.code).toBe("22012");
    const refused = await caught(con.run("SELECT 1"));
    expect(refused.code).toBe("25P02");
    expect(refused.message).toMatch(/current transaction is aborted/);
    await con.run("ROLLBACK");
    expect(await con.run("SELECT 2")).toEqual([[2]]);
  });

  it("savepoints: ROLLBACK TO SAVEPOINT is accepted in a failed block", async () => {
    await con.run("BEGIN");
    await con.run("SAVEPOINT s");
    await caught(con.run("SELECT 1 / 0"));
    await con.run("ROLLBACK TO SAVEPOINT s");
    expect(await con.run("SELECT 3")).toEqual([[3]]);
    await con.run("COMMIT");
  });

  it("LISTEN and NOTIFY", async () => {
    const channel = uniqueName("ch");
    await con.run(`LISTEN ${channel}`);
    await con.run(`NOTIFY ${channel}, 'hello'`);
    await con.run("SELECT 1");
    expect(con.notifications.some(([, ch, payload]) => ch === channel && payload === "hello")).toBe(true);
    await con.run(`UNLISTEN ${channel}`);
  });

  it("errors: a syntax error and a $n in the text read as from the simple protocol", async () => {
    const syntax = await caught(con.run("SELEC 1"));
    expect(syntax.code).toBe("42601");
    expect(syntax.message).toMatch(/syntax error at or near "SELEC"/);
    const placeholder = await caught(con.run("SELECT $1"));
    expect(placeholder.code).toBe("42P02");
    expect(placeholder.message).toMatch(/there is no parameter \$1/);
    expect(await con.run("SELECT 4")).toEqual([[4]]);
  });

  it("concurrent calls keep their order and their own results", async () => {
    const all = await Promise.all(Array.from({ length: 50 }, (_, i) => con.run(`SELECT ${i} AS i`)));
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => [[i]]));
  });
});
