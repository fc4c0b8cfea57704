// A stream closed before its first Bind/Execute went out (its statement still being described):
// the Close must follow what the stream queued, or the next query reads a shifted answer
// ("DataRow received before its RowDescription").

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Connection, connect, Pool } from "../../src/native/index.js";
import { trustOptions, uniqueName } from "./helpers.js";

let con: Connection;
let pool: Pool;
beforeAll(async () => {
  con = await connect(trustOptions());
  pool = new Pool({ ...trustOptions(), max: 1 });
});
afterAll(async () => {
  if (!con.closed) await con.close();
  await pool.close();
});

/** SQL never run before on any connection, so its statement is not described yet. */
function freshSql(): string {
  return `SELECT g, '${uniqueName("row")}' AS tag FROM generate_series(1, 5000) g`;
}

/** Starts a stream and closes it at once; what the pending next() gives is whatever came first. */
async function startAndClose(stream: AsyncIterableIterator<unknown[]>): Promise<void> {
  const it = stream[Symbol.asyncIterator]();
  const first = it.next();
  await it.return?.();
  const got = await first;
  // Either no row (closed before any arrived) or the first row: never a wrong one.
  if (!got.done) expect(got.value[0]).toBe(1);
}

describe("stream closed before it starts", () => {
  it("native connection: the next queries get their own results", async () => {
    for (let i = 0; i < 5; i++) {
      await startAndClose(con.stream(freshSql(), null, { batch_size: 100 }));
      expect(await con.run("SELECT :i::int AS i", { i })).toEqual([[i]]);
    }
    // Closed with no next() at all, and with parameters.
    const s = con.stream(`${freshSql()} WHERE g > :m`, { m: 10 });
    await s.return?.();
    expect(await con.run("SELECT 'after'")).toEqual([["after"]]);
    expect(con.closed).toBe(false);
  });

  it("native connection: a stream closed after its first batch started still leaves the connection in step", async () => {
    const sql = freshSql();
    await startAndClose(con.stream(sql, null, { batch_size: 10 }));
    // The statement is cached now: the Bind goes out at once, the Close right behind it.
    await startAndClose(con.stream(sql, null, { batch_size: 10 }));
    await startAndClose(con.stream(sql, null, { batch_size: 100_000 }));
    expect(await con.run("SELECT 2 + 2")).toEqual([[4]]);
  });

  it("native connection: a stream of SQL the server refuses, closed at once, leaves the connection in step", async () => {
    const bad = `SELECT no_such_column_${uniqueName("c")} FROM generate_series(1, 10)`;
    const s = con.stream(bad)[Symbol.asyncIterator]();
    const first = s.next().catch((err: unknown) => err);
    await s.return?.().catch(() => undefined);
    const got = await first;
    // The parse error, or no row: never a row of another query.
    if (!(got instanceof Error)) expect(got).toEqual({ value: undefined, done: true });
    expect(await con.run("SELECT 'still in step'")).toEqual([["still in step"]]);
  });

  it("without the statement cache: a stream queued behind an open one, closed at once, keeps the connection in step", async () => {
    const plain = await connect(trustOptions({ statement_cache_size: 0 }));
    try {
      const a = plain.stream("SELECT g FROM generate_series(1, 1000) g", null, { batch_size: 10 });
      expect((await a.next()).value).toEqual([1]);
      const b = plain.stream("SELECT g * 2 FROM generate_series(1, 1000) g", null, { batch_size: 10 });
      const bFirst = b.next();
      const bClosed = b.return?.();
      await a.return?.();
      await bClosed;
      const got = await bFirst;
      if (!got.done) expect(got.value).toEqual([2]);
      expect(await plain.run("SELECT :x::int", { x: 7 })).toEqual([[7]]);
    } finally {
      await plain.close();
    }
  });

  it("through the Pool: the connection goes back in step and serves the next caller", async () => {
    for (let i = 0; i < 3; i++) {
      const loan = await pool.connect();
      await startAndClose(loan.stream(freshSql(), null, { batch_size: 100 }));
      expect(await loan.run("SELECT 'same loan'")).toEqual([["same loan"]]);
      loan.release();
      const result = await pool.query("SELECT :i::int AS i", { i });
      expect(result.rows).toEqual([{ i }]);
    }
    expect(pool.total).toBe(1);
  });
});
