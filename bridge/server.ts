// createBridge(): the HTTP(S) listener, the admission policy of every WebSocket (origin, token,
// target, limits) and the set of live sessions. A refusal completes the WebSocket handshake and
// closes with a code and reason at once, because a browser never sees a refused handshake's
// HTTP status: only a close frame reaches the page.

import * as http from "node:http";
import * as https from "node:https";
import type * as net from "node:net";
import { type ServerOptions, type WebSocket, WebSocketServer } from "ws";
import { type BridgeConfig, type BridgeTarget, type ResolvedConfig, resolveConfig } from "./config.js";
import { BridgeSession, CloseCode, closeReason } from "./session.js";
import { isStaticToken, verifySignedToken } from "./tokens.js";

/** The WebSocket subprotocol of this bridge; a token may ride along as "token.<t>". */
export const SUBPROTOCOL = "pg8000.v1";
const TOKEN_PROTOCOL_PREFIX = "token.";
/** Handshakes completed only to deliver a refusal, at most this many at a time. */
const MAX_REFUSING = 256;

export interface Bridge {
  /** ws:// or wss:// URL of the endpoint, with the port actually bound. */
  readonly url: string;
  /** Sessions open now. */
  readonly connections: number;
  /** Stops listening, closes every session (code 1001) and resolves when all are gone. */
  close(): Promise<void>;
}

interface Admission {
  target: BridgeTarget;
}

type Refusal = { code: number; reason: string };

export async function createBridge(config: BridgeConfig): Promise<Bridge> {
  const cfg = resolveConfig(config);
  const server = cfg.tls ? https.createServer({ cert: cfg.tls.cert, key: cfg.tls.key }) : http.createServer();
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  const wssOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: cfg.limits.maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
    // How long a closing handshake may take before the socket is dropped (ws ≥ 8.19; not in @types/ws).
    closeTimeout: 2000,
    handleProtocols: () => SUBPROTOCOL,
  };
  const wss = new WebSocketServer(wssOptions);
  const sessions = new Set<BridgeSession>();
  const perIp = new Map<string, number>();
  let refusing = 0;
  let nextId = 1;
  let stopping = false;

  server.on("request", (req, res) => {
    if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    res.writeHead(426, { "content-type": "text/plain", upgrade: "websocket" });
    res.end(`this is a pg8000 bridge: connect with a WebSocket and the subprotocol ${SUBPROTOCOL}\n`);
  });

  server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    socket.on("error", () => undefined);
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://bridge");
    } catch {
      // e.g. an absolute-form request target with a broken host: "GET http://[::1 HTTP/1.1".
      return httpRefuse(socket, 400, "malformed request target");
    }
    const protocols = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    if (stopping) return httpRefuse(socket, 503, "the bridge is shutting down");
    if (url.pathname !== cfg.path) return httpRefuse(socket, 404, `no WebSocket endpoint at ${url.pathname}`);
    if (!protocols.includes(SUBPROTOCOL))
      return httpRefuse(socket, 400, `offer the WebSocket subprotocol ${SUBPROTOCOL}`);
    if (refusing >= MAX_REFUSING) return httpRefuse(socket, 503, "too many refused connections");
    const ip = clientIp(req, cfg);
    const origin = req.headers.origin;
    const requested = url.searchParams.get("target") ?? undefined;
    const token =
      protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length) ??
      url.searchParams.get("token") ??
      undefined;
    admit(cfg, { ip, origin, requested, token }).then(
      (verdict) => {
        if (socket.destroyed) return;
        wss.handleUpgrade(req, socket, head, (ws) => {
          if ("code" in verdict) return refuse(ws, verdict, ip, origin, requested);
          const limited = overLimit(ip);
          if (limited) return refuse(ws, limited, ip, origin, verdict.target.name);
          startSession(ws, ip, origin, verdict.target);
        });
      },
      (err: unknown) => {
        cfg.log({ level: "error", event: "error", ip, error: err instanceof Error ? err.message : String(err) });
        httpRefuse(socket, 500, "internal error");
      },
    );
  });

  function overLimit(ip: string): Refusal | null {
    if (stopping) return { code: CloseCode.GoingAway, reason: "the bridge is shutting down" };
    if (sessions.size >= cfg.limits.maxConnections) {
      return {
        code: CloseCode.TooMany,
        reason: `the bridge is at its limit of ${cfg.limits.maxConnections} connections`,
      };
    }
    if ((perIp.get(ip) ?? 0) >= cfg.limits.maxConnectionsPerIp) {
      return {
        code: CloseCode.TooMany,
        reason: `too many connections from your address (limit ${cfg.limits.maxConnectionsPerIp})`,
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

  function startSession(ws: WebSocket, ip: string, origin: string | undefined, target: BridgeTarget): void {
    const id = nextId++;
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    const session = new BridgeSession(ws, {
      id,
      ip,
      origin,
      target,
      config: cfg,
      onEnd: (s) => {
        sessions.delete(s);
        const n = (perIp.get(ip) ?? 1) - 1;
        if (n <= 0) perIp.delete(ip);
        else perIp.set(ip, n);
        if (sessions.size === 0) idle?.();
      },
    });
    sessions.add(session);
    cfg.log({ level: "info", event: "open", session: id, ip, origin, target: target.name });
  }

  let idle: (() => void) | undefined;
  const heartbeat =
    cfg.limits.heartbeatInterval > 0
      ? setInterval(() => {
          for (const s of sessions) s.heartbeat();
        }, cfg.limits.heartbeatInterval * 1000)
      : undefined;
  heartbeat?.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: cfg.host, port: cfg.port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err) => cfg.log({ level: "error", event: "error", error: err.message }));
  const address = server.address() as net.AddressInfo;
  const urlHost = address.family === "IPv6" || cfg.host.includes(":") ? `[${address.address}]` : cfg.host;
  const url = `${cfg.tls ? "wss" : "ws"}://${urlHost}:${address.port}${cfg.path}`;
  cfg.log({
    level: "info",
    event: "listening",
    url,
    targets: [...cfg.targets.keys()].join(","),
    requireToken: cfg.requireToken,
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    get connections() {
      return sessions.size;
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
        cfg.log({ level: "info", event: "stopped", url });
      })();
      return closing;
    },
  };
}

interface AdmissionRequest {
  ip: string;
  origin: string | undefined;
  requested: string | undefined;
  token: string | undefined;
}

/** Origin, then token, then target: the order in which a client learns what is wrong. */
async function admit(cfg: ResolvedConfig, r: AdmissionRequest): Promise<Admission | Refusal> {
  if (r.origin !== undefined && cfg.origins !== "*" && !cfg.origins.has(r.origin)) {
    return {
      code: CloseCode.Forbidden,
      reason: `origin ${r.origin.slice(0, 60)} is not allowed by the bridge's origins`,
    };
  }
  let tokenTarget: string | undefined;
  if (cfg.requireToken) {
    if (!r.token) return { code: CloseCode.Unauthorized, reason: "a token is required" };
    const signed = verifySignedToken(r.token, cfg.secrets);
    if (signed && !signed.ok) return { code: signed.code, reason: signed.reason };
    if (signed?.ok) tokenTarget = signed.target;
    else if (!isStaticToken(r.token, cfg.staticTokens)) {
      if (!cfg.verifyToken) return { code: CloseCode.Unauthorized, reason: "token not accepted" };
      let verdict: Awaited<ReturnType<typeof cfg.verifyToken>>;
      try {
        verdict = await cfg.verifyToken(r.token, { target: r.requested, origin: r.origin, ip: r.ip });
      } catch (err) {
        cfg.log({
          level: "error",
          event: "error",
          ip: r.ip,
          error: `verifyToken threw: ${err instanceof Error ? err.message : String(err)}`,
        });
        return { code: CloseCode.Unauthorized, reason: "token check failed" };
      }
      if (!verdict) return { code: CloseCode.Unauthorized, reason: "token not accepted" };
      if (typeof verdict === "object") tokenTarget = verdict.target;
    }
  }
  let name = r.requested ?? tokenTarget;
  if (name === undefined) {
    if (cfg.targets.size !== 1) {
      return {
        code: CloseCode.Forbidden,
        reason: `name a target (one of: ${[...cfg.targets.keys()].join(", ")})`.slice(0, 120),
      };
    }
    name = cfg.targets.keys().next().value!;
  }
  if (tokenTarget !== undefined && name !== tokenTarget) {
    return {
      code: CloseCode.Forbidden,
      reason: `the token is for target '${tokenTarget}', not '${name.slice(0, 40)}'`,
    };
  }
  const target = cfg.targets.get(name);
  if (!target) return { code: CloseCode.Forbidden, reason: `unknown target '${name.slice(0, 60)}'` };
  return { target };
}

function clientIp(req: http.IncomingMessage, cfg: ResolvedConfig): string {
  let ip = req.socket.remoteAddress ?? "unknown";
  if (cfg.trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const last = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",").pop()?.trim();
    if (last) ip = last;
  }
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
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
