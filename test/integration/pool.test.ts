// Pool: fair waiting, acquire_timeout, recycling, discarding broken or mid-transaction
// connections, transactions, close(), under load and with connections killed by the server.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InterfaceError, OperationalError, ProgrammingError } from "../../src/errors.js";
import { BIGINT, type Connection, connect, Pool, type PoolOptions } from "../../src/native/index.js";
import { superOptions, trustOptions, uniqueName } from "./helpers.js";
import { countSessions, makeNamedPool } from "./pool-helpers.js";

let admin: Connection;
beforeAll(async () => {
  admin = await connect(superOptions());
});
afterAll(async () => {
  await admin.close();
});

function makePool(extra: Partial<PoolOptions> = {}): { pool: Pool; app: string } {
  return makeNamedPool("pool", extra);
}

function serverSessions(app: string): Promise<number> {
  return countSessions(admin, app);
}

/** Terminates the pool's sessions (only those running a query, with `busy`); resolves to how many. */
async function killSessions(app: string, busy = false): Promise<number> {
  const rows = await admin.run(
    `SELECT count(*)::int FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
      WHERE application_name = :app ${busy ? "AND state = 'active'" : ""}) k`,
    { app },
  );
  return rows![0]![0] as number;
}

describe("Pool options", () => {
  it("rejects bad sizes and times with what to fix", () => {
    expect(() => new Pool({ ...trustOptions(), max: 0 })).toThrow(
      new InterfaceError("pool option 'max' must be a positive integer, got 0"),
    );
    expect(() => new Pool({ ...trustOptions(), max: 2, min: 3 })).toThrow(
      new InterfaceError("pool option 'min' must be an integer from 0 to max (2), got 3"),
    );
    expect(() => new Pool({ ...trustOptions(), idle_timeout: -1 })).toThrow(
      new InterfaceError("pool option 'idle_timeout' must be a number of seconds (0 = no limit), got -1"),
    );
  });

  it("a bad connect option reaches the caller as the connect error", async () => {
    const pool = new Pool({ ...trustOptions(), port: 0 });
    await expect(pool.run("SELECT 1")).rejects.toBeInstanceOf(InterfaceError);
    expect(pool.total).toBe(0);
    await pool.close();
  });
});

describe("Pool", () => {
  it("run() and query() on a free connection; total / idle / waiting", async () => {
    const { pool } = makePool();
    expect([pool.total, pool.idle, pool.waiting]).toEqual([0, 0, 0]);
    expect(await pool.run("SELECT :a::int + 1", { a: 1 })).toEqual([[2]]);
    expect(await pool.query("SELECT 'x' AS letter")).toEqual({
      rows: [{ letter: "x" }],
      fields: [expect.objectContaining({ name: "letter", type_oid: 25 })],
      command: "SELECT",
      row_count: 1,
    });
    expect((await pool.query("SELECT 1, 2", null, { row_mode: "array" })).rows).toEqual([[1, 2]]);
    expect([pool.total, pool.idle, pool.waiting]).toEqual([1, 1, 0]);
    await pool.close();
  });

  it("500 concurrent callers on max 10: every result exact, never more than 10 sessions", async () => {
    const { pool, app } = makePool({ max: 10 });
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const { rows } = await pool.query<{ i: number; square: string }>(
          "SELECT $1::int AS i, ($1::int * $1::int)::text AS square",
          [i],
        );
        most = Math.max(most, pool.total);
        return rows;
      }),
    );
    results.forEach((rows, i) => expect(rows).toEqual([{ i, square: String(i * i) }]));
    expect(most).toBeLessThanOrEqual(10);
    // One-shot statements are pipelined on the connections already open, so under load the
    // answers may all come before the last of the 10 sessions has finished logging in.
    await vi.waitFor(async () => expect(await serverSessions(app)).toBe(10), { timeout: 10_000, interval: 50 });
    expect([pool.total, pool.waiting]).toEqual([10, 0]);
    await pool.close();
    expect(await serverSessions(app)).toBe(0);
  });

  it("waiting callers are served first come, first served", async () => {
    const { pool } = makePool({ max: 1 });
    const held = await pool.connect();
    const order: number[] = [];
    const callers = [1, 2, 3, 4].map(async (n) => {
      const con = await pool.connect();
      order.push(n);
      await con.run("SELECT 1");
      con.release();
    });
    await vi.waitFor(() => expect(pool.waiting).toBe(4));
    held.release();
    await Promise.all(callers);
    expect(order).toEqual([1, 2, 3, 4]);
    await pool.close();
  });

  it("acquire_timeout: OperationalError, the caller leaves the queue, the pool keeps working", async () => {
    const { pool } = makePool({ max: 1, acquire_timeout: 0.2 });
    const held = await pool.connect();
    const error = await pool.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as Error).message).toBe(
      "no pool connection within acquire_timeout (0.2 s): all 1 were in use or could not be opened; " +
        "release connections sooner, or raise max or acquire_timeout",
    );
    expect(pool.waiting).toBe(0);
    held.release();
    expect(await pool.run("SELECT 1")).toEqual([[1]]);
    await pool.close();
  });

  it("connect() lends a native connection until release(); the loan is dead afterwards", async () => {
    const { pool } = makePool();
    const con = await pool.connect();
    const pid = con.backend_pid;
    expect((await con.query("SELECT pg_backend_pid() AS pid")).rows).toEqual([{ pid }]);
    con.release();
    con.release(); // twice: nothing happens
    await expect(con.run("SELECT 1")).rejects.toThrow(/released to the pool/);
    expect(() => con.stream("SELECT 1")).toThrow(InterfaceError);
    const again = await pool.connect();
    expect(again).not.toBe(con);
    expect(again.backend_pid).toBe(pid);
    again.release();
    await pool.close();
  });

  it("await using releases the connection at the end of the block", async () => {
    const { pool } = makePool();
    {
      await using con = await pool.connect();
      expect(await con.run("SELECT 1")).toEqual([[1]]);
      expect(pool.idle).toBe(0);
    }
    expect([pool.total, pool.idle]).toEqual([1, 1]);
    await pool.close();
  });

  it("a connection released mid-transaction is closed, not lent again", async () => {
    const { pool, app } = makePool();
    const con = await pool.connect();
    const pid = con.backend_pid;
    await con.run("BEGIN");
    await con.run("CREATE TEMP TABLE half_done (x int)");
    con.release();
    expect(pool.idle).toBe(0);
    await vi.waitFor(async () => expect(await serverSessions(app)).toBe(0), { timeout: 5000 });
    await vi.waitFor(() => expect(pool.total).toBe(0), { timeout: 5000 });
    const next = await pool.connect();
    expect(next.backend_pid).not.toBe(pid);
    expect(await next.run("SELECT to_regclass('pg_temp.half_done') IS NULL")).toEqual([[true]]);
    next.release();
    await pool.close();
  });

  it("released with a query or a stream unfinished: the query ends, the stream is closed, then the connection", async () => {
    const { pool, app } = makePool();
    const con = await pool.connect();
    const pid = con.backend_pid;
    const running = con.run("SELECT pg_sleep(0.3), 'finished'");
    con.release();
    expect([pool.total, pool.idle]).toEqual([1, 0]);
    expect(await running).toEqual([["", "finished"]]);
    await vi.waitFor(() => expect(pool.total).toBe(0), { timeout: 5000 });
    const streaming = await pool.connect();
    expect(streaming.backend_pid).not.toBe(pid);
    const stream = streaming.stream("SELECT generate_series(1, 10)", null, { batch_size: 2 });
    expect((await stream.next()).value).toEqual([1]);
    streaming.release();
    expect((await stream.next()).done).toBe(true);
    await vi.waitFor(() => expect(pool.total).toBe(0), { timeout: 5000 });
    expect(await serverSessions(app)).toBe(0);
    expect(await pool.run("SELECT 'fresh'")).toEqual([["fresh"]]);
    await pool.close();
  });

  it("a connection closed by its holder is dropped and replaced", async () => {
    const { pool } = makePool({ max: 1 });
    const con = await pool.connect();
    await con.close();
    expect(pool.total).toBe(0);
    expect(await pool.run("SELECT 2")).toEqual([[2]]);
    await pool.close();
  });

  it("transaction(): commits and returns the callback's value", async () => {
    const { pool } = makePool();
    const table = uniqueName("t_pool_tx");
    await pool.run(`CREATE TABLE ${table} (x int)`);
    const value = await pool.transaction(async (con) => {
      await con.run(`INSERT INTO ${table} VALUES (1), (2)`);
      return "done";
    });
    expect(value).toBe("done");
    expect(await pool.run(`SELECT sum(x)::int FROM ${table}`)).toEqual([[3]]);
    await pool.run(`DROP TABLE ${table}`);
    await pool.close();
  });

  it("transaction(): a throw rolls back and rethrows; the connection stays usable", async () => {
    const { pool } = makePool({ max: 1 });
    const table = uniqueName("t_pool_tx");
    await pool.run(`CREATE TABLE ${table} (x int)`);
    const pid = (await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    const failure = new Error("changed my mind");
    await expect(
      pool.transaction(async (con) => {
        await con.run(`INSERT INTO ${table} VALUES (1)`);
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(
      pool.transaction(async (con) => {
        await con.run(`INSERT INTO ${table} VALUES (2)`);
        await con.run("SELECT * FROM no_such_table_here");
      }),
    ).rejects.toBeInstanceOf(ProgrammingError);
    expect(await pool.run(`SELECT count(*)::int FROM ${table}`)).toEqual([[0]]);
    expect((await pool.query("SELECT pg_backend_pid() AS pid")).rows).toEqual([{ pid }]);
    await pool.run(`DROP TABLE ${table}`);
    await pool.close();
  });

  it("idle_timeout closes idle connections; min keeps some open", async () => {
    const { pool, app } = makePool({ idle_timeout: 0.2, min: 1 });
    await vi.waitFor(() => expect(pool.total).toBe(1));
    await Promise.all([1, 2, 3].map(() => pool.run("SELECT pg_sleep(0.05)")));
    expect(pool.total).toBe(3);
    await vi.waitFor(() => expect([pool.total, pool.idle]).toEqual([1, 1]), { timeout: 3000 });
    expect(await serverSessions(app)).toBe(1);
    await pool.close();
  });

  it("max_lifetime: an old connection is closed when released and replaced when idle", async () => {
    const { pool } = makePool({ max_lifetime: 1, idle_timeout: 0 });
    const first = await pool.connect();
    const pid = first.backend_pid;
    await new Promise((r) => setTimeout(r, 1050));
    first.release();
    expect(pool.idle).toBe(0);
    await vi.waitFor(() => expect(pool.total).toBe(0), { timeout: 5000 });
    const second = await pool.connect();
    expect(second.backend_pid).not.toBe(pid);
    second.release();
    expect(pool.idle).toBe(1);
    // Idle past its lifetime: closed by the pool's timer, with nobody asking.
    await vi.waitFor(() => expect(pool.total).toBe(0), { timeout: 3000 });
    await pool.close();
  });

  it("close() rejects waiters, waits for lent connections, then closes everything", async () => {
    const { pool, app } = makePool({ max: 1 });
    const held = await pool.connect();
    const waiter = pool.connect();
    const closed = pool.close();
    await expect(waiter).rejects.toThrow(
      new InterfaceError("the pool was closed while this caller waited for a connection"),
    );
    let done = false;
    void closed.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    expect(await held.run("SELECT 'still mine'")).toEqual([["still mine"]]);
    held.release();
    await closed;
    expect(pool.total).toBe(0);
    expect(await serverSessions(app)).toBe(0);
    await expect(pool.connect()).rejects.toThrow(new InterfaceError("the pool is closed"));
  });

  it("on_connect sets up each new connection once, e.g. int8 (BIGINT) as number", async () => {
    let calls = 0;
    const { pool } = makePool({
      max: 2,
      on_connect: async (con) => {
        calls++;
        con.register_in_adapter(BIGINT, Number);
        await con.run("SET TIME ZONE 'Asia/Tokyo'");
      },
    });
    // Both connections at once, so both are opened.
    const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
    for (const con of [a, b]) {
      expect(
        (await con.query("SELECT count(*) AS n, current_setting('TimeZone') AS tz FROM generate_series(1, 3)")).rows,
      ).toEqual([{ n: 3, tz: "Asia/Tokyo" }]);
      con.release();
    }
    expect((await pool.query("SELECT 5::int8 AS n")).rows).toEqual([{ n: 5 }]);
    expect(calls).toBe(2);
    await pool.close();
  });

  it("an on_connect that throws: the caller gets its error, the connection is closed", async () => {
    const failure = new Error("setup failed");
    const { pool, app } = makePool({
      on_connect: () => {
        throw failure;
      },
    });
    await expect(pool.run("SELECT 1")).rejects.toBe(failure);
    expect(pool.total).toBe(0);
    await vi.waitFor(async () => expect(await serverSessions(app)).toBe(0), { timeout: 5000 });
    await pool.close();
  });

  it("await using closes the pool", async () => {
    let app: string;
    {
      const made = makePool();
      app = made.app;
      await using pool = made.pool;
      await pool.run("SELECT 1");
    }
    expect(await serverSessions(app)).toBe(0);
  });
});

describe("Pool with connections killed by the server", () => {
  it("idle connections terminated by pg_terminate_backend are dropped; the next callers get new ones", async () => {
    const { pool, app } = makePool({ max: 4 });
    const held = await Promise.all([1, 2, 3, 4].map(() => pool.connect()));
    for (const con of held) con.release();
    expect(pool.idle).toBe(4);
    expect(await killSessions(app)).toBe(4);
    await vi.waitFor(() => expect(pool.total).toBe(0), { timeout: 5000 });
    const rows = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => pool.run("SELECT :i::int", { i })));
    expect(rows).toEqual([1, 2, 3, 4, 5, 6].map((i) => [[i]]));
    await pool.close();
  });

  it("killed mid-query under load: those callers get OperationalError, all others exact results", async () => {
    const { pool, app } = makePool({ max: 8 });
    let killing = true;
    const killer = (async () => {
      let kills = 0;
      while (killing) {
        kills += await killSessions(app, true);
        await new Promise((r) => setTimeout(r, 30));
      }
      return kills;
    })();
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        pool.query<{ i: number }>("SELECT $1::int AS i, pg_sleep(0.005)", [i]).then(
          (r) => r.rows[0]!.i,
          (e: unknown) => e,
        ),
      ),
    );
    killing = false;
    expect(await killer).toBeGreaterThan(0);
    let failed = 0;
    outcomes.forEach((outcome, i) => {
      if (typeof outcome === "number") expect(outcome).toBe(i);
      else {
        failed++;
        expect(outcome).toBeInstanceOf(OperationalError);
      }
    });
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(300);
    // Afterwards the pool is whole again.
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run("SELECT :i::int", { i })));
    expect(after).toEqual(Array.from({ length: 20 }, (_, i) => [[i]]));
    expect(pool.total).toBeLessThanOrEqual(8);
    await pool.close();
  });
});
