import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Connection, connect } from "../../src/native/index.js";
import { cluster, superOptions, uniqueName } from "./helpers.js";

let con: Connection;
const mood = uniqueName("mood");
const posint = uniqueName("posint");
const pair = uniqueName("pair");
beforeAll(async () => {
  con = await connect(superOptions());
  await con.run(`CREATE TYPE ${mood} AS ENUM ('sad', 'ok', 'happy')`);
  await con.run(`CREATE DOMAIN ${posint} AS int4 CHECK (VALUE > 0)`);
  await con.run(`CREATE TYPE ${pair} AS (a int, b text)`);
});
afterAll(async () => {
  await con.run(`DROP TYPE ${mood}; DROP DOMAIN ${posint}; DROP TYPE ${pair}`);
  await con.close();
});

describe("user-defined types resolved from pg_type", () => {
  it("an enum is a string and an enum[] is string[]", async () => {
    expect(await con.run(`SELECT 'ok'::${mood}, ARRAY['sad', 'happy']::${mood}[]`)).toEqual([["ok", ["sad", "happy"]]]);
  });

  it("a domain over int4 is a number, also in arrays and through the statement cache", async () => {
    expect(await con.run(`SELECT 5::${posint}, ARRAY[1, 2]::${posint}[]`)).toEqual([[5, [1, 2]]]);
    for (let i = 1; i <= 3; i++) {
      expect(await con.run(`SELECT :v::${posint}`, { v: i })).toEqual([[i]]);
    }
  });

  it("a composite stays its text form", async () => {
    expect(await con.run(`SELECT ROW(1, 'x y')::${pair}`)).toEqual([['(1,"x y")']]);
  });

  it("a user range over a built-in subtype", async () => {
    const range = uniqueName("floatrange");
    await con.run(`CREATE TYPE ${range} AS RANGE (subtype = float8)`);
    const [[r]] = (await con.run(`SELECT '[1.5,2.5)'::${range}`)) as [
      [{ lower: unknown; upper: unknown; bounds: string }],
    ];
    expect([r.lower, r.upper, r.bounds]).toEqual([1.5, 2.5, "[)"]);
    await con.run(`DROP TYPE ${range}`);
  });

  it("hstore (installed by the test cluster) becomes an object", async () => {
    expect(cluster.hasHstore).toBe(true);
    expect(await con.run(`SELECT 'a=>1, b=>NULL'::hstore`)).toEqual([[{ a: "1", b: null }]]);
  });

  it("several statements in one simple query, each with its own user types", async () => {
    expect(await con.run(`SELECT 'sad'::${mood}; SELECT 7::${posint}, ARRAY['ok']::${mood}[]`)).toEqual([
      ["sad"],
      [7, ["ok"]],
    ]);
  });
});
