// Server errors carry every ErrorResponse field under node-postgres's names too (what ORMs such
// as Drizzle and Prisma read to map constraint violations), beside `fields` and `code`.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseError, IntegrityError, ProgrammingError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { trustOptions, uniqueName } from "./helpers.js";

let con: Connection;
const table = uniqueName("t_errfields");
const domain = uniqueName("d_errfields");
beforeAll(async () => {
  con = await connect(trustOptions());
  await con.run(`CREATE TABLE ${table} (id int CONSTRAINT ${table}_pk PRIMARY KEY, name text NOT NULL)`);
  await con.run(`CREATE DOMAIN ${domain} AS int CHECK (VALUE > 0)`);
  await con.run(`INSERT INTO ${table} VALUES (1, 'one')`);
});
afterAll(async () => {
  await con.run(`DROP TABLE ${table}; DROP DOMAIN ${domain}`);
  await con.close();
});

async function failure(sql: string): Promise<DatabaseError> {
  const error = await con.run(sql).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  return error as DatabaseError;
}

describe("server error fields", () => {
  it("unique violation: constraint, table, schema, detail, severity and the source location", async () => {
    const error = await failure(`INSERT INTO ${table} VALUES (1, 'again')`);
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({
      code: "23505",
      severity: "ERROR",
      constraint: `${table}_pk`,
      table,
      schema: "public",
      detail: "Key (id)=(1) already exists.",
      column: undefined,
      hint: undefined,
      position: undefined,
    });
    expect(error.file).toMatch(/\.c$/);
    expect(Number(error.line)).toBeGreaterThan(0);
    expect(error.routine).toBe("_bt_check_unique");
    expect(error.fields.n).toBe(error.constraint);
  });

  it("not-null violation: column", async () => {
    const error = await failure(`INSERT INTO ${table} (id) VALUES (2)`);
    expect(error).toMatchObject({ code: "23502", table, column: "name", schema: "public" });
  });

  it("syntax error: position in the query", async () => {
    const error = await failure("SELECT 1 FROMM nowhere");
    expect(error).toBeInstanceOf(ProgrammingError);
    // "FROMM" reads as an alias of 1, so the error is at "nowhere", the 16th character.
    expect(error).toMatchObject({ code: "42601", position: "16" });
  });

  it("domain check: data_type and constraint", async () => {
    const error = await failure(`SELECT (-1)::${domain}`);
    expect(error).toMatchObject({ code: "23514", data_type: domain, schema: "public", constraint: `${domain}_check` });
  });

  it("error inside a function: where, internal_query, internal_position", async () => {
    const error = await failure(`DO $$ BEGIN EXECUTE 'SELECT no_such_column FROM ${table}'; END $$`);
    expect(error).toMatchObject({
      code: "42703",
      internal_query: `SELECT no_such_column FROM ${table}`,
      internal_position: "8",
    });
    expect(error.where).toMatch(/PL\/pgSQL function inline_code_block line 1 at EXECUTE/);
  });

  it("a client-raised DatabaseError has none of them", () => {
    const error = new DatabaseError("made here");
    expect([error.code, error.severity, error.constraint, error.fields]).toEqual(["", undefined, undefined, {}]);
  });
});
