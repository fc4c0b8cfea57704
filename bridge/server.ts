// createBridge(): the HTTP(S) listener, the routing of each request (WebSocket endpoint, raw
// relay, /healthz, /metrics), the set of live sessions and their limits, and reload(). A
// refusal completes the WebSocket handshake and closes with a code and reason at once, because a
// browser never sees a refused handshake's HTTP status: only a close frame reaches the page.

import * as http from "node:http";
import * as https from "node:https";
import type * as net from "node:net";
import { type ServerOptions, type WebSocket, WebSocketServer } from "ws";
import { BRIDGE_SUBPROTOCOL, BRIDGE_SUBPROTOCOL_DEFLATE, CloseCode, RefusalReason } from "../src/bridge-protocol.js";
import { admit, clientIp, type Refusal, requestedTarget, requestToken } from "./admission.js";
import { type BridgeConfig, type BridgeTarget, type ResolvedConfig, resolveConfig } from "./config.js";
import { HandshakeGuard } from "./handshake-guard.js";
import { BridgeMetrics } from "./metrics.js";
import { BridgeSession, closeReason } from "./session.js";

/** The WebSocket subprotocol of this bridge; a token may ride along as "token.<t>". */
export const SUBPROTOCOL = BRIDGE_SUBPROTOCOL;
/** Handshakes completed only to deliver a refusal, at most this many at a time. */
const MAX_REFUSING = 256;

export interface Bridge {
  /** ws:// or wss:// URL of the endpoint, with the port actually bound. */
  readonly url: string;
  /** http:// URL of GET /metrics (undefined with metrics: false). */
  readonly metricsUrl: string | undefined;
  /** Sessions open now. */
  readonly connections: number;
  /**
   * Applies a new configuration to sessions opened from now on (tokens, secrets, origins,
   * targets, limits, raw relay); open sessions keep theirs. Listener settings (listen, metrics'
   * listener, limits.maxPayload, limits.heartbeatInterval) need a restart: returns their names
   * when they changed. Throws BridgeConfigError (and keeps the old configuration) if invalid.
   */
  reload(config: BridgeConfig): string[];
  /** Stops listening, closes every session (code 1001) and resolves when all are gone. */
  close(): Promise<void>;
}

export async function createBridge(config: BridgeConfig): Promise<Bridge> {
  let cfg = resolveConfig(config);
  const metrics = new BridgeMetrics();
  const guard = new HandshakeGuard(() => cfg, metrics);
  const tlsOptions = cfg.tls
    ? { cert: cfg.tls.cert, key: cfg.tls.key, handshakeTimeout: cfg.limits.handshakeTimeout * 1000 }
    : null;
  const server = tlsOptions ? https.createServer(tlsOptions) : http.createServer();
  server.headersTimeout = cfg.limits.handshakeTimeout * 1000;
  server.requestTimeout = cfg.limits.handshakeTimeout * 1000;
  const wssOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: cfg.limits.maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
    // How long a closing handshake may take before the socket is dropped (ws ≥ 8.19; not in @types/ws).
    closeTimeout: 2000,
    // The raw relay's clients offer no subprotocol; a pg8000 client gets the one it offered,
    // compressed when it offered that and compression is on.
    handleProtocols: (protocols) =>
      cfg.compression && protocols.has(BRIDGE_SUBPROTOCOL_DEFLATE)
        ? BRIDGE_SUBPROTOCOL_DEFLATE
        : protocols.has(BRIDGE_SUBPROTOCOL)
          ? BRIDGE_SUBPROTOCOL
          : false,
  };
  const wss = new WebSocketServer(wssOptions);
  const sessions = new Set<BridgeSession>();
  const perIp = new Map<string, number>();
  let refusing = 0;
  let nextId = 1;
  let stopping = false;

  /** GET /healthz and (unless served elsewhere or off) GET /metrics; false for other requests. */
  function operations(req: http.IncomingMessage, res: http.ServerResponse, metricsHere: boolean): boolean {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (path === "/healthz") {
      res.writeHead(stopping ? 503 : 200, { "content-type": "text/plain" });
      res.end(stopping ? "stopping\n" : "ok\n");
      return true;
    }
    if (path === "/metrics" && metricsHere) {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(metrics.render());
      return true;
    }
    return false;
  }

  server.on(cfg.tls ? "secureConnection" : "connection", (socket: net.Socket) => guard.opened(socket));
  server.on("request", (req, res) => {
    guard.completed(req.socket);
    // One request per connection: a kept-alive socket would escape the handshake bounds.
    res.shouldKeepAlive = false;
    if (operations(req, res, cfg.metrics !== null && cfg.metrics.listen === null)) return;
    metrics.refusal(RefusalReason.NotWebSocket);
    res.writeHead(426, { "content-type": "text/plain", upgrade: "websocket" });
    res.end(`this is a pg8000 bridge: connect with a WebSocket and the subprotocol ${BRIDGE_SUBPROTOCOL}\n`);
  });

  server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    guard.completed(socket);
    socket.on("error", () => undefined);
    const refuseHttp = (status: number, kind: RefusalReason, message: string): void => {
      metrics.refusal(kind);
      httpRefuse(socket, status, message);
    };
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://bridge");
    } catch {
      // e.g. an absolute-form request target with a broken host: "GET http://[::1 HTTP/1.1".
      return refuseHttp(400, RefusalReason.BadRequest, "malformed request target");
    }
    const current = cfg;
    const protocols = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    if (stopping) return refuseHttp(503, RefusalReason.ShuttingDown, "the bridge is shutting down");
    const raw = current.rawRelay !== null && url.pathname === current.rawRelay.path;
    if (!raw && url.pathname !== current.path)
      return refuseHttp(404, RefusalReason.NotWebSocket, `no WebSocket endpoint at ${url.pathname}`);
    if (!raw && !protocols.includes(BRIDGE_SUBPROTOCOL))
      return refuseHttp(400, RefusalReason.NotWebSocket, `offer the WebSocket subprotocol ${BRIDGE_SUBPROTOCOL}`);
    if (refusing >= MAX_REFUSING) return refuseHttp(503, RefusalReason.TooMany, "too many refused connections");
    const ip = clientIp(req, current);
    const origin = req.headers.origin;
    // The raw relay serves its one target whatever the client asks (wsproxy clients send ?address=).
    const requested = raw ? current.rawRelay!.target.name : requestedTarget(url);
    const token = requestToken(req, url, raw ? [] : protocols);
    admit(current, { ip, origin, requested, token }).then(
      (verdict) => {
        if (socket.destroyed) return;
        wss.handleUpgrade(req, socket, head, (ws) => {
          if ("code" in verdict) return refuse(ws, verdict, ip, origin, requested);
          const limited = overLimit(ip, current);
          if (limited) return refuse(ws, limited, ip, origin, verdict.target.name);
          startSession(ws, socket, ip, origin, verdict.target, current, raw);
        });
      },
      (err: unknown) => {
        current.log({ level: "error", event: "error", ip, error: err instanceof Error ? err.message : String(err) });
        refuseHttp(500, RefusalReason.BadRequest, "internal error");
      },
    );
  });

  function overLimit(ip: string, current: ResolvedConfig): Refusal | null {
    if (stopping) {
      return { code: CloseCode.GoingAway, kind: RefusalReason.ShuttingDown, reason: "the bridge is shutting down" };
    }
    if (sessions.size >= current.limits.maxConnections) {
      return {
        code: CloseCode.TooMany,
        kind: RefusalReason.TooMany,
        reason: `the bridge is at its limit of ${current.limits.maxConnections} connections`,
      };
    }
    if ((perIp.get(ip) ?? 0) >= current.limits.maxConnectionsPerIp) {
      return {
        code: CloseCode.TooMany,
        kind: RefusalReason.TooManyFromIp,
        reason: `too many connections from your address (limit ${current.limits.maxConnectionsPerIp})`,
      };
    }
    return null;
  }

  function refuse(
    ws: WebSocket,
    refusal: Refusal,
    ip: string,
    origin: string | undefined,
    target: string | undefined,
  ): void {
    refusing++;
    metrics.refusal(refusal.kind);
    ws.on("error", () => undefined);
    ws.once("close", () => refusing--);
    cfg.log({
      level: "warn",
      event: "refused",
      ip,
      origin,
      target: target?.slice(0, 64),
      code: refusal.code,
      reason: refusal.reason,
    });
    ws.close(refusal.code, closeReason(refusal.reason));
  }

  function startSession(
    ws: WebSocket,
    socket: net.Socket,
    ip: string,
    origin: string | undefined,
    target: BridgeTarget,
    current: ResolvedConfig,
    raw: boolean,
  ): void {
    const id = nextId++;
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    metrics.sessionOpened();
    const session = new BridgeSession(ws, {
      id,
      ip,
      origin,
      target,
      socket,
      config: current,
      metrics,
      onEnd: (s) => {
        sessions.delete(s);
        const n = (perIp.get(ip) ?? 1) - 1;
        if (n <= 0) perIp.delete(ip);
        else perIp.set(ip, n);
        if (sessions.size === 0) idle?.();
      },
    });
    sessions.add(session);
    current.log({ level: "info", event: "open", session: id, ip, origin, target: target.name, raw: raw || undefined });
  }

  let idle: (() => void) | undefined;
  const heartbeat =
    cfg.limits.heartbeatInterval > 0
      ? setInterval(() => {
          for (const s of sessions) s.heartbeat();
        }, cfg.limits.heartbeatInterval * 1000)
      : undefined;
  heartbeat?.unref();

  await listen(server, cfg.host, cfg.port);
  server.on("error", (err) => cfg.log({ level: "error", event: "error", error: err.message }));
  const url = `${cfg.tls ? "wss" : "ws"}://${hostForUrl(server, cfg.host)}${cfg.path}`;

  let metricsServer: http.Server | undefined;
  let metricsUrl: string | undefined;
  if (cfg.metrics?.listen) {
    metricsServer = http.createServer((req, res) => {
      res.shouldKeepAlive = false;
      if (!operations(req, res, true)) res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    });
    try {
      await listen(metricsServer, cfg.metrics.listen.host, cfg.metrics.listen.port);
    } catch (err) {
      await new Promise((resolve) => server.close(resolve));
      throw err;
    }
    metricsUrl = `http://${hostForUrl(metricsServer, cfg.metrics.listen.host)}/metrics`;
  } else if (cfg.metrics) {
    metricsUrl = `${cfg.tls ? "https" : "http"}://${hostForUrl(server, cfg.host)}/metrics`;
  }
  cfg.log({
    level: "info",
    event: "listening",
    url,
    targets: [...cfg.targets.keys()].join(","),
    requireToken: cfg.requireToken,
    metrics: metricsUrl,
    rawRelay: cfg.rawRelay ? `${cfg.rawRelay.path} → ${cfg.rawRelay.target.name}` : undefined,
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    metricsUrl,
    get connections() {
      return sessions.size;
    },
    reload(next: BridgeConfig): string[] {
      const resolved = resolveConfig(next);
      const needRestart: string[] = [];
      if (resolved.host !== cfg.host || resolved.port !== cfg.port) needRestart.push("listen");
      if (JSON.stringify(resolved.tls) !== JSON.stringify(cfg.tls)) needRestart.push("listen.tls");
      if (JSON.stringify(resolved.metrics) !== JSON.stringify(cfg.metrics)) needRestart.push("metrics");
      for (const key of ["maxPayload", "heartbeatInterval"] as const) {
        if (resolved.limits[key] !== cfg.limits[key]) needRestart.push(`limits.${key}`);
      }
      cfg = {
        ...resolved,
        host: cfg.host,
        port: cfg.port,
        tls: cfg.tls,
        metrics: cfg.metrics,
        limits: {
          ...resolved.limits,
          maxPayload: cfg.limits.maxPayload,
          heartbeatInterval: cfg.limits.heartbeatInterval,
        },
      };
      metrics.reloaded();
      cfg.log({
        level: needRestart.length > 0 ? "warn" : "info",
        event: "reloaded",
        targets: [...cfg.targets.keys()].join(","),
        needRestart: needRestart.length > 0 ? needRestart.join(",") : undefined,
      });
      return needRestart;
    },
    close() {
      closing ??= (async () => {
        stopping = true;
        if (heartbeat) clearInterval(heartbeat);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        if (sessions.size > 0) {
          const drained = new Promise<void>((resolve) => (idle = resolve));
          for (const s of sessions) s.shutdown();
          await Promise.race([drained, new Promise((r) => setTimeout(r, 3000).unref())]);
        }
        server.closeAllConnections();
        await closed;
        if (metricsServer) {
          const stopped = new Promise((resolve) => metricsServer!.close(resolve));
          metricsServer.closeAllConnections();
          await stopped;
        }
        cfg.log({ level: "info", event: "stopped", url });
      })();
      return closing;
    },
  };
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function hostForUrl(server: http.Server, host: string): string {
  const address = server.address() as net.AddressInfo;
  const urlHost = address.family === "IPv6" || host.includes(":") ? `[${address.address}]` : host;
  return `${urlHost}:${address.port}`;
}

function httpRefuse(socket: net.Socket, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ""}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}
