// stream_columnar(): a portal's rows a batch at a time, each batch column by column.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseError } from "../../src/errors.js";
import { type ColumnarResult, type Connection, connect } from "../../src/native/index.js";
import { trustOptions } from "./helpers.js";

let con: Connection;
beforeAll(async () => {
  con = await connect(trustOptions());
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

describe("stream_columnar()", () => {
  it("hands out one columnar batch per portal batch: typed arrays, null masks, plain arrays", async () => {
    const stream = con.stream_columnar(
      "SELECT g AS n, CASE WHEN g % 3 = 0 THEN NULL ELSE g::float8 / 2 END AS half, md5(g::text) AS h FROM generate_series(1, :n) g",
      { n: 25_000 },
      { batch_size: 10_000 },
    );
    const batches: ColumnarResult[] = [];
    for await (const batch of stream) batches.push(batch);
    expect(batches.map((b) => b.row_count)).toEqual([10_000, 10_000, 5_000]);
    expect(stream.columns?.map((c) => c.name)).toEqual(["n", "half", "h"]);
    const [n, half, h] = batches[2]!.columns;
    expect(n!.values).toBeInstanceOf(Int32Array);
    expect(n!.values[0]).toBe(20_001);
    expect(n!.values[4_999]).toBe(25_000);
    expect(half!.values).toBeInstanceOf(Float64Array);
    // 20,001 % 3 === 0: NULL (masked, 0 in the typed array); 20,002 → 10,001.
    expect(half!.nulls?.[0]).toBe(1);
    expect(half!.nulls?.[1]).toBe(0);
    expect(half!.values[1]).toBe(10_001);
    expect(Array.isArray(h!.values)).toBe(true);
    expect(h!.values).toHaveLength(5_000);
    const [md5] = (await con.run("SELECT md5('20001')")) as string[][];
    expect(h!.values[0]).toBe(md5![0]);
    // The null mask is per batch: the first row of the second batch (10,001) is not NULL.
    expect(batches[1]!.columns[1]!.nulls?.[0]).toBe(0);
    expect(batches[1]!.columns[1]!.values[0]).toBe(5_000.5);
  });

  it("batch_size may change between batches: a small first batch, then larger ones", async () => {
    const stream = con.stream_columnar("SELECT generate_series(1, 100) AS g", null, { batch_size: 5 });
    const sizes: number[] = [];
    let last = 0;
    for await (const batch of stream) {
      sizes.push(batch.row_count);
      last = (batch.columns[0]!.values as Int32Array).at(-1)!;
      stream.batch_size *= 4;
    }
    expect(sizes).toEqual([5, 20, 75]);
    expect(last).toBe(100);
    expect(() => {
      stream.batch_size = 0;
    }).toThrow(/batch_size must be a positive integer/);
  });

  it("the columns are known while the first batch is still running", async () => {
    const controller = new AbortController();
    const stream = con.stream_columnar("SELECT pg_sleep(30) AS slept", null, { signal: controller.signal });
    const first = stream.next().catch((e: unknown) => e);
    await expect.poll(() => stream.columns?.map((c) => c.name), { timeout: 10_000 }).toEqual(["slept"]);
    controller.abort();
    expect(((await first) as DatabaseError).code).toBe("57014");
  });

  it("an empty result yields no batch; its columns are still known", async () => {
    const stream = con.stream_columnar("SELECT 1 AS one WHERE false");
    const batches: ColumnarResult[] = [];
    for await (const batch of stream) batches.push(batch);
    expect(batches).toEqual([]);
    expect(stream.columns?.map((c) => c.name)).toEqual(["one"]);
  });

  it("the command tag and its count are known once the stream ended: a SELECT, a DML statement without rows", async () => {
    const rows = con.stream_columnar("SELECT g FROM generate_series(1, 2500) g", null, { batch_size: 1000 });
    expect(rows.command).toBeNull();
    expect(rows.row_count).toBe(-1);
    let total = 0;
    for await (const batch of rows) total += batch.row_count;
    expect(total).toBe(2500);
    expect(rows.command).toBe("SELECT 500"); // PostgreSQL counts the last Execute only
    expect(rows.row_count).toBe(2500);

    await con.run("CREATE TEMP TABLE stream_dml (a int)");
    const dml = con.stream_columnar("WITH s AS (SELECT 1) INSERT INTO stream_dml SELECT generate_series(1, 7)");
    const batches: ColumnarResult[] = [];
    for await (const batch of dml) batches.push(batch);
    expect(batches).toEqual([]);
    expect(dml.columns).toBeNull();
    expect(dml.command).toBe("INSERT 0 7");
    expect(dml.row_count).toBe(7);
    const plain = con.stream("DELETE FROM stream_dml WHERE a > 4");
    for await (const _ of plain) throw new Error("a DELETE without RETURNING has no rows");
    expect(plain.row_count).toBe(3);
    await con.run("DROP TABLE stream_dml");
  });

  it("rows before an error mid-stream come first, then the error; the connection stays usable", async () => {
    const got: number[] = [];
    const err = await (async () => {
      for await (const batch of con.stream_columnar("SELECT 10 / (5 - g) AS q FROM generate_series(1, 10) g", null, {
        batch_size: 3,
      }))
        got.push(...(batch.columns[0]!.values as Int32Array));
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as DatabaseError).code).toBe("22012");
    expect(got).toEqual([2, 3, 5, 10]);
    expect(await con.run("SELECT 'after'")).toEqual([["after"]]);
  });

  it("breaking out closes the portal and the connection goes on", async () => {
    let rows = 0;
    for await (const batch of con.stream_columnar("SELECT generate_series(1, 1000000)", null, { batch_size: 100 })) {
      rows += batch.row_count;
      break;
    }
    expect(rows).toBe(100);
    expect(await con.run("SELECT 'after'")).toEqual([["after"]]);
  });

  it("an aborted signal cancels the query on the server (57014)", async () => {
    const controller = new AbortController();
    let rows = 0;
    const err = await (async () => {
      for await (const batch of con.stream_columnar(
        "SELECT g, pg_sleep(0.001) FROM generate_series(1, 100000) g",
        null,
        {
          batch_size: 100,
          signal: controller.signal,
        },
      )) {
        rows += batch.row_count;
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect((err as DatabaseError).code).toBe("57014");
    expect(rows).toBeGreaterThanOrEqual(100);
    expect(await con.run("SELECT 'after'")).toEqual([["after"]]);
  });

  it("works with the statement cache off (rows in text format)", async () => {
    const plain = await connect(trustOptions({ statement_cache_size: 0 }));
    try {
      const out: unknown[] = [];
      for await (const batch of plain.stream_columnar("SELECT g, g::text AS t FROM generate_series(1, 5) g", null, {
        batch_size: 2,
      }))
        out.push(...batch.columns[1]!.values);
      expect(out).toEqual(["1", "2", "3", "4", "5"]);
    } finally {
      await plain.close();
    }
  });
});
