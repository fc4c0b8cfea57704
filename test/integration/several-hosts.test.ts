// Several hosts against real servers: the test cluster (primary) and its streaming hot standby,
// a dead address first in the list, target_session_attrs, load_balance_hosts, connect_timeout
// and the AbortSignal. Node only.

import * as net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { HostTarget } from "../../src/config/hosts.js";
import { checkSession } from "../../src/core/connect-hosts.js";
import { CoreConnection } from "../../src/core/connection.js";
import { InterfaceError, OperationalError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { cluster } from "./helpers.js";

const primary = cluster.port;
const standby = cluster.standbyPort;
const base = { user: cluster.users.trust.user, database: cluster.database, sslmode: "disable" as const };

/** A port nothing listens on (connection refused). */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that accepts connections and never says anything (a stalled or black-holed host). */
const silentSockets: net.Socket[] = [];
const silent = net.createServer((sock) => {
  silentSockets.push(sock);
  sock.on("error", () => undefined);
});
await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
const silentPort = (silent.address() as net.AddressInfo).port;
afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

/** Which server a connection reached, then closes it. */
async function reached(con: Connection): Promise<"primary" | "standby"> {
  const rows = await con.run("SELECT inet_server_port(), pg_is_in_recovery()");
  await con.close();
  const [port, recovery] = rows![0]! as [number, boolean];
  expect(port).toBe(recovery ? standby : primary);
  return recovery ? "standby" : "primary";
}

describe("the test setup's standby", () => {
  it("is a hot standby of the cluster, replaying what the primary writes", async () => {
    const p = await connect({ ...base, host: "127.0.0.1", port: primary });
    const table = `standby_probe_${process.pid}`;
    await p.run(`CREATE TABLE ${table} (v int)`);
    await p.run(`INSERT INTO ${table} VALUES (42)`);
    const s = await connect({ ...base, host: "127.0.0.1", port: standby });
    expect(s.parameter_statuses.in_hot_standby).toBe("on");
    // Replication is asynchronous: wait (up to 10 s) until the table and its row have arrived.
    let rows: unknown = null;
    for (let i = 0; i < 200; i++) {
      rows = await s.run(`SELECT v FROM ${table}`).catch(() => null);
      if (JSON.stringify(rows) === "[[42]]") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows).toEqual([[42]]);
    await p.run(`DROP TABLE ${table}`);
    await Promise.all([p.close(), s.close()]);
  });
});

describe("target_session_attrs against a primary and a standby", () => {
  const both = (attrs: string, order: "primary-first" | "standby-first" = "primary-first") => ({
    ...base,
    host: ["127.0.0.1", "127.0.0.1"],
    port: order === "primary-first" ? [primary, standby] : [standby, primary],
    target_session_attrs: attrs as "any",
  });

  it.each([
    ["any", "primary-first", "primary"],
    ["any", "standby-first", "standby"],
    ["read-write", "standby-first", "primary"],
    ["read-only", "primary-first", "standby"],
    ["primary", "standby-first", "primary"],
    ["standby", "primary-first", "standby"],
    ["prefer-standby", "primary-first", "standby"],
    ["prefer-standby", "standby-first", "standby"],
  ] as const)("%s with the %s list reaches the %s", async (attrs, order, expected) => {
    expect(await reached(await connect(both(attrs, order)))).toBe(expected);
  });

  it("PGTARGETSESSIONATTRS and PGLOADBALANCEHOSTS apply when the options leave them out", async () => {
    process.env.PGTARGETSESSIONATTRS = "standby";
    process.env.PGLOADBALANCEHOSTS = "random";
    try {
      expect(await reached(await connect({ ...base, host: "127.0.0.1,127.0.0.1", port: [primary, standby] }))).toBe(
        "standby",
      );
      const explicit = { ...base, host: "127.0.0.1,127.0.0.1", port: [standby, primary] };
      expect(await reached(await connect({ ...explicit, target_session_attrs: "primary" }))).toBe("primary");
    } finally {
      delete process.env.PGTARGETSESSIONATTRS;
      delete process.env.PGLOADBALANCEHOSTS;
    }
  });

  it("prefer-standby settles for the primary when no standby answers", async () => {
    const con = await connect({ ...base, host: "127.0.0.1", port: primary, target_session_attrs: "prefer-standby" });
    expect(await reached(con)).toBe("primary");
  });

  it("no server with the attributes: one error listing every host and why", async () => {
    const dead = await deadPort();
    const err = await connect({
      ...base,
      host: "127.0.0.1,127.0.0.1",
      port: [dead, standby],
      target_session_attrs: "read-write",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    const message = (err as Error).message;
    expect(message).toMatch(/could not connect to any server with target_session_attrs=read-write/);
    expect(message).toContain(`127.0.0.1:${dead}: could not connect to 127.0.0.1:${dead}`);
    expect(message).toContain(`127.0.0.1:${standby}: session is read-only (target_session_attrs=read-write)`);
  });

  it("a single server with the wrong attributes is an OperationalError naming them", async () => {
    const err = await connect({ ...base, host: "127.0.0.1", port: primary, target_session_attrs: "standby" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toBe(
      `server is not in hot standby mode (target_session_attrs=standby) at 127.0.0.1:${primary}`,
    );
  });

  it("servers before PostgreSQL 14 are asked (SHOW transaction_read_only, pg_is_in_recovery())", async () => {
    // The same checks with the ParameterStatus values hidden, so the queries run on real servers.
    for (const [port, isStandby] of [
      [primary, false],
      [standby, true],
    ] as const) {
      const con = await CoreConnection.connect({ ...base, host: "127.0.0.1", port });
      const target: HostTarget = { host: "127.0.0.1", port };
      const probe = {
        parameter_statuses: {},
        simpleQuery: (sql: string) => con.simpleQuery(sql),
        close: async () => {},
      };
      const outcome = async (attrs: Parameters<typeof checkSession>[1]) =>
        checkSession(probe, attrs, target).then(
          () => "ok",
          (e: Error) => e.message.split(" (")[0],
        );
      expect(await outcome("read-write")).toBe(isStandby ? "session is read-only" : "ok");
      expect(await outcome("read-only")).toBe(isStandby ? "ok" : "session is not read-only");
      expect(await outcome("primary")).toBe(isStandby ? "server is in hot standby mode" : "ok");
      expect(await outcome("standby")).toBe(isStandby ? "ok" : "server is not in hot standby mode");
      await con.close();
    }
  });
});

describe("failover and host lists", () => {
  it("a dead host first: the next one is tried", async () => {
    const dead = await deadPort();
    expect(await reached(await connect({ ...base, host: ["127.0.0.1", "127.0.0.1"], port: [dead, primary] }))).toBe(
      "primary",
    );
  });

  it("multi-host URIs and libpq's comma list in host", async () => {
    const dead = await deadPort();
    const uri = `postgresql://${base.user}@127.0.0.1:${dead},127.0.0.1:${standby},127.0.0.1:${primary}/${cluster.database}?sslmode=disable&target_session_attrs=primary`;
    expect(await reached(await connect(uri))).toBe("primary");
    const kv = `host=127.0.0.1,localhost port=${dead},${standby} user=${base.user} dbname=${cluster.database} sslmode=disable`;
    expect(await reached(await connect(kv))).toBe("standby");
  });

  it("connect_timeout moves on from a host that accepts but never answers", async () => {
    const started = Date.now();
    const con = await connect({
      ...base,
      host: ["127.0.0.1", "127.0.0.1"],
      port: [silentPort, primary],
      connect_timeout: 2, // libpq's minimum
    });
    expect(await reached(con)).toBe("primary");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    const err = await connect({ ...base, host: "127.0.0.1", port: silentPort, connect_timeout: 2 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toBe(
      `timeout: could not connect to 127.0.0.1:${silentPort} within 2 s (connect_timeout)`,
    );
  });

  it("load_balance_hosts=random spreads connections over the hosts", async () => {
    const seen = { primary: 0, standby: 0 };
    for (let i = 0; i < 30; i++) {
      const con = await connect({
        ...base,
        host: "127.0.0.1,127.0.0.1",
        port: [primary, standby],
        load_balance_hosts: "random",
      });
      seen[await reached(con)]++;
    }
    // Both are reached (all 30 on one host has probability 2^-29).
    expect(seen.primary).toBeGreaterThan(0);
    expect(seen.standby).toBeGreaterThan(0);
    await expect(connect({ ...base, load_balance_hosts: "sometimes" as "random" })).rejects.toThrow(
      /invalid load_balance_hosts "sometimes"/,
    );
  });

  it("bad target_session_attrs and mismatched lists are InterfaceErrors", async () => {
    await expect(connect({ ...base, target_session_attrs: "replica" as "standby" })).rejects.toThrow(InterfaceError);
    await expect(connect({ ...base, host: ["a", "b", "c"], port: [1, 2] })).rejects.toThrow(
      /could not match 2 port numbers to 3 hosts/,
    );
  });
});

describe("AbortSignal", () => {
  it("aborts connecting, every host, with an OperationalError that says so", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("user gave up")), 200);
    const err = await connect({
      ...base,
      host: ["127.0.0.1", "127.0.0.1"],
      port: [silentPort, primary],
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toBe("connecting was aborted by the 'signal' option");
    expect(((err as Error).cause as Error).message).toBe("user gave up");
  });

  it("an already aborted signal connects nowhere; one that never fires changes nothing", async () => {
    await expect(connect({ ...base, host: "127.0.0.1", port: primary, signal: AbortSignal.abort() })).rejects.toThrow(
      /aborted by the 'signal' option/,
    );
    const con = await connect({ ...base, host: "127.0.0.1", port: primary, signal: new AbortController().signal });
    expect(await reached(con)).toBe("primary");
  });
});
