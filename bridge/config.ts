// The bridge's configuration: its public shape, defaults that are closed unless opened on
// purpose, and validation whose errors say what to change. Targets come only from here.

import * as net from "node:net";
import { readFile, resolveTarget } from "./targets.js";

/** How the bridge talks TLS to one PostgreSQL target (it answers the client's SSLRequest with 'N'). */
export type TargetTlsMode = "disable" | "require" | "verify-full";

export interface TargetTls {
  mode: TargetTlsMode;
  /** PEM of the CA(s) to verify the server against (verify-full); default: Node's CA store. */
  ca?: string;
  /** Path of a PEM CA file, read once at start-up. */
  caFile?: string;
  /** Name to send as SNI and to check the certificate against; default: the target's host. */
  servername?: string;
  /**
   * "postgres" (default) asks with SSLRequest first; "direct" starts the TLS handshake at once
   * (PostgreSQL 17+, one round trip less per session), as libpq's sslnegotiation.
   */
  negotiation?: "postgres" | "direct";
}

/** Who may log in to a target: checked against the client's StartupMessage before anything is dialled. */
export interface TargetLogins {
  /** Roles that may log in; default: any role (the server's own authentication still applies). */
  users?: string[];
  /** Databases that may be opened; default: any. */
  databases?: string[];
  /** Allow replication connections (`replication=true|database` in the startup packet). Default false. */
  replication?: boolean;
}

export interface TcpTarget extends TargetLogins {
  host: string;
  /** Default 5432. */
  port?: number;
  tls?: TargetTlsMode | TargetTls;
}

export interface UnixTarget extends TargetLogins {
  /** Full path of the server's socket file, e.g. /var/run/postgresql/.s.PGSQL.5432. */
  unix_sock: string;
}

export type TargetConfig = TcpTarget | UnixTarget;

/** What a verifyToken hook is told about the connection attempt. */
export interface TokenRequest {
  /** The target the client asked for (?target=), or undefined. */
  target: string | undefined;
  origin: string | undefined;
  ip: string;
}

/** A verifyToken hook's answer: false refuses; true or an object accepts (optionally fixing the target). */
export type TokenVerdict = boolean | { target?: string };

export interface BridgeLimits {
  /** Sessions open at once, cancel requests included. Default 100. */
  maxConnections?: number;
  /** Sessions open at once from one client address. Default 16. */
  maxConnectionsPerIp?: number;
  /** Seconds for the client's first PostgreSQL bytes after the WebSocket opens. Default 10. */
  startupTimeout?: number;
  /** Seconds to connect (and do TLS) to the target. Default 10. */
  connectTimeout?: number;
  /** Seconds without bytes in either direction before the session is closed; 0 = never. Default 900. */
  idleTimeout?: number;
  /** Largest WebSocket message accepted from a client, in bytes. Default 1 MiB. */
  maxPayload?: number;
  /** Bytes queued towards one client before the bridge stops reading from PostgreSQL. Default 1 MiB. */
  highWaterMark?: number;
  /** Seconds between WebSocket pings; a client that missed the previous pong is dropped. 0 = off. Default 30. */
  heartbeatInterval?: number;
  /** Seconds from TCP connect until the WebSocket upgrade request is complete (slow or partial headers). Default 10. */
  handshakeTimeout?: number;
  /** Unfinished HTTP handshakes at once from one address (not applied with trustProxy). Default 32. */
  maxHandshakesPerIp?: number;
}

/** Prometheus metrics: on the bridge's own listener by default, or on a separate one. */
export interface BridgeMetricsConfig {
  /** Serve GET /metrics and /healthz here instead (e.g. an address only the monitoring network reaches). */
  listen?: { host?: string; port?: number };
}

/**
 * A raw WebSocket relay for ONE target, for clients that speak the wire protocol in binary frames
 * without the pg8000 subprotocol (wsproxy-style clients such as @neondatabase/serverless).
 */
export interface RawRelayConfig {
  /** The target every raw session goes to; the client cannot choose another. */
  target: string;
  /** The endpoint's path; default "/raw". Any query (e.g. ?address=) other than token is ignored. */
  path?: string;
}

/** One structured log record. Never carries payload bytes, tokens or passwords. */
export interface BridgeLogEvent {
  time: string;
  level: "info" | "warn" | "error";
  event: "listening" | "refused" | "open" | "upstream" | "close" | "reloaded" | "stopped" | "error";
  [field: string]: string | number | boolean | undefined;
}

export interface BridgeConfig {
  /** Where to listen. Default 127.0.0.1:5480. `port: 0` picks a free port (see the returned url). */
  listen?: {
    host?: string;
    port?: number;
    /** Serve wss:// directly (otherwise put a TLS-terminating proxy in front in production). */
    tls?: { cert?: string; key?: string; certFile?: string; keyFile?: string };
  };
  /** URL path the WebSocket endpoint answers on. Default "/". */
  path?: string;
  /** Named PostgreSQL servers; clients choose among these names and nothing else. */
  targets: Record<string, TargetConfig>;
  /** Static tokens; any of them opens any target. */
  tokens?: string[];
  /** Secret(s) for HMAC-signed tokens from mintToken() (the first mints; all verify, for rotation). */
  tokenSecret?: string | string[];
  /** Your own check, e.g. a session lookup. Runs when the token is neither static nor signed by tokenSecret. */
  verifyToken?: (token: string, request: TokenRequest) => TokenVerdict | Promise<TokenVerdict>;
  /** Default true. Set false only to let anyone who can reach the bridge use every target. */
  requireToken?: boolean;
  /** Page origins allowed to connect, e.g. ["https://app.example.com"]; "*" allows any. Default: none
   * (requests without an Origin header, i.e. non-browser clients, are not affected). */
  origins?: string[] | "*";
  limits?: BridgeLimits;
  /** Take the client address from the last X-Forwarded-For entry (only behind your own proxy). */
  trustProxy?: boolean;
  /** Receives structured log records; false silences them. Default: JSON lines on stderr. */
  log?: false | ((event: BridgeLogEvent) => void);
  /** GET /metrics in Prometheus' text format; false turns it off. Default: on the bridge's listener. */
  metrics?: false | BridgeMetricsConfig;
  /**
   * Default true: clients that offer it (pg8000 in browsers) get the server's bytes compressed
   * (raw DEFLATE, level 1; pieces under 2 KiB go as they are). Costs the bridge ~7 ms of CPU per
   * MB of results, on zlib's thread pool; false sends everything uncompressed. `{ minRatio }`
   * sets how much smaller a piece must get for compression to go on (default 2.5, tuned for a
   * browser on a fast network, where inflating costs the page more than the bytes; over slow
   * links every saving counts: 1.2, or 1 to always compress).
   */
  compression?: boolean | { minRatio?: number };
  /** Off by default. Serves a raw relay (no subprotocol; token in ?token= or Authorization: Bearer). */
  rawRelay?: RawRelayConfig;
}

/** A target after validation, in the form the dialler uses. */
export type BridgeTarget = (
  | { name: string; kind: "tcp"; host: string; port: number; tls: ResolvedTargetTls }
  | { name: string; kind: "unix"; path: string; tls: ResolvedTargetTls }
) & {
  /** null = any. */
  users: Set<string> | null;
  databases: Set<string> | null;
  replication: boolean;
};

export interface ResolvedTargetTls {
  mode: TargetTlsMode;
  ca?: string;
  servername?: string;
  negotiation: "postgres" | "direct";
}

export interface ResolvedConfig {
  host: string;
  port: number;
  tls: { cert: string; key: string } | null;
  path: string;
  targets: Map<string, BridgeTarget>;
  staticTokens: string[];
  secrets: string[];
  verifyToken: BridgeConfig["verifyToken"];
  requireToken: boolean;
  origins: Set<string> | "*";
  limits: Required<BridgeLimits>;
  trustProxy: boolean;
  log: (event: Omit<BridgeLogEvent, "time">) => void;
  /** null = off; listen null = on the bridge's own listener. */
  metrics: { listen: { host: string; port: number } | null } | null;
  rawRelay: { target: BridgeTarget; path: string } | null;
  /** null = off. */
  compression: { minRatio: number } | null;
}

export const DEFAULT_PORT = 5480;

/** Compressed pieces must get at least this many times smaller, or compression pauses. */
export const DEFAULT_MIN_RATIO = 2.5;

const DEFAULT_LIMITS: Required<BridgeLimits> = {
  maxConnections: 100,
  maxConnectionsPerIp: 16,
  startupTimeout: 10,
  connectTimeout: 10,
  idleTimeout: 900,
  maxPayload: 1024 * 1024,
  highWaterMark: 1024 * 1024,
  heartbeatInterval: 30,
  handshakeTimeout: 10,
  maxHandshakesPerIp: 32,
};

export class BridgeConfigError extends Error {
  override name = "BridgeConfigError";
}

export function fail(message: string): never {
  throw new BridgeConfigError(`bridge config: ${message}`);
}

export function resolveConfig(config: BridgeConfig): ResolvedConfig {
  if (config === null || typeof config !== "object") fail("createBridge() takes a config object");
  const known = new Set([
    "listen",
    "path",
    "targets",
    "tokens",
    "tokenSecret",
    "verifyToken",
    "requireToken",
    "origins",
    "limits",
    "trustProxy",
    "log",
    "metrics",
    "rawRelay",
    "compression",
  ]);
  for (const key of Object.keys(config)) {
    if (!known.has(key)) fail(`unknown key '${key}'; valid keys are: ${[...known].join(", ")}`);
  }

  const listen = config.listen ?? {};
  const host = listen.host ?? "127.0.0.1";
  if (typeof host !== "string" || host === "") fail("listen.host must be a non-empty string");
  const port = listen.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`listen.port must be an integer from 0 to 65535, got ${String(port)}`);
  const tls = listen.tls ? resolveListenTls(listen.tls) : null;

  const path = config.path ?? "/";
  if (typeof path !== "string" || !path.startsWith("/")) fail(`path must start with "/", got ${JSON.stringify(path)}`);

  if (!config.targets || typeof config.targets !== "object" || Object.keys(config.targets).length === 0) {
    fail('targets is required: e.g. { "main": { "host": "127.0.0.1", "port": 5432 } }');
  }
  const targets = new Map<string, BridgeTarget>();
  for (const [name, target] of Object.entries(config.targets)) targets.set(name, resolveTarget(name, target));

  const staticTokens = config.tokens ?? [];
  if (!Array.isArray(staticTokens) || staticTokens.some((t) => typeof t !== "string" || t.length < 16)) {
    fail("tokens must be an array of strings of at least 16 characters (use long random values)");
  }
  const secrets =
    config.tokenSecret === undefined
      ? []
      : Array.isArray(config.tokenSecret)
        ? config.tokenSecret
        : [config.tokenSecret];
  if (secrets.some((s) => typeof s !== "string" || s.length < 32)) {
    fail("tokenSecret must be a string (or strings) of at least 32 characters, e.g. `openssl rand -hex 32`");
  }
  if (config.verifyToken !== undefined && typeof config.verifyToken !== "function")
    fail("verifyToken must be a function");
  const requireToken = config.requireToken ?? true;
  if (typeof requireToken !== "boolean") fail("requireToken must be a boolean");
  if (requireToken && staticTokens.length === 0 && secrets.length === 0 && !config.verifyToken) {
    fail(
      "no way to check tokens: set tokens, tokenSecret or verifyToken, or requireToken: false to let anyone " +
        "who can reach the bridge open sessions on every target",
    );
  }

  let origins: Set<string> | "*";
  if (config.origins === "*") origins = "*";
  else {
    const list = config.origins ?? [];
    if (!Array.isArray(list)) fail('origins must be an array of origins such as "https://app.example.com", or "*"');
    origins = new Set(
      list.map((o) => {
        let url: URL;
        try {
          url = new URL(o);
        } catch {
          fail(`origins: ${JSON.stringify(o)} is not an origin such as "https://app.example.com"`);
        }
        if (url.origin === "null" || url.origin !== o.replace(/\/$/, "")) {
          fail(`origins: ${JSON.stringify(o)} must be scheme://host[:port] only (no path), e.g. "${url.origin}"`);
        }
        return url.origin;
      }),
    );
  }

  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(config.limits ?? {})) {
    if (!(key in DEFAULT_LIMITS))
      fail(`limits: unknown key '${key}'; valid keys are: ${Object.keys(DEFAULT_LIMITS).join(", ")}`);
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
      fail(`limits.${key} must be a non-negative number`);
    (limits as Record<string, number>)[key] = value;
  }
  for (const key of [
    "maxConnections",
    "maxConnectionsPerIp",
    "maxPayload",
    "highWaterMark",
    "connectTimeout",
    "startupTimeout",
    "handshakeTimeout",
    "maxHandshakesPerIp",
  ] as const) {
    if (!(limits[key] > 0)) fail(`limits.${key} must be greater than 0`);
  }
  if (limits.maxPayload < 1024) fail("limits.maxPayload must be at least 1024 bytes");

  return {
    host,
    port,
    tls,
    path,
    targets,
    staticTokens,
    secrets,
    verifyToken: config.verifyToken,
    requireToken,
    origins,
    limits,
    trustProxy: config.trustProxy === true,
    log: makeLogger(config.log),
    metrics: resolveMetrics(config.metrics),
    rawRelay: resolveRawRelay(config.rawRelay, targets, path),
    compression: resolveCompression(config.compression),
  };
}

function resolveCompression(compression: BridgeConfig["compression"]): ResolvedConfig["compression"] {
  if (compression === undefined || compression === true) return { minRatio: DEFAULT_MIN_RATIO };
  if (compression === false) return null;
  if (compression === null || typeof compression !== "object" || Array.isArray(compression)) {
    fail("compression must be true, false or { minRatio }");
  }
  for (const key of Object.keys(compression)) {
    if (key !== "minRatio") fail(`compression: unknown key '${key}'; valid: minRatio`);
  }
  const minRatio = compression.minRatio ?? DEFAULT_MIN_RATIO;
  if (typeof minRatio !== "number" || !(minRatio >= 1) || !Number.isFinite(minRatio)) {
    fail("compression.minRatio must be a number ≥ 1 (1 compresses everything)");
  }
  return { minRatio };
}

function resolveMetrics(metrics: BridgeConfig["metrics"]): ResolvedConfig["metrics"] {
  if (metrics === false) return null;
  if (metrics === undefined) return { listen: null };
  if (typeof metrics !== "object" || metrics === null) fail("metrics must be false or { listen?: { host, port } }");
  for (const key of Object.keys(metrics)) if (key !== "listen") fail(`metrics: unknown key '${key}'; valid: listen`);
  if (metrics.listen === undefined) return { listen: null };
  const host = metrics.listen.host ?? "127.0.0.1";
  const port = metrics.listen.port ?? 9480;
  if (typeof host !== "string" || host === "") fail("metrics.listen.host must be a non-empty string");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`metrics.listen.port must be an integer from 0 to 65535, got ${String(port)}`);
  return { listen: { host, port } };
}

function resolveRawRelay(
  raw: BridgeConfig["rawRelay"],
  targets: Map<string, BridgeTarget>,
  path: string,
): ResolvedConfig["rawRelay"] {
  if (raw === undefined) return null;
  if (raw === null || typeof raw !== "object") fail('rawRelay must be { target: "NAME", path?: "/raw" }');
  for (const key of Object.keys(raw))
    if (key !== "target" && key !== "path") fail(`rawRelay: unknown key '${key}'; valid: target, path`);
  const target = targets.get(raw.target);
  if (!target) fail(`rawRelay.target must name one of the targets (${[...targets.keys()].join(", ")})`);
  const rawPath = raw.path ?? "/raw";
  if (typeof rawPath !== "string" || !rawPath.startsWith("/"))
    fail(`rawRelay.path must start with "/", got ${JSON.stringify(rawPath)}`);
  if (rawPath === path) fail(`rawRelay.path must differ from path (${path})`);
  if (rawPath === "/healthz" || rawPath === "/metrics") fail(`rawRelay.path cannot be ${rawPath}`);
  return { target, path: rawPath };
}

function resolveListenTls(t: NonNullable<NonNullable<BridgeConfig["listen"]>["tls"]>): { cert: string; key: string } {
  const cert = t.cert ?? (t.certFile ? readFile(t.certFile, "listen.tls.certFile") : undefined);
  const key = t.key ?? (t.keyFile ? readFile(t.keyFile, "listen.tls.keyFile") : undefined);
  if (!cert || !key) fail("listen.tls needs cert and key (PEM strings) or certFile and keyFile");
  return { cert, key };
}

function makeLogger(log: BridgeConfig["log"]): ResolvedConfig["log"] {
  if (log === false) return () => undefined;
  const sink = log ?? ((event: BridgeLogEvent) => process.stderr.write(`${JSON.stringify(event)}\n`));
  if (typeof sink !== "function") fail("log must be a function or false");
  return (event) => {
    try {
      sink({ time: new Date().toISOString(), ...event } as BridgeLogEvent);
    } catch {
      // A failing log sink must not take sessions down.
    }
  };
}

/** True for an IP literal (SNI must not carry one). */
export function isIpLiteral(host: string): boolean {
  return net.isIP(host) !== 0;
}
