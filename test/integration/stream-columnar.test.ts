import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseError } from "../../src/errors.js";
import * as pg8000 from "../../src/index.js";
import { type Connection, connect } from "../../src/native/index.js";
import { trustOptions } from "./helpers.js";

let con: Connection;
beforeAll(async () => {
  con = await connect(trustOptions());
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

describe("stream()", () => {
  it("yields every row in order across many batches", async () => {
    let n = 0;
    let sum = 0;
    for await (const [i, s] of con.stream(
      "SELECT g, g::text FROM generate_series(1, :n) g",
      { n: 25_000 },
      { batch_size: 1000 },
    )) {
      n++;
      sum += i as number;
      if (n === 1) expect(s).toBe("1");
    }
    expect(n).toBe(25_000);
    expect(sum).toBe((25_000 * 25_001) / 2);
  });

  it("early break closes the portal and the connection goes on", async () => {
    const seen: unknown[] = [];
    for await (const row of con.stream("SELECT generate_series(1, 1000000)", null, { batch_size: 100 })) {
      seen.push(row[0]);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(await con.run("SELECT 'after'")).toEqual([["after"]]);
  });

  it("queries issued while a stream is open wait for it", async () => {
    const iterator = con.stream("SELECT generate_series(1, 3)", null, { batch_size: 1 });
    const first = await iterator.next();
    const other = con.run("SELECT 'other'");
    const rest: unknown[] = [];
    for await (const row of iterator) rest.push(row[0]);
    expect(first.value).toEqual([1]);
    expect(rest).toEqual([2, 3]);
    expect(await other).toEqual([["other"]]);
  });

  it("an error mid-stream is raised from the iterator; the connection stays usable", async () => {
    const rows: unknown[] = [];
    const err = await (async () => {
      for await (const row of con.stream("SELECT 10 / (5 - g) FROM generate_series(1, 10) g", null, { batch_size: 2 }))
        rows.push(row[0]);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as DatabaseError).code).toBe("22012");
    expect(rows).toEqual([2, 3, 5, 10]);
    expect(await con.run("SELECT 1")).toEqual([[1]]);
  });

  it("uses binary results for a statement already in the cache", async () => {
    const sql = "SELECT :v::int8 + g, now()::date = current_date FROM generate_series(1, 3) g";
    await con.run(sql, { v: 1 });
    const rows: unknown[][] = [];
    for await (const row of con.stream(sql, { v: 1 })) rows.push(row);
    expect(rows).toEqual([
      [2n, true],
      [3n, true],
      [4n, true],
    ]);
  });

  it("works in a DB-API transaction", async () => {
    const db = await pg8000.connect(trustOptions());
    const rows: unknown[] = [];
    for await (const row of db.stream("SELECT generate_series(1, 3)")) rows.push(row[0]);
    expect(rows).toEqual([1, 2, 3]);
    expect(await db.run("SELECT 1")).toEqual([[1]]);
    await db.rollback();
    await db.close();
  });
});

describe("run_columnar()", () => {
  it("returns typed arrays for fixed-width columns, null masks, and plain arrays for the rest", async () => {
    const result = await con.run_columnar(
      `SELECT g::int2 AS a, g::int4 AS b, g::int8 AS c, g::float4 AS d, g::float8 / 2 AS e, g % 2 = 0 AS f,
              CASE WHEN g = 2 THEN NULL ELSE g END AS n, g::text AS t, g::numeric / 4 AS num
       FROM generate_series(1, :n) g`,
      { n: 3 },
    );
    expect(result.row_count).toBe(3);
    const byName = Object.fromEntries(result.columns.map((c) => [c.name, c]));
    expect(byName.a!.values).toEqual(new Int16Array([1, 2, 3]));
    expect(byName.b!.values).toEqual(new Int32Array([1, 2, 3]));
    expect(byName.c!.values).toEqual(new BigInt64Array([1n, 2n, 3n]));
    expect(byName.d!.values).toEqual(new Float32Array([1, 2, 3]));
    expect(byName.e!.values).toEqual(new Float64Array([0.5, 1, 1.5]));
    expect(byName.f!.values).toEqual(new Uint8Array([0, 1, 0]));
    expect(byName.n!.values).toEqual(new Int32Array([1, 0, 3]));
    expect(byName.n!.nulls).toEqual(new Uint8Array([0, 1, 0]));
    expect(byName.t!.values).toEqual(["1", "2", "3"]);
    expect(byName.num!.values).toEqual(["0.25000000000000000000", "0.50000000000000000000", "0.75000000000000000000"]);
    expect(byName.b!.type_oid).toBe(23);
  });

  it("handles results much larger than one codec batch", async () => {
    const n = 300_000;
    const result = await con.run_columnar("SELECT g, g::float8 * 2 FROM generate_series(1, :n) g", { n });
    const [ints, doubles] = result.columns.map((c) => c.values) as [Int32Array, Float64Array];
    expect(result.row_count).toBe(n);
    expect(ints.length).toBe(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (ints[i] !== i + 1 || doubles[i] !== 2 * (i + 1)) throw new Error(`row ${i} wrong: ${ints[i]}, ${doubles[i]}`);
      sum += ints[i]!;
    }
    expect(sum).toBe((n * (n + 1)) / 2);
  });

  it("dates, timestamps, uuids", async () => {
    const result = await con.run_columnar(
      "SELECT '2000-01-02'::date, '1970-01-01 00:00:01.5+00'::timestamptz, 'infinity'::timestamp, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
    );
    const [d, ts, inf, u] = result.columns.map((c) => c.values);
    expect(d).toEqual(new Int32Array([10958]));
    expect(ts).toEqual(new Float64Array([1500]));
    expect(inf).toEqual(new Float64Array([Infinity]));
    expect(u).toEqual(["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]);
  });

  it("a statement error rejects; the connection stays usable", async () => {
    await expect(con.run_columnar("SELECT 1/0")).rejects.toThrow(pg8000.DataError);
    await expect(con.run_columnar("SELEC 1")).rejects.toThrow(pg8000.ProgrammingError);
    expect(await con.run("SELECT 1")).toEqual([[1]]);
  });

  it("works with the statement cache off", async () => {
    const uncached = await connect(trustOptions({ statement_cache_size: 0 }));
    const result = await uncached.run_columnar("SELECT generate_series(1, 4)::int8");
    expect(result.columns[0]!.values).toEqual(new BigInt64Array([1n, 2n, 3n, 4n]));
    expect(await uncached.run("SELECT count(*) FROM pg_prepared_statements")).toEqual([[0n]]);
    await uncached.close();
  });
});

describe("closing with a stream open", () => {
  it("close() ends an abandoned stream instead of waiting for its consumer", async () => {
    const other = await connect(trustOptions());
    const iterator = other.stream("SELECT generate_series(1, 100000)", null, { batch_size: 10 });
    expect((await iterator.next()).value).toEqual([1]);
    await other.close();
    expect(other.closed).toBe(true);
    expect((await iterator.next()).done).toBe(true);
  });
});
