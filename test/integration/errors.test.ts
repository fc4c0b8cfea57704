import { afterEach, describe, expect, it } from "vitest";
import * as errors from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { superOptions, trustOptions } from "./helpers.js";

const open: Connection[] = [];
async function fresh(): Promise<Connection> {
  const con = await connect(trustOptions());
  open.push(con);
  return con;
}
afterEach(async () => {
  for (const con of open.splice(0)) if (!con.closed) await con.close();
});

describe("server errors", () => {
  it.each([
    ["SELECT 1/0", errors.DataError, "22012"],
    ["SELECT * FROM no_such_table_xyz", errors.ProgrammingError, "42P01"],
    ["SELEC 1", errors.ProgrammingError, "42601"],
    ["CREATE TEMP TABLE u (x int UNIQUE); INSERT INTO u VALUES (1), (1)", errors.IntegrityError, "23505"],
    ["SELECT count(*) FROM pg_class FOR UPDATE", errors.NotSupportedError, "0A000"],
  ])("%s → %o with its SQLSTATE and fields", async (sql, cls, code) => {
    const con = await fresh();
    const err = await con.run(sql).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(errors.DatabaseError);
    const e = err as errors.DatabaseError;
    expect(e.code).toBe(code);
    expect(e.fields.C).toBe(code);
    expect(e.fields.S).toBe("ERROR");
    expect(e.message).toBe(e.fields.M);
    expect(e.args).toEqual([e.fields]);
    // raised after ReadyForQuery: the connection goes on
    expect(await con.run("SELECT 'still usable'")).toEqual([["still usable"]]);
  });

  it("errors from parameterised queries keep the connection usable, including the statement cache", async () => {
    const con = await fresh();
    await expect(con.run("SELECT :v::int / 0", { v: 1 })).rejects.toThrow(errors.DataError);
    await expect(con.run("SELECT :v::int / 0", { v: 1 })).rejects.toThrow(errors.DataError);
    expect(await con.run("SELECT :v::int / 1", { v: 5 })).toEqual([[5]]);
    await expect(con.run("SELECT :v::nosuchtype", { v: 1 })).rejects.toThrow(errors.ProgrammingError);
    await expect(con.run("SELECT :v::nosuchtype", { v: 1 })).rejects.toThrow(/nosuchtype/);
  });

  it("a bad parameter value is a DataError and changes nothing else", async () => {
    const con = await fresh();
    const err = await con.run("SELECT :v::int", { v: "abc" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.DataError);
    expect((err as errors.DatabaseError).code).toBe("22P02");
    expect(await con.run("SELECT :v::int", { v: "12" })).toEqual([[12]]);
  });
});

describe("client-side failures while reading a response", () => {
  it("a throwing in-adapter fails its own query only; later results are not shifted", async () => {
    const con = await fresh();
    con.register_in_adapter(25, (s) => {
      if (s === "boom") throw new Error("adapter failed");
      return s.toUpperCase();
    });
    await expect(con.run("SELECT 'ok' UNION ALL SELECT 'boom' UNION ALL SELECT 'after'")).rejects.toThrow(
      "adapter failed",
    );
    expect(await con.run("SELECT 'next'::text")).toEqual([["NEXT"]]);
    expect(await con.run("SELECT :v::text", { v: "x" })).toEqual([["X"]]);
  });

  it("a throwing out-adapter fails before anything is sent", async () => {
    const con = await fresh();
    class Money {
      constructor(readonly cents: number) {}
    }
    con.register_out_adapter(Money, (m: Money) => {
      if (m.cents < 0) throw new Error("negative money");
      return String(m.cents / 100);
    });
    await expect(con.run("SELECT :v::numeric", { v: new Money(-1) })).rejects.toThrow("negative money");
    expect(await con.run("SELECT :v::numeric", { v: new Money(250) })).toEqual([["2.5"]]);
    expect(await con.run("SELECT 2")).toEqual([[2]]);
  });

  it("more than 65535 parameters → InterfaceError, connection intact", async () => {
    const con = await fresh();
    const params = Array.from({ length: 65536 }, (_, i) => i);
    const sql = `SELECT ${params.map((_, i) => `$${i + 1}`).join(",")}`;
    await expect(con.run(sql, params)).rejects.toThrow(/too many parameters/);
    expect(await con.run("SELECT 1")).toEqual([[1]]);
  });
});

describe("network failures and closing", () => {
  it("a terminated backend → OperationalError, closed === true, later use → InterfaceError", async () => {
    const victim = await fresh();
    const pid = victim.backend_pid;
    const admin = await connect(superOptions());
    open.push(admin);
    // Caught at once: the victim's FATAL may arrive before pg_terminate_backend's own answer.
    const pending = victim.run("SELECT pg_sleep(30)").catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await admin.run("SELECT pg_terminate_backend(:pid)", { pid });
    const err = await pending;
    expect(err).toBeInstanceOf(errors.OperationalError);
    expect((err as errors.DatabaseError).code).toBe("57P01");
    expect(victim.closed).toBe(true);
    await expect(victim.run("SELECT 1")).rejects.toThrow(new errors.InterfaceError("connection is closed"));
  });

  it("a backend terminated while it parses (before any result): every waiting request gets the server's reason", async () => {
    const table = `fatal_parse_${process.pid}`;
    const locker = await connect(superOptions());
    const watcher = await connect(superOptions());
    open.push(locker, watcher);
    await locker.run(`CREATE TABLE IF NOT EXISTS ${table} (x int)`);
    await locker.run("BEGIN");
    await locker.run(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    try {
      const victim = await fresh();
      // Parse waits for the lock; the second query waits behind the first.
      const first = victim.run(`SELECT * FROM ${table}`).catch((e: unknown) => e);
      const second = victim.run("SELECT :v::int", { v: 1 }).catch((e: unknown) => e);
      const blocked = async () =>
        (
          await watcher.run("SELECT wait_event FROM pg_stat_activity WHERE pid = :pid", { pid: victim.backend_pid })
        )?.[0]?.[0];
      for (let i = 0; i < 200 && (await blocked()) !== "relation"; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await blocked()).toBe("relation");
      await watcher.run("SELECT pg_terminate_backend(:pid)", { pid: victim.backend_pid });
      for (const err of [await first, await second]) {
        expect(err).toBeInstanceOf(errors.OperationalError);
        expect((err as errors.DatabaseError).code).toBe("57P01");
        expect((err as Error).message).toMatch(/terminating connection due to administrator command/);
      }
      expect(victim.closed).toBe(true);
    } finally {
      await locker.run("ROLLBACK");
      await locker.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });

  it("timeout: a query the server does not answer in time closes the connection with OperationalError", async () => {
    const con = await connect(trustOptions({ timeout: 0.5 }));
    open.push(con);
    expect(await con.run("SELECT 1")).toEqual([[1]]);
    await new Promise((r) => setTimeout(r, 700)); // idle time does not count
    expect(await con.run("SELECT 2")).toEqual([[2]]);
    const err = await con.run("SELECT pg_sleep(5)").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.OperationalError);
    expect((err as Error).message).toMatch(/timeout/);
    expect(con.closed).toBe(true);
  });

  it("close() twice → InterfaceError; use after close → InterfaceError", async () => {
    const con = await connect(trustOptions());
    await con.close();
    expect(con.closed).toBe(true);
    await expect(con.close()).rejects.toThrow(new errors.InterfaceError("connection is closed"));
    await expect(con.run("SELECT 1")).rejects.toThrow(new errors.InterfaceError("connection is closed"));
  });

  it("await using closes the connection", async () => {
    let saved: Connection | undefined;
    {
      await using con = await connect(trustOptions());
      saved = con;
      expect(await con.run("SELECT 1")).toEqual([[1]]);
    }
    expect(saved!.closed).toBe(true);
  });

  it("queries queued before close() still complete", async () => {
    const con = await connect(trustOptions());
    const a = con.run("SELECT 1");
    const b = con.run("SELECT :x::int", { x: 2 });
    await con.close();
    expect(await a).toEqual([[1]]);
    expect(await b).toEqual([[2]]);
  });
});

describe("pipelining", () => {
  it("concurrent queries on one connection come back in order, with errors isolated", async () => {
    const con = await fresh();
    const results = await Promise.allSettled([
      con.run("SELECT 1"),
      con.run("SELECT :v::int", { v: 2 }),
      con.run("SELECT 1/0"),
      con.run("SELECT :v::int", { v: 4 }),
      con.run("SELECT 'five'"),
    ]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as errors.DatabaseError).code))).toEqual([
      [[1]],
      [[2]],
      "22012",
      [[4]],
      [["five"]],
    ]);
  });
});
