// close(): done once Terminate has left this process (as libpq and pg8000 do), or, with
// { wait_for_server: true }, once the server has closed the connection, which PostgreSQL does only
// after the session's backend process has exited.

import { afterEach, describe, expect, it, vi } from "vitest";
import { InterfaceError } from "../../src/errors.js";
import { type Connection, connect, Pool } from "../../src/native/index.js";
import { type FakeServer, fakeOptions, fakeServer, onQuery, ready } from "../reliability/fake-server.js";
import { superOptions, trustOptions } from "./helpers.js";

const open: Connection[] = [];
const servers: FakeServer[] = [];
afterEach(async () => {
  for (const con of open.splice(0)) if (!con.closed) await con.close();
  for (const server of servers.splice(0)) await server.close();
});

async function opened(options = trustOptions()): Promise<Connection> {
  const con = await connect(options);
  open.push(con);
  return con;
}

async function sessionsWithPid(admin: Connection, pid: number): Promise<number> {
  const rows = await admin.run("SELECT count(*)::int FROM pg_stat_activity WHERE pid = :pid", { pid });
  return rows![0]![0] as number;
}

describe("close() on a real server", () => {
  it("marks the connection closed at once, fires 'close', and the backend ends on its own", async () => {
    const admin = await opened(superOptions());
    const con = await connect(trustOptions());
    const pid = con.backend_pid as number;
    const reasons: unknown[] = [];
    con.on("close", (reason) => reasons.push(reason));
    await con.close();
    expect(con.closed).toBe(true);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toEqual(new InterfaceError("connection is closed"));
    await expect(con.run("SELECT 1")).rejects.toThrow(new InterfaceError("connection is closed"));
    // The server got Terminate: the session goes away without the client doing anything more.
    await vi.waitFor(async () => expect(await sessionsWithPid(admin, pid)).toBe(0), { timeout: 5000 });
  });

  it("with wait_for_server resolves after the backend has exited: its locks are free at once", async () => {
    const admin = await opened(superOptions());
    const other = await opened();
    const con = await connect(trustOptions());
    const pid = con.backend_pid as number;
    const key = 700_000 + (process.pid % 100_000);
    await con.run("SELECT pg_advisory_lock(:key)", { key });
    await con.run("CREATE TEMP TABLE close_wait_tmp (x int)");
    expect(await other.run("SELECT pg_try_advisory_lock(:key)", { key })).toEqual([[false]]);
    await con.close({ wait_for_server: true });
    expect(con.closed).toBe(true);
    expect(await sessionsWithPid(admin, pid)).toBe(0);
    expect(await other.run("SELECT pg_try_advisory_lock(:key)", { key })).toEqual([[true]]);
    await other.run("SELECT pg_advisory_unlock(:key)", { key });
  });

  it("a pool's connections wait for the server, so the pool never counts fewer sessions than it has", async () => {
    const admin = await opened(superOptions());
    const pool = new Pool({ ...trustOptions(), max: 2 });
    const lent = await pool.connect();
    const pid = lent.backend_pid as number;
    await lent.close();
    expect(await sessionsWithPid(admin, pid)).toBe(0);
    const [[second]] = (await pool.run("SELECT pg_backend_pid()")) as [[number]];
    await pool.close();
    expect(await sessionsWithPid(admin, second)).toBe(0);
  });

  it("lets queued queries finish first, whichever way it closes", async () => {
    for (const wait_for_server of [false, true]) {
      const con = await connect(trustOptions());
      const answers = [con.run("SELECT 1 FROM pg_sleep(0.05)"), con.run("SELECT 2")];
      await con.close({ wait_for_server });
      expect(await Promise.all(answers)).toEqual([[[1]], [[2]]]);
    }
  });

  it("refuses an unknown option or a wrong type and leaves the connection open", async () => {
    const con = await opened();
    const bad: unknown[] = [{ wait: true }, { wait_for_server: "yes" }, "wait_for_server", null];
    const messages: string[] = [];
    for (const options of bad) {
      const err = await con.close(options as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InterfaceError);
      messages.push((err as Error).message);
    }
    expect(messages).toEqual([
      "unknown close() option 'wait'; the only option is wait_for_server",
      "close() option wait_for_server must be a boolean, got string",
      "close() takes an options object ({ wait_for_server?: boolean }), got wait_for_server",
      "close() takes an options object ({ wait_for_server?: boolean }), got null",
    ]);
    expect(con.closed).toBe(false);
    expect(await con.run("SELECT 1")).toEqual([[1]]);
  });
});

describe("close() against a server that keeps its side open", () => {
  /** A server that answers queries and leaves the connection open after the client's FIN. */
  async function lingeringServer(): Promise<FakeServer> {
    const server = await fakeServer({ halfOpen: true, onMessage: onQuery(() => ready()) });
    servers.push(server);
    return server;
  }

  it("resolves once Terminate is sent, without waiting for the server to close", async () => {
    const server = await lingeringServer();
    const con = await connect(fakeOptions(server.port));
    await con.close();
    expect(con.closed).toBe(true);
    const session = server.sessions[0]!;
    await vi.waitFor(() => expect(session.received.map((m) => m.type)).toContain("X"));
    expect(session.socket.destroyed).toBe(false); // the server has not closed: close() did not wait
  });

  it("with wait_for_server resolves only once the server closes", async () => {
    const server = await lingeringServer();
    const con = await connect(fakeOptions(server.port));
    let done = false;
    const closing = con.close({ wait_for_server: true }).then(() => (done = true));
    const session = server.sessions[0]!;
    await vi.waitFor(() => expect(session.received.map((m) => m.type)).toContain("X"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(done).toBe(false);
    expect(con.closed).toBe(false);
    session.socket.end();
    await closing;
    expect(con.closed).toBe(true);
  });
});
