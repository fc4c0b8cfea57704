// The driver through a real bridge to the real cluster, in Node (ws): SCRAM, queries, types,
// TLS from the bridge, the unix socket, LISTEN/NOTIFY, cancel, large transfers both ways.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintToken } from "../../bridge/index.js";
import { DatabaseError, OperationalError } from "../../src/errors.js";
import * as pg8000 from "../../src/index.js";
import { type Connection, connect } from "../../src/native/index.js";
import { cluster, eventually, SECRET, STATIC_TOKEN, startBridge, type TestBridge } from "./fixtures.js";

let bridge: TestBridge;
const open: Connection[] = [];

beforeAll(async () => {
  bridge = await startBridge();
});
afterAll(async () => {
  for (const con of open) if (!con.closed) await con.close();
  await bridge.close();
});

async function viaBridge(target: string, login = cluster.users.scram, token = STATIC_TOKEN): Promise<Connection> {
  const con = await connect({ ...login, database: cluster.database, bridge: { url: bridge.url, token, target } });
  open.push(con);
  return con;
}

describe("sessions through the bridge", () => {
  it("SCRAM login and queries on a plain TCP target; the server sees the bridge as the client", async () => {
    const con = await viaBridge("main");
    expect(
      await con.run("SELECT current_user, :n::int + 1, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", { n: 41 }),
    ).toEqual([[cluster.users.scram.user, 42, false]]);
    await con.close();
    expect(con.closed).toBe(true);
  });

  it("TLS from the bridge to PostgreSQL: require and verify-full against the cluster's CA", async () => {
    for (const target of ["tls", "verified"]) {
      const con = await viaBridge(target);
      expect(await con.run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).toEqual([[true]]);
      await con.close();
    }
  });

  it("a role that the server admits only over TLS logs in through a TLS target and is refused on a plain one", async () => {
    const con = await viaBridge("verified", cluster.users.sslOnly);
    expect(await con.run("SELECT current_user")).toEqual([[cluster.users.sslOnly.user]]);
    const err = await viaBridge("main", cluster.users.sslOnly).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as DatabaseError).code).toBe("28000");
  });

  it("a unix socket target", async () => {
    const con = await viaBridge("socket");
    expect(await con.run("SELECT inet_client_addr(), current_user")).toEqual([[null, cluster.users.scram.user]]);
  });

  it("a signed token opens the target it names; the DB-API module works too", async () => {
    const token = mintToken({ secret: SECRET, target: "main", expiresIn: 60 });
    const con = await pg8000.connect({
      ...cluster.users.scram,
      database: cluster.database,
      bridge: { url: bridge.url, token },
    });
    const cursor = con.cursor();
    await cursor.execute("SELECT %s::text || 'b'", ["a"]);
    expect(cursor.fetchall()).toEqual([["ab"]]);
    await con.close();
  });

  it("a wrong password is the server's error, passed through unchanged", async () => {
    const err = await viaBridge("main", { user: cluster.users.scram.user, password: "wrong" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as DatabaseError).code).toBe("28P01");
  });

  it("types round-trip (binary and text results)", async () => {
    const con = await viaBridge("main");
    const rows = await con.run(
      "SELECT 1::int2, 2::int4, 9007199254740993::int8, 1.5::float8, 'x'::text, true, '2024-02-29'::date, " +
        "'\\x0102ff'::bytea, '{\"a\":[1,2]}'::jsonb, ARRAY[1,NULL,3], '123.4500'::numeric, NULL::int, " +
        "'2024-01-02T03:04:05.678Z'::timestamptz, 'a1b2c3d4-0000-0000-0000-000000000001'::uuid",
    );
    expect(rows).toEqual([
      [
        1,
        2,
        9007199254740993n,
        1.5,
        "x",
        true,
        "2024-02-29",
        new Uint8Array([1, 2, 255]),
        { a: [1, 2] },
        [1, null, 3],
        "123.4500",
        null,
        new Date("2024-01-02T03:04:05.678Z"),
        "a1b2c3d4-0000-0000-0000-000000000001",
      ],
    ]);
  });

  it("large results and large parameters cross in many messages (backpressure, frames under maxPayload)", async () => {
    const con = await viaBridge("main");
    const rows = await con.run("SELECT g, repeat('x', 100) FROM generate_series(1, 50000) g");
    expect(rows!.length).toBe(50000);
    expect(rows![49999]).toEqual([50000, "x".repeat(100)]);
    // 3 MiB parameter: larger than the bridge's 1 MiB maxPayload, so the transport must cut it.
    const big = "y".repeat(3 * 1024 * 1024);
    expect(await con.run("SELECT length(:v::text)", { v: big })).toEqual([[big.length]]);
  });

  it("COPY IN of 16 MiB waits for the WebSocket to drain; COPY OUT streams it back in order", async () => {
    const con = await viaBridge("main");
    await con.run("CREATE TEMP TABLE big (line text)");
    const line = `${"z".repeat(1000)}\n`;
    const lines = 16 * 1024;
    let produced = 0;
    async function* source(): AsyncGenerator<string> {
      for (let i = 0; i < lines / 64; i++) {
        produced += 64;
        yield line.repeat(64);
      }
    }
    await con.run("COPY big FROM STDIN", null, { stream: source() });
    expect(produced).toBe(lines);
    expect(await con.run("SELECT count(*), sum(length(line)) FROM big")).toEqual([
      [BigInt(lines), BigInt(lines * 1000)],
    ]);
    let bytes = 0;
    let inOrder = true;
    let next = 1;
    let partial = "";
    await con.run("COPY (SELECT g FROM generate_series(1, 200000) g) TO STDOUT", null, {
      stream: {
        write(chunk: Uint8Array | string) {
          const text = typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
          bytes += text.length;
          const parts = (partial + text).split("\n");
          partial = parts.pop()!;
          for (const n of parts) if (Number(n) !== next++) inOrder = false;
        },
      },
    });
    expect(inOrder).toBe(true);
    expect(bytes).toBe(Array.from({ length: 200000 }, (_, i) => `${i + 1}\n`).join("").length);
  });

  it("LISTEN/NOTIFY: a notification arrives while the connection is idle", async () => {
    const listener = await viaBridge("main");
    const notifier = await viaBridge("tls");
    await listener.run("LISTEN bridge_channel");
    const arrived = new Promise<unknown[]>((resolve) =>
      listener.on("notification", (...args: unknown[]) => resolve(args)),
    );
    await notifier.run("SELECT pg_notify('bridge_channel', 'hello through the bridge')");
    const got = await arrived;
    expect(JSON.stringify(got)).toContain("hello through the bridge");
    expect(listener.notifications.length).toBeGreaterThan(0);
  });

  it("cancel() sends a CancelRequest over a second WebSocket and the running query fails with 57014", async () => {
    const con = await viaBridge("verified");
    // The error may arrive before cancel() resolves: catch it from the start.
    const running = con.run("SELECT pg_sleep(20)").catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await con.cancel();
    const err = await running;
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as DatabaseError).code).toBe("57014");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await con.run("SELECT 'still usable'")).toEqual([["still usable"]]);
    const cancelLog = bridge.logs.find((e) => e.event === "close" && e.kind === "cancel");
    expect(cancelLog).toMatchObject({
      target: "verified",
      by: "bridge",
      code: 1000,
      reason: "cancel request forwarded",
      bytesFromClient: 16,
    });
  });

  it("a backend terminated by the server: its FATAL error arrives before the close", async () => {
    const victim = await viaBridge("main");
    const admin = await viaBridge("main", cluster.users.super);
    const pending = victim.run("SELECT pg_sleep(20)").catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await admin.run("SELECT pg_terminate_backend(:pid)", { pid: victim.backend_pid });
    const err = await pending;
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as DatabaseError).code).toBe("57P01");
    expect(victim.closed).toBe(true);
  });

  it("closing a connection ends its bridge session; logs carry counts and never secrets or payloads", async () => {
    const con = await viaBridge("main");
    const session = bridge.logs.filter((e) => e.event === "open").at(-1)!.session;
    await con.run("SELECT 'a-payload-marker'");
    await con.close();
    await eventually(() => bridge.logs.some((e) => e.event === "close" && e.session === session));
    const text = JSON.stringify(bridge.logs);
    expect(text).not.toContain(cluster.users.scram.password);
    expect(text).not.toContain(STATIC_TOKEN);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("a-payload-marker");
    const closeLog = bridge.logs.find((e) => e.event === "close" && e.session === session)!;
    // Terminate reaches the server, which closes; the bridge then closes the WebSocket normally.
    expect(closeLog).toMatchObject({
      by: "bridge",
      code: 1000,
      reason: "the server closed the connection",
      target: "main",
    });
    expect(closeLog.bytesFromClient).toBeGreaterThan(0);
    expect(closeLog.bytesToClient).toBeGreaterThan(0);
    expect(typeof closeLog.durationMs).toBe("number");
  });
});
