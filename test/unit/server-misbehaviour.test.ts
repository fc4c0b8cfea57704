// The driver against servers that break the protocol or ask for what it cannot do. A tiny TCP
// server plays the backend with hand-built bytes; nothing here is behaviour PostgreSQL defines.

import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { InterfaceError, OperationalError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";

function message(type: string, body: number[] | Uint8Array = []): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out.write(type, 0, "latin1");
  out.writeInt32BE(4 + body.length, 1);
  Buffer.from(body).copy(out, 5);
  return out;
}
const int32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const cstr = (s: string): number[] => [...Buffer.from(s, "utf8"), 0];
const authOk = (): Buffer => message("R", int32(0));
const ready = (): Buffer => message("Z", [0x49]);

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server that answers the startup packet with `onStartup` and each later write with `onQuery`. */
async function fakeServer(
  onStartup: (sock: net.Socket) => void,
  onQuery?: (sock: net.Socket, data: Buffer) => void,
): Promise<number> {
  const server = net.createServer((sock) => {
    let started = false;
    sock.on("data", (data) => {
      if (!started) {
        started = true;
        onStartup(sock);
      } else {
        onQuery?.(sock, data);
      }
    });
    sock.on("error", () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as net.AddressInfo).port;
}

const options = (port: number) => ({ user: "u", host: "127.0.0.1", port, ssl_context: false as const, timeout: 5 });

describe("authentication methods the driver does not support", () => {
  it.each([
    [2, /Kerberos V5/],
    [6, /SCM credentials/],
    [7, /GSSAPI/],
    [9, /SSPI/],
  ])("request code %i → InterfaceError naming the method", async (code, name) => {
    const port = await fakeServer((sock) => sock.write(message("R", int32(code))));
    const err = await connect(options(port)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(name);
    expect((err as Error).message).toMatch(/pg_hba\.conf/);
  });

  it("an unknown request code → InterfaceError", async () => {
    const port = await fakeServer((sock) => sock.write(message("R", int32(99))));
    await expect(connect(options(port))).rejects.toThrow(/unknown authentication method \(code 99\)/);
  });

  it("AuthenticationOk in the middle of SCRAM (no server proof) is refused", async () => {
    const port = await fakeServer(
      (sock) => sock.write(message("R", [...int32(10), ...cstr("SCRAM-SHA-256"), 0])),
      (sock) => sock.write(Buffer.concat([authOk(), ready()])),
    );
    const err = await connect({ ...options(port), password: "pw" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/before completing SCRAM/);
  });
});

describe("malformed server bytes", () => {
  it.each([
    ["a length below 4", Buffer.from([0x5a, 0, 0, 0, 2, 0x49])],
    ["a negative length", Buffer.from([0x44, 0xff, 0xff, 0xff, 0xf0])],
    ["an unknown message type", message("\u007a", [1, 2, 3])],
    ["a DataRow field running past its message", message("D", [0, 1, ...int32(100), 1, 2])],
  ])("%s → InterfaceError, connection closed, no hang", async (_what, bytes) => {
    const port = await fakeServer(
      (sock) => sock.write(Buffer.concat([authOk(), ready()])),
      (sock) => sock.write(bytes),
    );
    const con = await connect(options(port));
    const err = await con.run("SELECT 1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/malformed|unknown message type|exceeds/);
    expect(con.closed).toBe(true);
    await expect(con.run("SELECT 1")).rejects.toThrow(/connection is closed/);
  });

  it("bytes after the SSL answer are refused (no plaintext injection)", async () => {
    const port = await fakeServer((sock) => sock.write(Buffer.concat([Buffer.from("S"), authOk(), ready()])));
    const err = await connect({ ...options(port), ssl_context: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/unexpected data after its SSL response/);
  });
});

describe("a server that dies mid-query", () => {
  it("→ OperationalError for the query in flight and closed === true", async () => {
    const rowDescription = message("T", [
      0,
      1,
      ...cstr("x"),
      ...int32(0),
      0,
      0,
      ...int32(25),
      0xff,
      0xff,
      ...int32(-1),
      0,
      0,
    ]);
    const port = await fakeServer(
      (sock) => sock.write(Buffer.concat([authOk(), ready()])),
      (sock) => {
        sock.write(rowDescription);
        setTimeout(() => sock.destroy(), 20);
      },
    );
    const con = await connect(options(port));
    // Two statements each: the simple protocol, one Query per run() (which this server answers).
    const second = con.run("SELECT 2; SELECT 0");
    const err = await con.run("SELECT 1; SELECT 0").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(/closed the connection unexpectedly/);
    await expect(second).rejects.toThrow(OperationalError);
    expect(con.closed).toBe(true);
  });
});
