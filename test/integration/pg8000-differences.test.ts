// README "Differences from Python's pg8000": the rows not checked elsewhere, asserted as the
// README states them (the others: errors.test.ts, control.test.ts, the conformance suite,
// dbapi-executemany.test.ts, dbapi-pg8000-api.test.ts, the unit tests of literal and paramstyle).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pg8000 from "../../src/index.js";
import { trustOptions } from "./helpers.js";

let con: pg8000.Connection;
beforeAll(async () => {
  con = await pg8000.connect(trustOptions());
  con.autocommit = true;
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

describe("differences from pg8000, as the README states them", () => {
  it("port must be a number: a string is refused with an InterfaceError", async () => {
    const options = { ...trustOptions(), port: "5432" as unknown as number };
    await expect(pg8000.connect(options)).rejects.toThrow(pg8000.InterfaceError);
  });

  it("description: internal_size is the type's size, precision and scale for numeric(p, s)", async () => {
    const cur = await con.cursor().execute("SELECT 1::int4, 'x'::text, 1.5::numeric(6, 2), %s::int8", [1n]);
    expect(cur.description!.map((d) => d.slice(1))).toEqual([
      [pg8000.INTEGER, null, 4, null, null, null],
      [pg8000.TEXT, null, null, null, null, null],
      [pg8000.NUMERIC, null, null, 6, 2, null],
      [pg8000.BIGINT, null, 8, null, null, null],
    ]);
  });

  it("float4 is the float4's exact value, with and without parameters", async () => {
    expect(await con.run("SELECT 1.1::float4")).toEqual([[1.100000023841858]]);
    expect(await con.run("SELECT :v::float4", { v: 1.1 })).toEqual([[1.100000023841858]]);
  });

  it("a record is its text form; NULL fields are kept", async () => {
    expect(await con.run("SELECT ROW(1, 'a b', NULL, '')")).toEqual([['(1,"a b",,"")']]);
  });

  it("a Date into timestamp in a non-UTC session is shifted, unless the parameter is typed", async () => {
    const cur = con.cursor();
    await cur.execute("SET TimeZone = 'Europe/Paris'");
    const instant = new Date("2024-01-02T03:04:05Z");
    await cur.execute("SELECT %s::timestamp::text", [instant]);
    expect(cur.fetchone()).toEqual(["2024-01-02 04:04:05"]);
    cur.setinputsizes(pg8000.TIMESTAMP);
    await cur.execute("SELECT %s::timestamp::text", [instant]);
    expect(cur.fetchone()).toEqual(["2024-01-02 03:04:05"]);
    await cur.execute("SET TimeZone = 'UTC'");
  });

  it("bigint, boolean and Uint8Array parameters are typed; numbers and strings are not (as pg8000)", async () => {
    expect(
      await con.run("SELECT pg_typeof(:a)::text, pg_typeof(:b)::text, pg_typeof(:c)::text", {
        a: 1n,
        b: true,
        c: new Uint8Array([1]),
      }),
    ).toEqual([["bigint", "boolean", "bytea"]]);
    expect(await con.run("SELECT :n, :s", { n: 5, s: "x" })).toEqual([["5", "x"]]);
  });
});
