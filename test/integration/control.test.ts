// Cancellation, per-query timeouts, notifications and notices, and the statement cache.
import { afterEach, describe, expect, it } from "vitest";
import { type DatabaseError, OperationalError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { superOptions, trustOptions, uniqueName } from "./helpers.js";

const open: Connection[] = [];
async function fresh(extra = {}): Promise<Connection> {
  const con = await connect(trustOptions(extra));
  open.push(con);
  return con;
}
afterEach(async () => {
  for (const con of open.splice(0)) if (!con.closed) await con.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("cancellation", () => {
  it("cancel() stops the running query with 57014 and the connection stays usable", async () => {
    const con = await fresh();
    const running = con.run("SELECT pg_sleep(10)").catch((e: unknown) => e);
    await sleep(200);
    await con.cancel();
    const err = await running;
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as DatabaseError).code).toBe("57014");
    expect(await con.run("SELECT 1")).toEqual([[1]]);
  });

  it("an AbortSignal cancels on the server", async () => {
    const con = await fresh();
    const started = Date.now();
    const err = await con
      .run("SELECT pg_sleep(10)", null, { signal: AbortSignal.timeout(300) })
      .catch((e: unknown) => e);
    expect((err as DatabaseError).code).toBe("57014");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await con.run("SELECT :x::int", { x: 2 })).toEqual([[2]]);
  });

  it("an already aborted signal: the query is not sent and fails with 57014", async () => {
    const con = await fresh();
    const controller = new AbortController();
    controller.abort();
    const started = Date.now();
    const err = await con.run("SELECT pg_sleep(10)", null, { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as DatabaseError).code).toBe("57014");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await con.run("SELECT 1")).toEqual([[1]]);
  });

  it("a signal aborted while the query waits behind another cancels it when it starts", async () => {
    const con = await fresh();
    const controller = new AbortController();
    const first = con.run("SELECT pg_sleep(0.3), 'first'");
    const second = con.run("SELECT pg_sleep(10)", null, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect(await first).toEqual([["", "first"]]);
    expect(((await second) as DatabaseError).code).toBe("57014");
  });

  it("an invalid per-query timeout is refused before anything is sent", async () => {
    const con = await fresh();
    await expect(con.run("SELECT 1", null, { timeout: -1 })).rejects.toThrow(/positive number of seconds/);
    expect(await con.run("SELECT 2")).toEqual([[2]]);
  });

  it("a per-query timeout cancels that query only; queries pipelined around it are unaffected", async () => {
    const con = await fresh();
    const before = con.run("SELECT pg_sleep(0.3), 'before'");
    const slow = con.run("SELECT pg_sleep(10)", null, { timeout: 0.2 });
    const after = con.run("SELECT 'after'");
    expect(await before).toEqual([["", "before"]]);
    expect(((await slow.catch((e: unknown) => e)) as DatabaseError).code).toBe("57014");
    expect(await after).toEqual([["after"]]);
  });

  it("a query that finishes before its timeout is not cancelled", async () => {
    const con = await fresh();
    expect(await con.run("SELECT :v::int", { v: 1 }, { timeout: 5 })).toEqual([[1]]);
  });
});

describe("notifications, notices and parameter statuses", () => {
  it("a notification arrives while the connection is idle, with unicode channel and payload", async () => {
    const listener = await fresh();
    const notifier = await fresh();
    const channel = uniqueName("ch_ünï");
    await listener.run(`LISTEN "${channel}"`);
    const received = new Promise((resolve) => listener.on("notification", resolve));
    await notifier.run("SELECT pg_notify(:c, :p)", { c: channel, p: "payload 💾" });
    const notification = await received;
    expect(notification).toEqual([notifier.backend_pid, channel, "payload 💾"]);
    expect(listener.notifications).toContainEqual([notifier.backend_pid, channel, "payload 💾"]);
  });

  it("the notifications queue keeps the newest 100", async () => {
    const con = await fresh();
    const channel = uniqueName("many");
    await con.run(`LISTEN ${channel}`);
    await con.run(`SELECT pg_notify('${channel}', g::text) FROM generate_series(1, 150) g`);
    expect(con.notifications.length).toBe(100);
    expect(con.notifications[0]![2]).toBe("51");
    expect(con.notifications[99]![2]).toBe("150");
  });

  it("notices are kept and reported", async () => {
    const con = await fresh();
    const seen: Record<string, string>[] = [];
    const off = con.on("notice", (n) => seen.push(n));
    await con.run("DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$");
    off();
    await con.run("DO $$ BEGIN RAISE NOTICE 'not seen'; END $$");
    expect(seen.map((n) => n.M)).toEqual(["hello 42"]);
    expect(con.notices.at(-1)!.M).toBe("not seen");
    expect(con.notices.at(-1)!.S).toBe("NOTICE");
  });

  it("parameter_statuses stay current", async () => {
    const con = await fresh();
    const changes: [string, string][] = [];
    con.on("parameter_status", (name, value) => changes.push([name, value]));
    await con.run("SET application_name = 'changed'");
    expect(con.parameter_statuses.application_name).toBe("changed");
    expect(changes).toContainEqual(["application_name", "changed"]);
    expect(con.parameter_statuses.server_version).toMatch(/^\d+/);
  });
});

describe("statement cache", () => {
  it("parameterised queries become named prepared statements, reused", async () => {
    const con = await fresh();
    for (let i = 0; i < 3; i++) await con.run("SELECT :v::int", { v: i });
    const rows = await con.run("SELECT statement FROM pg_prepared_statements WHERE statement = 'SELECT $1::int'");
    expect(rows).toEqual([["SELECT $1::int"]]);
  });

  it("is bounded: evicted statements are closed on the server", async () => {
    const con = await fresh({ statement_cache_size: 2 });
    for (let i = 0; i < 6; i++) await con.run(`SELECT :v::int + ${i}`, { v: i });
    await con.run("SELECT :v::int + 100", { v: 0 });
    const rows = await con.run("SELECT count(*) FROM pg_prepared_statements");
    expect(Number(rows![0]![0] as bigint)).toBeLessThanOrEqual(3);
  });

  it("statement_cache_size: 0 uses unnamed statements only", async () => {
    const con = await fresh({ statement_cache_size: 0 });
    expect(await con.run("SELECT :v::int", { v: 5 })).toEqual([[5]]);
    expect(await con.run("SELECT :v::int", { v: 6 })).toEqual([[6]]);
    expect(await con.run("SELECT count(*) FROM pg_prepared_statements")).toEqual([[0n]]);
  });

  it("re-prepares transparently when a table change alters the result type", async () => {
    const con = await fresh();
    const table = uniqueName("t_cache");
    await con.run(`CREATE TEMP TABLE ${table} (a int)`);
    await con.run(`INSERT INTO ${table} VALUES (1)`);
    const sql = `SELECT * FROM ${table} WHERE a = :a`;
    expect(await con.run(sql, { a: 1 })).toEqual([[1]]);
    expect(await con.run(sql, { a: 1 })).toEqual([[1]]);
    await con.run(`ALTER TABLE ${table} ADD COLUMN b text DEFAULT 'x'`);
    expect(await con.run(sql, { a: 1 })).toEqual([[1, "x"]]);
  });

  it("re-prepares when the server forgot the statement (DEALLOCATE ALL)", async () => {
    const con = await fresh();
    expect(await con.run("SELECT :v::text", { v: "a" })).toEqual([["a"]]);
    expect(await con.run("SELECT :v::text", { v: "b" })).toEqual([["b"]]);
    await con.run("DEALLOCATE ALL");
    expect(await con.run("SELECT :v::text", { v: "c" })).toEqual([["c"]]);
    // …and keeps using named statements: it knew they were all dropped (not a pooler's doing).
    const named = "SELECT statement FROM pg_prepared_statements WHERE statement = 'SELECT $1::text'";
    expect(await con.run(named)).toEqual([["SELECT $1::text"]]);
    await con.run("DISCARD ALL");
    expect(await con.run("SELECT :v::text", { v: "d" })).toEqual([["d"]]);
    expect(await con.run(named)).toEqual([["SELECT $1::text"]]);
  });

  it("inside a transaction the result-type error is raised (nothing can be retried there)", async () => {
    const con = await fresh();
    const table = uniqueName("t_cache_tx");
    await con.run(`CREATE TEMP TABLE ${table} (a int)`);
    const sql = `SELECT * FROM ${table} WHERE a = :a`;
    await con.run(sql, { a: 1 });
    await con.run(sql, { a: 1 });
    await con.run("BEGIN");
    await con.run(`ALTER TABLE ${table} ADD COLUMN b int`);
    const err = await con.run(sql, { a: 1 }).catch((e: unknown) => e);
    expect((err as DatabaseError).code).toBe("0A000");
    await con.run("ROLLBACK");
    expect(await con.run(sql, { a: 1 })).toEqual([]);
  });
});

describe("superuser-only", () => {
  it("pg_terminate_backend of an idle connection closes it", async () => {
    const con = await fresh();
    const admin = await connect(superOptions());
    open.push(admin);
    const closed = new Promise((resolve) => con.on("close", resolve));
    await admin.run("SELECT pg_terminate_backend(:p)", { p: con.backend_pid });
    const reason = await closed;
    expect(reason).toBeInstanceOf(OperationalError);
    expect(con.closed).toBe(true);
  });
});
