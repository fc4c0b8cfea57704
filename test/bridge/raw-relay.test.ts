// Raw WebSocket relays: binary frames carry the wire protocol, no pg8000 subprotocol.
// - our client (`bridge: { url, protocol: "raw" }`) against a minimal wsproxy-style relay;
// - the bridge's raw relay mode (one configured target; token in ?token= or Authorization)
//   with our client and with @neondatabase/serverless, which speaks exactly this.

import * as net from "node:net";
import { Client, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer, WebSocket as WsClient } from "ws";
import { mintToken } from "../../bridge/index.js";
import { InterfaceError, OperationalError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";
import { cluster, rawSession, SECRET, STATIC_TOKEN, startBridge, startSentinel, type TestBridge } from "./fixtures.js";

const scram = { ...cluster.users.scram, database: cluster.database };

/** A relay like wsproxy: every WebSocket becomes a TCP connection to ?address=host:port, bytes both ways. */
async function startMinimalRelay(): Promise<{ url: string; close(): Promise<void> }> {
  // Like wsproxy, it selects no subprotocol.
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: () => false });
  await new Promise((resolve) => wss.once("listening", resolve));
  wss.on("connection", (ws: WebSocket, req) => {
    const address = new URL(req.url ?? "/", "http://relay").searchParams.get("address") ?? "";
    const [host, port] = address.split(":");
    const tcp = net.connect({ host, port: Number(port) });
    tcp.on("data", (chunk) => ws.send(chunk));
    tcp.on("close", () => ws.close());
    tcp.on("error", () => ws.close(1011));
    ws.on("message", (data) => tcp.write(data as Buffer));
    ws.on("close", () => tcp.end());
  });
  const { port } = wss.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe("our client against a minimal raw relay", () => {
  let relay: Awaited<ReturnType<typeof startMinimalRelay>>;
  beforeAll(async () => {
    relay = await startMinimalRelay();
  });
  afterAll(async () => {
    await relay.close();
  });

  it("SCRAM login, queries, large results and cancel work over plain binary frames", async () => {
    const url = `${relay.url}?address=${cluster.host}:${cluster.port}`;
    const con = await connect({ ...scram, bridge: { url, protocol: "raw" } });
    expect(await con.run("SELECT current_user, :n::int * 2", { n: 21 })).toEqual([[cluster.users.scram.user, 42]]);
    const [[big]] = (await con.run("SELECT repeat('ab', 200000)")) as [[string]];
    expect(big.length).toBe(400000);
    const slow = con.run("SELECT pg_sleep(10)").catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await con.cancel();
    expect(await slow).toMatchObject({ code: "57014" });
    await con.close();
  });

  it("without protocol: 'raw' the client refuses a relay that is not a pg8000 bridge", async () => {
    const url = `${relay.url}?address=${cluster.host}:${cluster.port}`;
    const err = await connect({ ...scram, bridge: { url } }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(
      /^could not open a WebSocket to the bridge at ws:\/\/127\.0\.0\.1:\d+\/v1\?address=/,
    );
  });

  it("bad raw options are InterfaceErrors", async () => {
    await expect(connect({ ...scram, bridge: { url: relay.url, protocol: "tcp" as "raw" } })).rejects.toThrow(
      InterfaceError,
    );
    await expect(connect({ ...scram, bridge: { url: relay.url, protocol: "raw", target: "main" } })).rejects.toThrow(
      /bridge.target does not apply with protocol: "raw"/,
    );
  });
});

describe("the bridge's raw relay mode", () => {
  let bridge: TestBridge;
  let rawUrl: string;
  beforeAll(async () => {
    bridge = await startBridge({ rawRelay: { target: "main" } });
    rawUrl = new URL("/raw", bridge.url).href;
  });
  afterAll(async () => {
    await bridge.close();
  });

  it("is off unless configured: /raw is not an endpoint", async () => {
    const plain = await startBridge();
    try {
      const status = await new Promise<number>((resolve) => {
        const ws = new WsClient(new URL("/raw", plain.url));
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("error", () => undefined);
      });
      expect(status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it("our client in raw mode, with the token in the query", async () => {
    const con = await connect({ ...scram, bridge: { url: rawUrl, token: STATIC_TOKEN, protocol: "raw" } });
    expect(await con.run("SELECT current_user")).toEqual([[cluster.users.scram.user]]);
    await con.close();
  });

  it("refusals close with the bridge's codes, which the client reports as usual", async () => {
    const noToken = await connect({ ...scram, bridge: { url: rawUrl, protocol: "raw" } }).catch((e: unknown) => e);
    expect(noToken).toBeInstanceOf(OperationalError);
    expect((noToken as Error).message).toMatch(/\(bridge close code 4401: a token is required\)$/);
    const otherTarget = mintToken({ secret: SECRET, target: "tls" });
    const wrong = await connect({ ...scram, bridge: { url: rawUrl, token: otherTarget, protocol: "raw" } }).catch(
      (e: unknown) => e as Error,
    );
    expect((wrong as Error).message).toMatch(/4403: the token is for target 'tls', not 'main'\)$/);
  });

  it("serves only its one target: ?address= and ?target= are ignored, nothing else is dialled", async () => {
    const sentinel = await startSentinel();
    try {
      const ws = new WsClient(`${rawUrl}?address=127.0.0.1:${sentinel.port}&target=tls&token=${STATIC_TOKEN}`);
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      expect(ws.protocol).toBe("");
      ws.close();
      const con = await connect({
        ...scram,
        bridge: { url: `${rawUrl}?address=127.0.0.1:${sentinel.port}`, token: STATIC_TOKEN, protocol: "raw" },
      });
      expect(await con.run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).toEqual([[false]]);
      await con.close();
      expect(sentinel.connections()).toBe(0);
    } finally {
      await sentinel.close();
    }
  });

  it("the pg8000 endpoint is unchanged beside it", async () => {
    const closed = await rawSession(bridge, {
      query: { target: "main" },
      send: (ws) => ws.send(Buffer.from("hello!!!")),
    });
    expect(closed.code).toBe(4400);
  });

  describe("@neondatabase/serverless as the client", () => {
    const port = (): string => new URL(bridge.url).port;
    beforeAll(() => {
      neonConfig.webSocketConstructor = WsClient;
      // Plain ws:// to the bridge (tests); TLS to PostgreSQL is the bridge's job, so no SSLRequest.
      neonConfig.useSecureWebSocket = false;
      neonConfig.forceDisablePgSSL = true;
      neonConfig.pipelineTLS = false;
      // "password" pipelining assumes cleartext auth; SCRAM needs the normal exchange.
      neonConfig.pipelineConnect = false;
    });

    it("token in the query string (wsProxy), SCRAM login, parameters, a transaction", async () => {
      const token = mintToken({ secret: SECRET, target: "main" });
      const client = new Client({
        host: "db.example",
        port: 5432,
        user: cluster.users.scram.user,
        password: cluster.users.scram.password,
        database: cluster.database,
      });
      client.neonConfig.wsProxy = () => `127.0.0.1:${port()}/raw?token=${token}`;
      await client.connect();
      const result = await client.query("SELECT current_user AS who, $1::int + 1 AS n", [41]);
      expect(result.rows).toEqual([{ who: cluster.users.scram.user, n: 42 }]);
      await client.query("BEGIN");
      expect((await client.query("SELECT txid_current_if_assigned() IS NULL AS fresh")).rows).toEqual([
        { fresh: true },
      ]);
      await client.query("COMMIT");
      await client.end();
      const log = bridge.logs.filter((e) => e.event === "open" && e.raw === true);
      expect(log.length).toBeGreaterThan(0);
    });

    it("token in an Authorization header (a WebSocket class that sends it)", async () => {
      class WithAuthorization extends WsClient {
        constructor(url: string) {
          super(url, { headers: { authorization: `Bearer ${STATIC_TOKEN}` } });
        }
      }
      const client = new Client({
        host: "db.example",
        user: cluster.users.password.user,
        password: cluster.users.password.password,
        database: cluster.database,
      });
      client.neonConfig.webSocketConstructor = WithAuthorization;
      client.neonConfig.wsProxy = () => `127.0.0.1:${port()}/raw`;
      // Cleartext password auth: Neon's pipelined startup works too.
      client.neonConfig.pipelineConnect = "password";
      await client.connect();
      expect((await client.query("SELECT 'neon' AS via")).rows).toEqual([{ via: "neon" }]);
      await client.end();
    });

    it("a refusal reaches Neon's client as an error, not a hang", async () => {
      const client = new Client({ host: "db.example", user: "x", password: "y", database: "z" });
      client.neonConfig.wsProxy = () => `127.0.0.1:${port()}/raw?token=wrong-token-0123456789`;
      const err = await client.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
    });
  });
});
