// Every refusal of the bridge, with its close code and what the user of the driver sees.
// Real bridge, real cluster; a raw `ws` client for what the driver would never send.

import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BridgeConfigError, createBridge, mintToken } from "../../bridge/index.js";
import type { BridgeOptions } from "../../src/core/options.js";
import { InterfaceError, OperationalError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";
import {
  cluster,
  eventually,
  type RawOptions,
  rawSession,
  SECRET,
  STATIC_TOKEN,
  startBridge,
  startSentinel,
  startupMessage,
  type TestBridge,
} from "./fixtures.js";

const login = { ...cluster.users.scram, database: cluster.database };
let bridge: TestBridge;

beforeAll(async () => {
  bridge = await startBridge({ origins: ["http://allowed.example"] });
});
afterAll(async () => {
  await bridge.close();
});

/** Connects with the driver and returns the error it raised. */
async function refusal(bridgeOption: string | BridgeOptions): Promise<Error> {
  const err = await connect({ ...login, bridge: bridgeOption }).then(
    async (con) => {
      await con.close();
      return new Error("connected, but a refusal was expected");
    },
    (e: unknown) => e as Error,
  );
  return err;
}

/** The error a promise rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as Error,
  );
}

function upstreamDials(b: TestBridge): number {
  return b.logs.filter((e) => e.event === "upstream").length;
}

describe("who may connect", () => {
  it("no token → 4401, and the driver says to pass a valid bridge.token", async () => {
    const err = await refusal({ url: bridge.url, target: "main" });
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.message).toBe(
      "the bridge refused the token: pass a valid bridge.token (a static token of the bridge, or a fresh one from mintToken) " +
        "(bridge close code 4401: a token is required)",
    );
  });

  it("a wrong static token → 4401; the token never appears in the error", async () => {
    const err = await refusal({ url: bridge.url, target: "main", token: "not-the-right-token-at-all" });
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.message).toMatch(/bridge close code 4401: token not accepted\)$/);
    expect(err.message).not.toContain("not-the-right-token");
  });

  it("a token that is not a subprotocol-safe string travels in ?token= and is checked the same way", async () => {
    const err = await refusal({ url: bridge.url, target: "main", token: "has spaces / and = signs" });
    expect(err.message).toMatch(/4401: token not accepted/);
    expect(err.message).not.toContain("spaces");
  });

  it("an expired signed token → 4401 token expired", async () => {
    const token = mintToken({ secret: SECRET, target: "main", expiresIn: 0.001 });
    await new Promise((r) => setTimeout(r, 1100));
    const err = await refusal({ url: bridge.url, token });
    expect(err.message).toMatch(/4401: token expired\)$/);
  });

  it("a signed token from another secret, or tampered with → 4401", async () => {
    const foreign = mintToken({ secret: "another-secret-0123456789abcdef0123456789", target: "main" });
    expect((await refusal({ url: bridge.url, token: foreign })).message).toMatch(/4401: token signature is not valid/);
    const good = mintToken({ secret: SECRET, target: "main" });
    const [prefix, , sig] = good.split(".");
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ t: "tls", exp: 9999999999 })).toString("base64url")}.${sig}`;
    expect((await refusal({ url: bridge.url, token: forged })).message).toMatch(/4401: token signature is not valid/);
  });

  it("a signed token is bound to its target: naming another → 4403", async () => {
    const token = mintToken({ secret: SECRET, target: "main" });
    const err = await refusal({ url: bridge.url, token, target: "tls" });
    expect(err.message).toMatch(/bridge\.target must name one of the bridge's configured targets/);
    expect(err.message).toMatch(/4403: the token is for target 'main', not 'tls'\)$/);
  });

  it("an origin not in the allowlist → 4403; an allowed origin and no origin (non-browser) pass", async () => {
    const bad = await rawSession(bridge, { origin: "http://evil.example", query: { target: "main" } });
    expect(bad).toMatchObject({
      code: 4403,
      reason: "origin http://evil.example is not allowed by the bridge's origins",
    });
    const ok = await rawSession(bridge, {
      origin: "http://allowed.example",
      query: { target: "main" },
      send: (ws) => ws.close(1000),
    });
    expect(ok.code).toBe(1000);
  });

  it("a client that does not offer the pg8000.v1 subprotocol is refused at the HTTP level", async () => {
    await expect(rawSession(bridge, { protocols: ["something-else"] })).rejects.toThrow("HTTP 400");
  });

  it("a malformed request target is refused with HTTP 400, and the bridge lives on", async () => {
    const { port } = new URL(bridge.url);
    for (const target of ["http://[::1", "//[x", "http://a b/"]) {
      const answer = await new Promise<string>((resolve) => {
        const socket = net.connect(Number(port), "127.0.0.1");
        let data = "";
        socket.on("data", (chunk) => (data += chunk.toString()));
        socket.on("error", () => resolve(data));
        socket.on("close", () => resolve(data));
        socket.write(
          `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: pg8000.v1\r\n\r\n",
        );
      });
      expect(answer.split("\r\n")[0]).toMatch(/^HTTP\/1\.1 400 /);
    }
    const ok = await rawSession(bridge, { query: { target: "main" }, send: (ws) => ws.close(1000) });
    expect(ok.code).toBe(1000);
  });

  it("requireToken: false lets clients in without a token", async () => {
    const open = await startBridge({ tokens: undefined, tokenSecret: undefined, requireToken: false });
    try {
      const con = await connect({ ...login, bridge: { url: open.url, target: "main" } });
      expect(await con.run("SELECT 1")).toEqual([[1]]);
      await con.close();
    } finally {
      await open.close();
    }
  });

  it("verifyToken: your own check decides, and may fix the target", async () => {
    const seen: unknown[] = [];
    const custom = await startBridge({
      tokens: undefined,
      tokenSecret: undefined,
      verifyToken: async (token, request) => {
        seen.push(request);
        return token === "session-abcdefghijklmnop" ? { target: "tls" } : false;
      },
    });
    try {
      const con = await connect({ ...login, bridge: { url: custom.url, token: "session-abcdefghijklmnop" } });
      expect(await con.run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).toEqual([[true]]);
      await con.close();
      const err = await failure(connect({ ...login, bridge: { url: custom.url, token: "session-wrong" } }));
      expect(err.message).toMatch(/4401: token not accepted/);
      expect(seen[0]).toEqual({ target: undefined, origin: undefined, ip: "127.0.0.1" });
    } finally {
      await custom.close();
    }
  });
});

describe("where the bridge connects", () => {
  it("an unknown target → 4403", async () => {
    const err = await refusal({ url: bridge.url, token: STATIC_TOKEN, target: "nope" });
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.message).toMatch(/4403: unknown target 'nope'\)$/);
  });

  it("a long non-ASCII target name or Origin is quoted in the reason, cut to fit a close frame; the bridge lives on", async () => {
    const longName = "é".repeat(100);
    const byName = await rawSession(bridge, { query: { target: longName } });
    expect(byName.code).toBe(4403);
    expect(byName.reason).toMatch(/^unknown target 'é+$/);
    expect(Buffer.byteLength(byName.reason)).toBeLessThanOrEqual(123);
    // Header bytes arrive as latin1: every one of these becomes two bytes of UTF-8 in the reason.
    const byOrigin = await rawSession(bridge, {
      origin: `http://${"\u00ff".repeat(100)}.example`,
      query: { target: "main" },
    });
    expect(byOrigin.code).toBe(4403);
    expect(Buffer.byteLength(byOrigin.reason)).toBeLessThanOrEqual(123);
    const ok = await rawSession(bridge, { query: { target: "main" }, send: (ws) => ws.close(1000) });
    expect(ok.code).toBe(1000);
  });

  it("with several targets, naming none → 4403 listing them (the token is valid)", async () => {
    const err = await refusal({ url: bridge.url, token: STATIC_TOKEN });
    expect(err.message).toMatch(/4403: name a target \(one of: main, tls, verified, socket\)\)$/);
  });

  it("a client naming a host:port in every way it could is never dialled", async () => {
    const sentinel = await startSentinel();
    const dialsBefore = upstreamDials(bridge);
    try {
      const hostPort = `127.0.0.1:${sentinel.port}`;
      const attempts: RawOptions[] = [
        { query: { target: hostPort } },
        { query: { target: `localhost:${sentinel.port}` } },
        { query: { host: "127.0.0.1", port: String(sentinel.port) } },
        { query: { address: hostPort } },
        { query: { target: `main/../${hostPort}` } },
      ];
      const codes: number[] = [];
      for (const a of attempts) {
        const closed = await rawSession(bridge, {
          ...a,
          send: (ws) => ws.send(startupMessage({ user: "x", host: "127.0.0.1", port: String(sentinel.port) })),
        });
        codes.push(closed.code);
      }
      expect(codes).toEqual([4403, 4403, 4403, 4403, 4403]);
      // Through the driver too, with the Host header and path pointing at the sentinel.
      const err = await refusal({ url: `${bridge.url}${hostPort}`, token: STATIC_TOKEN, target: hostPort });
      expect(err.message).toMatch(/404|could not open/);
      const viaTarget = await refusal({ url: bridge.url, token: STATIC_TOKEN, target: hostPort });
      expect(viaTarget.message).toMatch(/4403: unknown target/);
      await new Promise((r) => setTimeout(r, 100));
      expect(sentinel.connections()).toBe(0);
      expect(upstreamDials(bridge)).toBe(dialsBefore);
    } finally {
      await sentinel.close();
    }
  });

  it("a target whose server is down → 4502 saying to check the target", async () => {
    const sentinel = await startSentinel();
    const port = sentinel.port;
    await sentinel.close();
    const down = await startBridge({ targets: { down: { host: "127.0.0.1", port } } });
    try {
      const err = await refusal({ url: down.url, token: STATIC_TOKEN });
      expect(err).toBeInstanceOf(OperationalError);
      expect(err.message).toBe(
        "the bridge could not reach PostgreSQL: check the target's host, port and TLS settings in the bridge config and that the server is running " +
          "(bridge close code 4502: could not connect to target 'down' (ECONNREFUSED))",
      );
      // The client learns the target name only; the address stays in the bridge's log.
      expect(err.message).not.toContain(String(port));
      expect(JSON.stringify(down.logs)).toContain(`127.0.0.1:${port}`);
    } finally {
      await down.close();
    }
  });

  it("a connection to the target that breaks (TCP reset) → 4502 lost the connection", async () => {
    // Network fault injection: a listener that resets the connection once the startup arrives.
    const resetter = net.createServer((socket) => socket.once("data", () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => resetter.listen({ host: "127.0.0.1", port: 0 }, resolve));
    const broken = await startBridge({
      targets: { flaky: { host: "127.0.0.1", port: (resetter.address() as net.AddressInfo).port } },
    });
    try {
      const err = await failure(connect({ ...login, bridge: { url: broken.url, token: STATIC_TOKEN } }));
      expect(err).toBeInstanceOf(OperationalError);
      expect(err.message).toBe(
        "the bridge lost its connection to PostgreSQL (bridge close code 4503: lost the connection to target 'flaky' (ECONNRESET))",
      );
    } finally {
      await broken.close();
      await new Promise((resolve) => resetter.close(resolve));
    }
  });

  it("verify-full against a certificate that does not match the name → 4502", async () => {
    const wrongName = await startBridge({
      targets: {
        pg: {
          host: cluster.host,
          port: cluster.port,
          tls: { mode: "verify-full", caFile: cluster.caCertPath, servername: "db.example.com" },
        },
      },
    });
    try {
      const err = await refusal({ url: wrongName.url, token: STATIC_TOKEN });
      expect(err.message).toMatch(/4502: TLS with target 'pg' failed/);
    } finally {
      await wrongName.close();
    }
  });

  it("verify-full without the cluster's CA (Node's default store) → 4502", async () => {
    const untrusted = await startBridge({
      targets: { pg: { host: cluster.host, port: cluster.port, tls: "verify-full" } },
    });
    try {
      expect((await refusal({ url: untrusted.url, token: STATIC_TOKEN })).message).toMatch(
        /4502: TLS with target 'pg' failed/,
      );
    } finally {
      await untrusted.close();
    }
  });
});

describe("what may be sent", () => {
  it.each([
    ["an HTTP request", Buffer.from("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")],
    ["SMTP", Buffer.from("EHLO example.com\r\n")],
    ["protocol 2.0 startup", Buffer.from([0, 0, 0, 9, 0, 2, 0, 0, 0])],
    ["a length below 8", Buffer.from([0, 0, 0, 4, 0, 3, 0, 0])],
    ["a startup packet over 10000 bytes", Buffer.from([0, 0, 0x30, 0, 0, 3, 0, 0])],
    ["an SSLRequest of the wrong length", Buffer.from([0, 0, 0, 12, 0x04, 0xd2, 0x16, 0x2f, 0, 0, 0, 0])],
    [
      "three SSLRequests",
      Buffer.from([
        0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f, 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f, 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f,
      ]),
    ],
  ])("non-PostgreSQL first bytes (%s) → 4400, nothing dialled", async (_name, bytes) => {
    const dialsBefore = upstreamDials(bridge);
    const closed = await rawSession(bridge, { query: { target: "main" }, send: (ws) => ws.send(bytes) });
    expect(closed.code).toBe(4400);
    expect(closed.reason).toBe("the first bytes are not a PostgreSQL StartupMessage, SSLRequest or CancelRequest");
    expect(upstreamDials(bridge)).toBe(dialsBefore);
  });

  it("an SSLRequest is answered 'N' by the bridge itself, then a startup goes through", async () => {
    const closed = await rawSession(bridge, {
      query: { target: "main" },
      send: (ws) => {
        ws.send(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
        ws.send(startupMessage({ user: cluster.users.trust.user, database: cluster.database }));
        ws.on("message", (data: Buffer) => {
          // AuthenticationOk … ReadyForQuery: the server accepted the trusted user; say goodbye.
          if (data.includes(Buffer.from("Z\0\0\0\x05I"))) ws.send(Buffer.from([0x58, 0, 0, 0, 4]));
        });
      },
    });
    expect(closed.received[0]).toEqual(Buffer.from("N"));
    expect(closed.code).toBe(1000);
    expect(closed.reason).toBe("the server closed the connection");
  });

  it("a text frame → 1003", async () => {
    const closed = await rawSession(bridge, { query: { target: "main" }, send: (ws) => ws.send("SELECT 1") });
    expect(closed).toMatchObject({
      code: 1003,
      reason: "text frames are not accepted: send PostgreSQL bytes as binary messages",
    });
  });

  it("a text frame in the middle of a session → 1003 and the session ends", async () => {
    const closed = await rawSession(bridge, {
      query: { target: "main" },
      send: (ws) => {
        ws.send(startupMessage({ user: cluster.users.trust.user, database: cluster.database }));
        ws.once("message", () => ws.send("text"));
      },
    });
    expect(closed.code).toBe(1003);
  });

  it("a frame larger than maxPayload → 1009", async () => {
    const small = await startBridge({ limits: { maxPayload: 64 * 1024 } });
    try {
      const closed = await rawSession(small, {
        query: { target: "main" },
        send: (ws) => ws.send(Buffer.alloc(64 * 1024 + 1)),
      });
      expect(closed.code).toBe(1009);
    } finally {
      await small.close();
    }
  });
});

describe("limits and timeouts", () => {
  it("too many connections in all → 4429; too many from one address → 4429", async () => {
    const limited = await startBridge({ limits: { maxConnections: 2, maxConnectionsPerIp: 5 } });
    const perIp = await startBridge({ limits: { maxConnections: 10, maxConnectionsPerIp: 1 } });
    try {
      const a = await connect({ ...login, bridge: { url: limited.url, token: STATIC_TOKEN, target: "main" } });
      const b = await connect({ ...login, bridge: { url: limited.url, token: STATIC_TOKEN, target: "main" } });
      const err = await failure(
        connect({ ...login, bridge: { url: limited.url, token: STATIC_TOKEN, target: "main" } }),
      );
      expect(err).toBeInstanceOf(OperationalError);
      expect(err.message).toBe(
        "the bridge has too many connections: close unused connections or raise the bridge's limits " +
          "(bridge close code 4429: the bridge is at its limit of 2 connections)",
      );
      await a.close();
      await eventually(() => limited.connections === 1);
      const c = await connect({ ...login, bridge: { url: limited.url, token: STATIC_TOKEN, target: "main" } });
      await Promise.all([b.close(), c.close()]);

      const one = await connect({ ...login, bridge: { url: perIp.url, token: STATIC_TOKEN, target: "main" } });
      const second = await failure(
        connect({ ...login, bridge: { url: perIp.url, token: STATIC_TOKEN, target: "main" } }),
      );
      expect(second.message).toMatch(/4429: too many connections from your address \(limit 1\)\)$/);
      await one.close();
    } finally {
      await Promise.all([limited.close(), perIp.close()]);
    }
  });

  it("no startup message in time → 4408", async () => {
    const quick = await startBridge({ limits: { startupTimeout: 0.3 } });
    try {
      const closed = await rawSession(quick, { query: { target: "main" } });
      expect(closed).toMatchObject({ code: 4408, reason: "no PostgreSQL startup message within 0.3 s" });
    } finally {
      await quick.close();
    }
  });

  it("an idle session is closed with 4408 and the driver says why", async () => {
    const quick = await startBridge({ limits: { idleTimeout: 0.4 } });
    try {
      const con = await connect({ ...login, bridge: { url: quick.url, token: STATIC_TOKEN, target: "main" } });
      expect(await con.run("SELECT 1")).toEqual([[1]]);
      await new Promise((r) => setTimeout(r, 800));
      expect(con.closed).toBe(true);
      const err = await con.run("SELECT 1").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InterfaceError);
      const log = quick.logs.find((e) => e.event === "close");
      expect(log).toMatchObject({ by: "bridge", code: 4408, reason: "idle for 0.4 s (the bridge's idleTimeout)" });
    } finally {
      await quick.close();
    }
  });

  it("a client that stops answering pings is dropped", async () => {
    const beating = await startBridge({ limits: { heartbeatInterval: 0.15 } });
    try {
      const { WebSocket } = await import("ws");
      const ws = new WebSocket(`${beating.url}?target=main`, ["pg8000.v1", `token.${STATIC_TOKEN}`], {
        autoPong: false,
      });
      ws.on("error", () => undefined);
      const closed = await new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
      expect(closed).toBe(1006);
      await eventually(() => beating.logs.some((e) => e.event === "close"));
      expect(beating.logs.find((e) => e.event === "close")).toMatchObject({
        by: "bridge",
        code: 4408,
        reason: "no answer to WebSocket ping",
      });
    } finally {
      await beating.close();
    }
  });

  it("bridge.close() ends live sessions with 1001; the driver reports the shutdown", async () => {
    const closing = await startBridge();
    const con = await connect({ ...login, bridge: { url: closing.url, token: STATIC_TOKEN, target: "main" } });
    const closedWith = new Promise<unknown>((resolve) => con.on("close", (...args: unknown[]) => resolve(args)));
    await closing.close();
    await closedWith;
    expect(con.closed).toBe(true);
    expect(closing.logs.find((e) => e.event === "close")).toMatchObject({ by: "bridge", code: 1001 });
  });

  it("a bridge that is not running: the driver names the URL (without the token) and what to check", async () => {
    const sentinel = await startSentinel();
    const port = sentinel.port;
    await sentinel.close();
    const err = await failure(connect({ ...login, bridge: { url: `ws://127.0.0.1:${port}/`, token: STATIC_TOKEN } }));
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.message).toMatch(
      new RegExp(
        `^could not open a WebSocket to the bridge at ws://127\\.0\\.0\\.1:${port}/: check bridge\\.url and that the bridge is running and reachable \\(.*ECONNREFUSED.*\\) \\(bridge close code 1006\\)$`,
      ),
    );
    expect(err.message).not.toContain(STATIC_TOKEN);
  });

  it("a server that accepts TCP but never answers the WebSocket handshake → timeout", async () => {
    const sentinel = await startSentinel();
    try {
      const started = Date.now();
      const err = await failure(
        connect({ ...login, timeout: 0.3, bridge: { url: `ws://127.0.0.1:${sentinel.port}/`, token: STATIC_TOKEN } }),
      );
      expect(err).toBeInstanceOf(OperationalError);
      expect(err.message).toBe(
        `timeout: the bridge at ws://127.0.0.1:${sentinel.port}/ did not accept the WebSocket within 0.3 s`,
      );
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await sentinel.close();
    }
  });

  it("bad bridge options are InterfaceErrors", async () => {
    await expect(connect({ ...login, bridge: "http//nope" })).rejects.toThrow(InterfaceError);
    await expect(connect({ ...login, bridge: "ftp://x/" })).rejects.toThrow(
      "bridge.url must start with ws:// or wss://, got ftp://",
    );
    await expect(connect({ ...login, bridge: { url: bridge.url, host: "x" } as never })).rejects.toThrow(
      "unknown bridge option 'host'",
    );
    await expect(connect({ ...login, ssl_context: true, bridge: bridge.url })).rejects.toThrow(
      "ssl_context does not apply through the bridge: TLS to PostgreSQL is set per target in the bridge's config",
    );
  });
});

describe("configuration is checked at start-up", () => {
  it.each([
    [{ targets: {} }, "targets is required"],
    [
      { targets: { a: { host: "h" } } },
      "no way to check tokens: set tokens, tokenSecret or verifyToken, or requireToken: false",
    ],
    [
      { targets: { a: { host: "h" } }, tokens: ["short"] },
      "tokens must be an array of strings of at least 16 characters",
    ],
    [
      { targets: { a: { host: "h" } }, tokenSecret: "short" },
      "tokenSecret must be a string (or strings) of at least 32 characters",
    ],
    [{ targets: { "a:1": { host: "h" } }, requireToken: false }, 'target name "a:1" may use only letters'],
    [
      { targets: { a: { host: "h", tls: "maybe" } }, requireToken: false },
      'targets.a.tls must be "disable", "require" or "verify-full"',
    ],
    [
      { targets: { a: { unix_sock: "relative" } }, requireToken: false },
      "targets.a.unix_sock must be an absolute path",
    ],
    [
      { targets: { a: { host: "h" } }, requireToken: false, origins: ["https://x.example/path"] },
      "must be scheme://host[:port] only",
    ],
    [
      { targets: { a: { host: "h" } }, requireToken: false, limits: { maxConnection: 3 } },
      "limits: unknown key 'maxConnection'",
    ],
    [
      { targets: { a: { host: "h" } }, requireToken: false, listen: { host: "127.0.0.1", port: 0 }, extra: 1 },
      "unknown key 'extra'",
    ],
  ])("%o → %s", async (config, message) => {
    const err = await failure(createBridge(config as never));
    expect(err).toBeInstanceOf(BridgeConfigError);
    expect(err.message).toContain(message);
  });
});
