// Pool one-shot statements (pool.run / pool.query) pipelined on shared connections: exact results
// under hundreds of callers, errors that stay with their statement, statements that could leave
// a transaction open kept off shared connections, loans that never receive other callers'
// statements, the depth limit and acquire_timeout, close() draining, killed backends.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DataError, IntegrityError, InterfaceError, OperationalError, ProgrammingError } from "../../src/errors.js";
import { type Connection, connect, type Pool, type PoolOptions } from "../../src/native/index.js";
import { PIPELINE_DEPTH } from "../../src/pool/pool.js";
import { superOptions, uniqueName } from "./helpers.js";
import { countSessions, makeNamedPool } from "./pool-helpers.js";

let admin: Connection;
beforeAll(async () => {
  admin = await connect(superOptions());
});
afterAll(async () => {
  await admin.close();
});

function makePool(extra: Partial<PoolOptions> = {}): { pool: Pool; app: string } {
  return makeNamedPool("pool_shared", extra);
}

function serverSessions(app: string): Promise<number> {
  return countSessions(admin, app);
}

/** A pool statement that waits on an advisory lock the admin holds: everything behind it queues up. */
async function blocker(pool: Pool, key: number): Promise<{ blocked: Promise<unknown>; unblock: () => Promise<void> }> {
  await admin.run("SELECT pg_advisory_lock(:key::bigint)", { key });
  const blocked = pool.run("SELECT pg_advisory_xact_lock(:key::bigint), 'unblocked'", { key });
  await vi.waitFor(
    async () => {
      const rows = await admin.run(
        "SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objid = :key::bigint::oid AND NOT granted",
        { key },
      );
      expect(rows).toEqual([[1]]);
    },
    { timeout: 10_000 },
  );
  return { blocked, unblock: async () => void (await admin.run("SELECT pg_advisory_unlock(:key::bigint)", { key })) };
}

const settle = <T>(p: Promise<T>): Promise<T | Error> => p.catch((e: Error) => e);

describe("Pool one-shot statements on shared connections", () => {
  it("1000 callers on max 3: exact results, at most 3 sessions at any time", async () => {
    const { pool, app } = makePool({ max: 3 });
    let sampling = true;
    const samples: number[] = [];
    const sampler = (async () => {
      while (sampling) samples.push(await serverSessions(app));
    })();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        i % 2 === 0
          ? pool.query<{ i: number; pid: number }>("SELECT $1::int AS i, pg_backend_pid() AS pid", [i])
          : pool.query<{ i: number; pid: number }>("SELECT :i::int AS i, pg_backend_pid() AS pid", { i }),
      ),
    );
    sampling = false;
    await sampler;
    results.forEach((r, i) => expect(r.rows[0]!.i).toBe(i));
    expect(new Set(results.map((r) => r.rows[0]!.pid)).size).toBeLessThanOrEqual(3);
    expect(Math.max(...samples)).toBeLessThanOrEqual(3);
    expect(pool.total).toBeLessThanOrEqual(3);
    await pool.close();
    expect(await serverSessions(app)).toBe(0);
  });

  it("errors stay with their statement: pipelined neighbours succeed, their writes are committed", async () => {
    const { pool } = makePool({ max: 1 });
    const table = uniqueName("t_shared_err");
    await pool.run(`CREATE TABLE ${table} (k int PRIMARY KEY)`);
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        switch (i % 5) {
          case 1: // a runtime error (the statement is parsed and bound, then fails)
            return settle(pool.run("SELECT $1::int / ($1::int - $1::int)", [i]));
          case 2: // a parse error (a new statement's describe fails)
            return settle(pool.run("SELECT $1::int + no_such_column", [i]));
          case 3: // a duplicate key: every 3rd row of this kind is a repeat of the one before
            return settle(pool.run(`INSERT INTO ${table} VALUES ($1) RETURNING k`, [Math.floor(i / 15)]));
          default:
            return settle(pool.run("SELECT $1::int", [i]));
        }
      }),
    );
    let inserted = 0;
    outcomes.forEach((outcome, i) => {
      if (i % 5 === 1) expect(outcome).toBeInstanceOf(DataError);
      else if (i % 5 === 2) expect(outcome).toBeInstanceOf(ProgrammingError);
      else if (i % 5 === 3) {
        const first = i % 15 === 3;
        if (first) {
          expect(outcome).toEqual([[Math.floor(i / 15)]]);
          inserted++;
        } else expect(outcome).toBeInstanceOf(IntegrityError);
      } else expect(outcome).toEqual([[i]]);
    });
    // Each statement was its own transaction: the failures rolled back nothing of the others.
    expect(await admin.run(`SELECT count(*)::int FROM ${table}`)).toEqual([[inserted]]);
    // A value refused before anything is sent: the caller's error, nothing left counted in flight.
    await expect(pool.run("SELECT :a::int + :b::int", { a: 1 })).rejects.toBeInstanceOf(InterfaceError);
    expect([pool.total, pool.idle]).toEqual([1, 1]);
    await pool.run(`DROP TABLE ${table}`);
    await pool.close();
  });

  it("a one-shot BEGIN never lets other callers' statements run inside its transaction", async () => {
    const { pool, app } = makePool({ max: 1 });
    const table = uniqueName("t_shared_begin");
    await pool.run(`CREATE TABLE ${table} (k int)`);
    const calls = [
      pool.run(`INSERT INTO ${table} VALUES (1)`),
      pool.run("BEGIN; SELECT pg_backend_pid()"),
      pool.run(`INSERT INTO ${table} VALUES (2)`),
      pool.run("START TRANSACTION"),
      pool.run(`INSERT INTO ${table} VALUES (3)`),
      pool.run(`SELECT 1; BEGIN`),
      pool.run(`INSERT INTO ${table} VALUES (4)`),
    ];
    const results = await Promise.all(calls);
    const beganOn = results[1]![0]![0] as number;
    // The inserts are committed: none ran inside a transaction left open by another caller.
    expect(await admin.run(`SELECT k FROM ${table} ORDER BY k`)).toEqual([[1], [2], [3], [4]]);
    // Every connection left in a transaction was closed, not used again.
    const pid = (await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    expect(pid).not.toBe(beganOn);
    await vi.waitFor(async () => expect(await serverSessions(app)).toBe(1), { timeout: 5000 });
    const inTransaction = await admin.run(
      "SELECT count(*)::int FROM pg_stat_activity WHERE application_name = :app AND state LIKE 'idle in transaction%'",
      { app },
    );
    expect(inTransaction).toEqual([[0]]);
    await pool.run(`DROP TABLE ${table}`);
    await pool.close();
  });

  it("a connection is lent only after its one-shot statements are answered, and gets none while lent", async () => {
    const { pool } = makePool({ max: 1 });
    const key = 8_100_001;
    const { blocked, unblock } = await blocker(pool, key);
    const settled: string[] = [];
    const pipelined = Array.from({ length: 5 }, (_, i) =>
      pool.run("SELECT :i::int", { i }).then((r) => settled.push(`one-shot ${String(r![0]![0])}`)),
    );
    const lent = pool.connect().then((con) => {
      settled.push("lent");
      return con;
    });
    const later = pool.run("SELECT 'later'").then((r) => settled.push(String(r![0]![0])));
    // The connect() and the statement after it wait: the session still has statements in flight.
    expect(pool.waiting).toBe(2);
    await unblock();
    const con = await lent;
    await Promise.all([blocked, ...pipelined]);
    // Lent once the last of them was answered (its caller's continuation may run just after).
    expect(settled.slice(0, 4)).toEqual(["one-shot 0", "one-shot 1", "one-shot 2", "one-shot 3"]);
    expect(new Set(settled)).toEqual(new Set(["one-shot 4", "lent", ...settled.slice(0, 4)]));
    // Held: the statement after it waits in line instead of running on the lent session.
    await con.run("BEGIN");
    await con.run("SELECT 1");
    expect(pool.waiting).toBe(1);
    expect(settled).not.toContain("later");
    await con.run("COMMIT");
    con.release();
    await Promise.all([...pipelined, later]);
    expect(settled.at(-1)).toBe("later");
    await pool.close();
  });

  it("with a connection lent and room for another, one-shots run on the other one", async () => {
    const { pool } = makePool({ max: 2 });
    const con = await pool.connect();
    await con.run("BEGIN");
    const pids = await Promise.all(
      Array.from(
        { length: 50 },
        async () => (await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid,
      ),
    );
    expect(new Set(pids)).toEqual(new Set([pids[0]]));
    expect(pids[0]).not.toBe(con.backend_pid);
    await con.run("ROLLBACK");
    con.release();
    await pool.close();
  });

  it(`at most ${PIPELINE_DEPTH} deep per connection; past that callers wait in line, in order, under acquire_timeout`, async () => {
    const { pool } = makePool({ max: 1, acquire_timeout: 0.5 });
    const key = 8_100_002;
    const { blocked, unblock } = await blocker(pool, key);
    const order: number[] = [];
    // The blocker and PIPELINE_DEPTH - 1 more are sent; the rest wait for room.
    const sent = Array.from({ length: PIPELINE_DEPTH - 1 }, (_, i) =>
      pool.run("SELECT :i::int", { i }).then((r) => order.push(r![0]![0] as number)),
    );
    expect(pool.waiting).toBe(0);
    const waiting = settle(pool.run("SELECT 'too late'"));
    expect(pool.waiting).toBe(1);
    const error = await waiting;
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as Error).message).toMatch(/^no pool connection within acquire_timeout \(0\.5 s\)/);
    expect(pool.waiting).toBe(0);
    // Queued again, now behind a full pipeline: served in the order they came once there is room.
    const queued = Array.from({ length: 20 }, (_, i) =>
      pool.run("SELECT :i::int", { i: 100 + i }).then((r) => order.push(r![0]![0] as number)),
    );
    expect(pool.waiting).toBe(20);
    await unblock();
    await Promise.all([blocked, ...sent, ...queued]);
    expect(order).toEqual([
      ...Array.from({ length: PIPELINE_DEPTH - 1 }, (_, i) => i),
      ...Array.from({ length: 20 }, (_, i) => 100 + i),
    ]);
    await pool.close();
  });

  it("close() lets the statements already sent finish, rejects those still waiting, then closes", async () => {
    const { pool, app } = makePool({ max: 1 });
    const key = 8_100_003;
    const { blocked, unblock } = await blocker(pool, key);
    const sent = Array.from({ length: PIPELINE_DEPTH - 1 }, (_, i) => pool.run("SELECT :i::int", { i }));
    const waiting = Array.from({ length: 3 }, () => settle(pool.run("SELECT 'never'")));
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    for (const outcome of await Promise.all(waiting)) {
      expect(outcome).toEqual(new InterfaceError("the pool was closed while this caller waited for a connection"));
    }
    await expect(pool.run("SELECT 1")).rejects.toThrow(new InterfaceError("the pool is closed"));
    expect(closed).toBe(false);
    await unblock();
    expect(await blocked).toEqual([["", "unblocked"]]);
    expect(await Promise.all(sent)).toEqual(Array.from({ length: PIPELINE_DEPTH - 1 }, (_, i) => [[i]]));
    await closing;
    expect(pool.total).toBe(0);
    expect(await serverSessions(app)).toBe(0);
  });

  it("a backend killed with statements pipelined: exactly those fail with OperationalError, a new one takes over", async () => {
    const { pool, app } = makePool({ max: 1 });
    const key = 8_100_004;
    const { blocked } = await blocker(pool, key);
    const pid = (await admin.run("SELECT pid FROM pg_stat_activity WHERE application_name = :app", {
      app,
    }))![0]![0] as number;
    const behind = Array.from({ length: 10 }, (_, i) => settle(pool.run("SELECT :i::int", { i })));
    // Settled before the kill: the pool's FATAL may arrive before pg_terminate_backend's own answer.
    const killed = settle(blocked);
    expect(await admin.run("SELECT pg_terminate_backend(:pid::int)", { pid })).toEqual([[true]]);
    const outcomes = await Promise.all([killed, ...behind]);
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(OperationalError);
    await admin.run("SELECT pg_advisory_unlock(:key::bigint)", { key });
    // Replaced: later callers get exact results on a new session.
    const after = await Promise.all(
      Array.from(
        { length: 30 },
        async (_, i) =>
          (await pool.query<{ i: number; pid: number }>("SELECT $1::int AS i, pg_backend_pid() AS pid", [i])).rows[0]!,
      ),
    );
    after.forEach((row, i) => expect(row.i).toBe(i));
    expect(after.every((row) => row.pid !== pid)).toBe(true);
    expect(pool.total).toBe(1);
    await pool.close();
  });

  it("killed mid-load on max 2 with loans and transactions mixed in: each caller exact or OperationalError", async () => {
    const { pool, app } = makePool({ max: 2 });
    const table = uniqueName("t_shared_kill");
    await pool.run(`CREATE TABLE ${table} (k int PRIMARY KEY)`);
    let killing = true;
    const killer = (async () => {
      let kills = 0;
      while (killing) {
        const rows = await admin.run(
          "SELECT count(*)::int FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = :app AND state = 'active') k",
          { app },
        );
        kills += rows![0]![0] as number;
        await new Promise((r) => setTimeout(r, 20));
      }
      return kills;
    })();
    const outcomes = await Promise.all(
      Array.from({ length: 400 }, (_, i) => {
        if (i % 20 === 0) {
          return settle(
            pool.transaction(async (con) => {
              await con.run(`INSERT INTO ${table} VALUES (:i)`, { i });
              return [[i]];
            }),
          );
        }
        return settle(pool.run("SELECT :i::int, pg_sleep(0.001)", { i }).then((rows) => [[rows![0]![0]]]));
      }),
    );
    killing = false;
    expect(await killer).toBeGreaterThan(0);
    let failed = 0;
    outcomes.forEach((outcome, i) => {
      if (outcome instanceof Error) {
        failed++;
        expect(outcome).toBeInstanceOf(OperationalError);
      } else expect(outcome).toEqual([[i]]);
    });
    expect(failed).toBeLessThan(400);
    // A transaction reported committed is there; one that failed is not.
    const committed = outcomes.flatMap((o, i) => (i % 20 === 0 && !(o instanceof Error) ? [[i]] : []));
    const present = await admin.run(`SELECT k FROM ${table} ORDER BY k`);
    for (const row of committed) expect(present).toContainEqual(row);
    expect(pool.total).toBeLessThanOrEqual(2);
    await pool.run(`DROP TABLE ${table}`);
    await pool.close();
  });

  it("a one-shot with timeout cancels only itself; COPY through pool.run still works", async () => {
    const { pool } = makePool({ max: 1 });
    const table = uniqueName("t_shared_copy");
    await pool.run(`CREATE TABLE ${table} (k int)`);
    const [slow, ...quick] = await Promise.all([
      settle(pool.run("SELECT pg_sleep(30)", null, { timeout: 0.2 })),
      ...Array.from({ length: 20 }, (_, i) => pool.run("SELECT :i::int", { i })),
    ]);
    expect(slow).toBeInstanceOf(OperationalError);
    expect((slow as OperationalError).code).toBe("57014");
    expect(quick).toEqual(Array.from({ length: 20 }, (_, i) => [[i]]));
    await pool.run(`COPY ${table} FROM STDIN`, null, { stream: ["1\n2\n", "3\n"] });
    expect(await pool.run(`SELECT sum(k)::int FROM ${table}`)).toEqual([[6]]);
    await pool.run(`DROP TABLE ${table}`);
    await pool.close();
  });

  it("statements prepared on successive loans of one session never collide", async () => {
    const { pool } = makePool({ max: 1 });
    const first = await pool.connect();
    const pid = first.backend_pid;
    const a = await first.prepare("SELECT :x::int + 1");
    expect(await a.run({ x: 1 })).toEqual([[2]]);
    first.release(); // its statement stays on the session, unclosed
    const second = await pool.connect();
    expect(second.backend_pid).toBe(pid);
    const b = await second.prepare("SELECT :x::text || '!'");
    expect(await b.run({ x: "b" })).toEqual([["b!"]]);
    second.release();
    await pool.close();
  });

  it("listeners added through a loan hear only that loan's time with the session", async () => {
    const { pool } = makePool({ max: 1 });
    const con = await pool.connect();
    const heard: string[] = [];
    con.on("notice", (fields) => heard.push(String(fields.M)));
    await con.run("DO $$ BEGIN RAISE NOTICE 'during the loan'; END $$");
    con.release();
    // The same session, lent again: the first loan's listener was removed at release().
    const again = await pool.connect();
    await again.run("DO $$ BEGIN RAISE NOTICE 'after it'; END $$");
    again.release();
    expect(heard).toEqual(["during the loan"]);
    await pool.close();
  });

  it("a connection never idle (one-shots pipelined all the time) is still replaced after max_lifetime", async () => {
    const { pool, app } = makePool({ max: 1, max_lifetime: 0.3 });
    const pids = new Set<number>();
    let sessions = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, c) => {
        for (let i = 0; pids.size < 2; i++) {
          const { rows } = await pool.query<{ n: number; pid: number }>(
            "SELECT $1::int AS n, pg_backend_pid() AS pid",
            [c * 1_000_000 + i],
          );
          expect(rows[0]!.n).toBe(c * 1_000_000 + i);
          pids.add(rows[0]!.pid);
          if (c === 0 && i % 50 === 0) sessions = Math.max(sessions, await serverSessions(app));
        }
      }),
    );
    expect(pids.size).toBe(2);
    expect(sessions).toBeLessThanOrEqual(1);
    expect(pool.total).toBeLessThanOrEqual(1);
    await pool.close();
  });
});
