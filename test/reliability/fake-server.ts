// A scriptable fake PostgreSQL backend for behaviour a real server never produces. It frames
// what the driver sends (startup packet, then typed messages) and lets each test answer with
// hand-built bytes.

import * as net from "node:net";

export function message(type: string, body: number[] | Uint8Array = []): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out.write(type, 0, "latin1");
  out.writeInt32BE(4 + body.length, 1);
  Buffer.from(body).copy(out, 5);
  return out;
}
export const int16 = (n: number): number[] => [(n >>> 8) & 255, n & 255];
export const int32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
export const cstr = (s: string): number[] => [...Buffer.from(s, "utf8"), 0];

export const authOk = (): Buffer => message("R", int32(0));
export const ready = (status = "I"): Buffer => message("Z", [status.charCodeAt(0)]);
export const parameterStatus = (name: string, value: string): Buffer => message("S", [...cstr(name), ...cstr(value)]);
export const backendKey = (): Buffer => message("K", [...int32(4242), ...int32(1234)]);
/** ErrorResponse from [code, value] fields, e.g. [["S", "ERROR"], ["C", "22012"]]. */
export const errorResponse = (fields: [string, string][]): Buffer =>
  message("E", [...fields.flatMap(([code, value]) => [code.charCodeAt(0), ...cstr(value)]), 0]);
export const commandComplete = (tag: string): Buffer => message("C", cstr(tag));
/** RowDescription of text columns. */
export const rowDescription = (names: string[], typeOid = 25): Buffer =>
  message("T", [
    ...int16(names.length),
    ...names.flatMap((n) => [
      ...cstr(n),
      ...int32(0),
      ...int16(0),
      ...int32(typeOid),
      ...int16(-1),
      ...int32(-1),
      ...int16(0),
    ]),
  ]);
export const dataRow = (values: (string | null)[]): Buffer =>
  message("D", [
    ...int16(values.length),
    ...values.flatMap((v) => (v === null ? int32(-1) : [...int32(Buffer.byteLength(v)), ...Buffer.from(v)])),
  ]);

/** What a normal server says after authentication. */
export function welcome(serverVersion = "15.0"): Buffer {
  return Buffer.concat([
    authOk(),
    parameterStatus("server_version", serverVersion),
    parameterStatus("client_encoding", "UTF8"),
    backendKey(),
    ready(),
  ]);
}

export interface FrontendMessage {
  type: string;
  body: Buffer;
}

export interface FakeSession {
  socket: net.Socket;
  /** The startup packet's parameters. */
  startup: Record<string, string>;
  /** Every message received after the startup packet, in order. */
  received: FrontendMessage[];
}

export interface FakeServer {
  port: number;
  sessions: FakeSession[];
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1. `onStartup` answers the startup packet (default: welcome()); `onMessage`
 * answers each later message (the driver's queries). An SSLRequest is refused with 'N'.
 */
export async function fakeServer(handlers: {
  onStartup?: (session: FakeSession) => void;
  onMessage?: (session: FakeSession, m: FrontendMessage) => void;
  /** Keep this side open after the client's FIN (a real backend closes only once it has exited). */
  halfOpen?: boolean;
}): Promise<FakeServer> {
  const sessions: FakeSession[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: handlers.halfOpen ?? false }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    const session: FakeSession = { socket, startup: {}, received: [] };
    sessions.push(session);
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on("data", (data) => {
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          const body = buffer.subarray(8, length);
          buffer = buffer.subarray(length);
          if (code === 80877103) {
            socket.write("N"); // no TLS here
            continue;
          }
          const parts = body.toString("utf8").split("\0");
          for (let i = 0; i + 1 < parts.length && parts[i]; i += 2) session.startup[parts[i]!] = parts[i + 1]!;
          started = true;
          (handlers.onStartup ?? ((s) => s.socket.write(welcome())))(session);
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        const m = { type: String.fromCharCode(buffer[0]!), body: buffer.subarray(5, 1 + length) };
        buffer = buffer.subarray(1 + length);
        session.received.push(m);
        handlers.onMessage?.(session, m);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sessions,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers every simple Query ('Q') and every Sync ('S') with `reply(sql)`; Terminate is ignored. */
export function onQuery(
  reply: (sql: string, session: FakeSession) => Buffer,
): (s: FakeSession, m: FrontendMessage) => void {
  let lastSql = "";
  return (session, m) => {
    if (m.type === "Q")
      session.socket.write(reply(m.body.toString("utf8").replace(/\0$/, "").replace(/^;/, ""), session));
    else if (m.type === "P") lastSql = m.body.toString("utf8").split("\0")[1] ?? "";
    else if (m.type === "S") session.socket.write(reply(lastSql, session));
  };
}

export const fakeOptions = (port: number) => ({
  user: "u",
  host: "127.0.0.1",
  port,
  ssl_context: false as const,
  timeout: 5,
});
