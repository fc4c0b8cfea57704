// Shared pieces of the bridge tests: a real bridge in front of the test cluster, a raw
// WebSocket client for the refusal cases the driver would never produce, a listening sentinel
// that counts every connection made to it, and a WebSocket pair whose server side is a raw socket.

import { readFileSync } from "node:fs";
import type * as http from "node:http";
import * as net from "node:net";
import { WebSocket, WebSocketServer, WebSocket as WsClient } from "ws";
import { type Bridge, type BridgeConfig, type BridgeLogEvent, createBridge } from "../../bridge/index.js";
import { clusterInfo } from "../tools/cluster-info.js";

export const cluster = clusterInfo();
export const SECRET = "test-secret-0123456789abcdef0123456789abcdef";
export const STATIC_TOKEN = "static-token-0123456789";

/** Targets in front of the test cluster: plain TCP, TLS require, TLS verify-full, the unix socket. */
export function clusterTargets(): BridgeConfig["targets"] {
  return {
    main: { host: cluster.host, port: cluster.port },
    tls: { host: cluster.host, port: cluster.port, tls: "require" },
    verified: {
      host: cluster.host,
      port: cluster.port,
      tls: { mode: "verify-full", ca: readFileSync(cluster.caCertPath, "utf8") },
    },
    socket: { unix_sock: cluster.socketPath },
  };
}

export interface TestBridge extends Bridge {
  logs: BridgeLogEvent[];
}

/** A bridge on a free port with the cluster targets, both token kinds, and its log kept. */
export async function startBridge(overrides: Partial<BridgeConfig> = {}): Promise<TestBridge> {
  const logs: BridgeLogEvent[] = [];
  const bridge = await createBridge({
    listen: { host: "127.0.0.1", port: 0 },
    targets: clusterTargets(),
    tokens: [STATIC_TOKEN],
    tokenSecret: SECRET,
    log: (e) => logs.push(e),
    ...overrides,
  });
  return Object.assign(bridge, { logs });
}

export interface RawClose {
  code: number;
  reason: string;
  /** Binary messages received before the close. */
  received: Buffer[];
}

export interface RawOptions {
  protocols?: string[];
  origin?: string;
  query?: Record<string, string>;
  /** Sent once the socket is open. */
  send?: (ws: WebSocket) => void;
  maxPayload?: number;
}

/** Opens a WebSocket with ws directly and resolves with how the bridge closed it. */
export function rawSession(bridge: Bridge, options: RawOptions = {}): Promise<RawClose> {
  const url = new URL(bridge.url);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const ws = new WebSocket(url, options.protocols ?? ["pg8000.v1", `token.${STATIC_TOKEN}`], {
    origin: options.origin,
    maxPayload: options.maxPayload,
  });
  const received: Buffer[] = [];
  return new Promise((resolve, reject) => {
    ws.on("open", () => options.send?.(ws));
    ws.on("message", (data) => received.push(data as Buffer));
    ws.on("error", () => undefined);
    ws.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString(), received }));
  });
}

/** A StartupMessage (protocol 3.0) for `user`. */
export function startupMessage(params: Record<string, string>): Buffer {
  const body = Buffer.concat([
    Buffer.from([0, 3, 0, 0]),
    ...Object.entries(params).map(([k, v]) => Buffer.from(`${k}\0${v}\0`)),
    Buffer.from([0]),
  ]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([length, body]);
}

/** A TCP server that records every connection and sends nothing. */
export async function startSentinel(): Promise<{
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Waits until `check` holds (bridge bookkeeping settles a moment after a close). */
export async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A ws server, the raw socket of the one connection it accepted, and a ws client to it. */
export async function framePair(): Promise<{
  socket: net.Socket;
  ws: WebSocket;
  client: WsClient;
  close(): Promise<void>;
}> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once("listening", resolve));
  const accepted = new Promise<{ ws: WebSocket; socket: net.Socket }>((resolve) =>
    wss.on("connection", (ws: WebSocket, req: http.IncomingMessage) => resolve({ ws, socket: req.socket })),
  );
  const client = new WsClient(`ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/`, {
    perMessageDeflate: false,
  });
  const { ws, socket } = await accepted;
  await new Promise((resolve) => (client.readyState === WsClient.OPEN ? resolve(null) : client.once("open", resolve)));
  return {
    socket,
    ws,
    client,
    close: () =>
      new Promise((resolve) => {
        client.terminate();
        wss.close(() => resolve());
      }),
  };
}
