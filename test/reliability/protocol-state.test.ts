// The driver against a backend that breaks the protocol's message flow: each backend message is
// checked against what the request being answered awaits, and anything else closes the
// connection with an InterfaceError instead of handing a shifted or truncated result to the
// caller. A tiny TCP server plays the backend with hand-built bytes (nothing here is behaviour
// PostgreSQL defines, so no real server can produce it).

import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { InterfaceError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";
import { commandComplete as complete, dataRow, int16, int32, message, ready, rowDescription } from "./fake-server.js";

const welcome = (): Buffer =>
  Buffer.concat([message("R", int32(0)), message("K", [...int32(7), ...int32(9)]), ready()]);
/** An int4 field in binary. */
const int4Row = (values: number[]): Buffer =>
  message("D", [...int16(values.length), ...values.flatMap((v) => [...int32(4), ...int32(v)])]);

interface Received {
  type: string;
  body: Buffer;
}

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/**
 * A backend that answers the startup packet with welcome() and hands every later message to
 * `onMessage`. `closed` resolves when the driver's socket is gone.
 */
async function backend(
  onMessage: (socket: net.Socket, m: Received) => void,
): Promise<{ port: number; received: Received[]; closed: Promise<void> }> {
  const received: Received[] = [];
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => markClosed());
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on("data", (data) => {
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        if (!started) {
          if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
          buffer = buffer.subarray(buffer.readInt32BE(0));
          started = true;
          socket.write(welcome());
          continue;
        }
        if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
        const m = { type: String.fromCharCode(buffer[0]!), body: buffer.subarray(5, 1 + buffer.readInt32BE(1)) };
        buffer = buffer.subarray(1 + buffer.readInt32BE(1));
        received.push(m);
        onMessage(socket, m);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as net.AddressInfo).port, received, closed };
}

const options = (port: number) => ({ user: "u", host: "127.0.0.1", port, ssl_context: false as const, timeout: 5 });
const sqlOf = (m: Received): string => m.body.toString("utf8").replace(/\0$/, "");
/** Two statements, so run() sends a simple Query ('Q'), which these servers answer; a single
 *  statement without parameters would go through the extended protocol. */
const simple = (sql: string): string => `${sql}; SELECT 0`;

async function expectClosedWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await promise.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InterfaceError);
  expect((err as Error).message).toMatch(pattern);
}

describe("a text DataRow whose field count differs from its RowDescription", () => {
  it.each([
    [["1", "2", "3"], 3],
    [["1"], 1],
    [[], 0],
  ])("fields %j for 2 columns → InterfaceError, connection closed", async (fields, n) => {
    const server = await backend((socket, m) => {
      if (m.type === "Q") {
        socket.write(Buffer.concat([rowDescription(["a", "b"]), dataRow(fields), complete("SELECT 1"), ready()]));
      }
    });
    const con = await connect(options(server.port));
    await expectClosedWith(
      con.run(simple("SELECT a, b FROM t")),
      new RegExp(`DataRow has ${n} fields but the RowDescription has 2`),
    );
    expect(con.closed).toBe(true);
    await expect(con.run(simple("SELECT 1"))).rejects.toThrow(new InterfaceError("connection is closed"));
  });

  it("the binary path (a cached statement's plan) raises too", async () => {
    const server = await backend((socket, m) => {
      // Parse/Describe/Sync, then Bind/Execute/Sync: describe one int4 column, then send two.
      if (m.type === "D")
        socket.write(Buffer.concat([message("1"), message("t", [...int16(0)]), rowDescription(["n"], 23)]));
      if (m.type === "E") socket.write(Buffer.concat([message("2"), int4Row([1, 2]), complete("SELECT 1")]));
      if (m.type === "S") socket.write(ready());
    });
    const con = await connect(options(server.port));
    const err = await con.run("SELECT n FROM t WHERE n > :x", { x: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect(con.closed).toBe(true);
  });
});

describe("a backend message the request being answered does not await", () => {
  it("an extra ReadyForQuery after the first of two pipelined queries fails the second, never a null result", async () => {
    let queries = 0;
    const server = await backend((socket, m) => {
      if (m.type !== "Q") return;
      const answer = [rowDescription(["n"]), dataRow([String(++queries)]), complete("SELECT 1"), ready()];
      if (queries === 1) answer.push(ready()); // the extra one
      socket.write(Buffer.concat(answer));
    });
    const con = await connect(options(server.port));
    const first = con.run(simple("SELECT 1"));
    const second = con.run(simple("SELECT 2"));
    expect(await first).toEqual([["1"]]);
    await expectClosedWith(second, /protocol violation: the server sent 'Z'/);
    expect(con.closed).toBe(true);
  });

  it("a ReadyForQuery before a cached statement's BindComplete fails that query", async () => {
    const server = await backend((socket, m) => {
      if (m.type === "D")
        socket.write(Buffer.concat([message("1"), message("t", [...int16(0)]), rowDescription(["n"])]));
      if (m.type === "S") socket.write(ready());
    });
    const con = await connect(options(server.port));
    await expectClosedWith(
      con.run("SELECT :x", { x: "a" }),
      /protocol violation: the server sent 'Z' where a reply in phase 'bind'/,
    );
    expect(con.closed).toBe(true);
  });

  it("a CommandComplete in answer to a Parse fails the query", async () => {
    const server = await backend((socket, m) => {
      if (m.type === "S") socket.write(Buffer.concat([complete("SELECT 0"), ready()]));
    });
    const con = await connect(options(server.port));
    await expectClosedWith(
      con.run("SELECT :x", { x: 1 }),
      /protocol violation: the server sent 'C' where a reply in phase 'parse'/,
    );
    expect(con.closed).toBe(true);
  });

  it("a DataRow after CommandComplete fails the query", async () => {
    const server = await backend((socket, m) => {
      if (m.type !== "Q") return;
      socket.write(Buffer.concat([rowDescription(["n"]), complete("SELECT 0"), dataRow(["1"]), ready()]));
    });
    const con = await connect(options(server.port));
    await expectClosedWith(con.run(simple("SELECT 1")), /protocol violation: the server sent 'D'/);
    expect(con.closed).toBe(true);
  });
});

describe("close() with a server that stalls", () => {
  it("returns within a bounded time: Terminate sent, the pending query fails, the socket is closed", async () => {
    const server = await backend(() => undefined); // answers nothing after startup
    const con = await connect({ ...options(server.port), timeout: undefined });
    const pending = con.run(simple("SELECT pg_sleep(1000)")).catch((e: unknown) => e);
    const started = Date.now();
    await con.close();
    expect(Date.now() - started).toBeLessThan(8000);
    const err = await pending;
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toBe("connection is closed");
    await server.closed;
    expect(server.received.map((m) => m.type)).toEqual(["Q", "X"]);
    expect(sqlOf(server.received[0]!)).toBe(simple("SELECT pg_sleep(1000)"));
    expect(con.closed).toBe(true);
  }, 15_000);
});
