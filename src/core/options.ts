// Connection options: the shape of API.md, validation with errors that say what to fix, libpq
// connection strings (URI and keyword/value) and, in Node, libpq's environment variables,
// service file and password file (src/config/).

import { CODEC_SOURCE_EXPECTED, type CodecSource, isCodecSource } from "../codec/module.js";
import { parseConnectionString } from "../config/conninfo.js";
import { expandHosts, type HostList, type HostTarget, type PortList } from "../config/hosts.js";
import { LIBPQ_KEYWORDS } from "../config/keywords.js";
import { mergeSources, optionsFromKeywords } from "../config/sources.js";
import { type SslMode, type TlsSettings, tlsSettings } from "../config/tls-settings.js";
import { InterfaceError } from "../errors.js";
import type { Transport } from "../transport/transport.js";
import { AuthPolicy, type ChannelBinding } from "./auth/policy.js";
import type { DuplexLike as Duplex, NodeTlsOptions } from "./node-types.js";

/** Where the WebSocket bridge is and which of its configured targets to reach. */
export interface BridgeOptions {
  url: string;
  token?: string;
  target?: string;
  /** "pg8000" (default): a pg8000 bridge; "raw": a plain relay of binary frames (wsproxy-style). */
  protocol?: "pg8000" | "raw";
  /**
   * Ask the bridge to compress the server's bytes (DEFLATE, inflated here by DecompressionStream).
   * Default: true in browsers, where the bridge's bytes reach the page at a few tens of MB/s and
   * compressed results arrive about 3× faster; false in Node. A bridge with compression off, or
   * an older one, sends them uncompressed.
   */
  compression?: boolean;
}

export type TargetSessionAttrs = "any" | "read-write" | "read-only" | "primary" | "standby" | "prefer-standby";

/** libpq's parameters, each also a connect option of the same name (README "Configuration"). */
export interface LibpqOptions {
  /** Numeric address(es) to connect to instead of resolving `host` (which still names the server for TLS). */
  hostaddr?: string | string[];
  /** Alias of `database`. */
  dbname?: string;
  /** Password file; default ~/.pgpass (Node only). */
  passfile?: string;
  /** libpq 16: allowed authentication methods, e.g. "scram-sha-256" or "!password,!md5". */
  require_auth?: string;
  channel_binding?: ChannelBinding;
  /** Seconds allowed for connecting to each host (TCP, TLS and authentication); 0 = no limit. */
  connect_timeout?: number;
  client_encoding?: string;
  /** Command-line options for the server, e.g. "-c geqo=off -c statement_timeout=5s". */
  options?: string;
  fallback_application_name?: string;
  /** 0 turns TCP keepalive off (as tcp_keepalive: false). */
  keepalives?: number;
  keepalives_idle?: number;
  keepalives_interval?: number;
  keepalives_count?: number;
  tcp_user_timeout?: number;
  sslmode?: SslMode;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  sslpassword?: string;
  sslcrl?: string;
  sslcrldir?: string;
  sslsni?: number;
  sslcertmode?: "disable" | "allow" | "require";
  sslnegotiation?: "postgres" | "direct";
  sslcompression?: number | string;
  ssl_min_protocol_version?: string;
  ssl_max_protocol_version?: string;
  gssencmode?: "disable" | "prefer" | "require";
  requirepeer?: string;
  krbsrvname?: string;
  gsslib?: string;
  gssdelegation?: number | string;
  /** A section of the connection service file (Node only). */
  service?: string;
  target_session_attrs?: TargetSessionAttrs;
  load_balance_hosts?: "disable" | "random";
}

export interface ConnectOptions extends LibpqOptions {
  /** Database role name (required, from the options, the service file or PGUSER). */
  user?: string;
  /** TCP host(s), a comma list or an array; also the TLS server name (SNI). Default "localhost". */
  host?: string | string[];
  /** Database name; the server defaults it to the user name. */
  database?: string;
  /** TCP port, default 5432; a list gives one port per host. */
  port?: number | number[];
  /** Password, or a function returning it (called only when the server asks). */
  password?: string | (() => string | Promise<string>);
  /** Local address (and port) to bind the TCP socket to. */
  source_address?: [host: string, port?: number];
  /** Full path of the server's socket file, e.g. /var/run/postgresql/.s.PGSQL.5432. */
  unix_sock?: string;
  /**
   * undefined/null: sslmode decides (default prefer: try TLS, fall back to plain text); true:
   * require TLS (certificate not verified); false: never; an object: require TLS with these
   * Node options.
   */
  ssl_context?: boolean | null | NodeTlsOptions;
  /** Seconds allowed for connecting and for each wait on the server. */
  timeout?: number;
  /** Enable TCP keepalive (default true). */
  tcp_keepalive?: boolean;
  application_name?: string;
  /** Startup parameter `replication`, e.g. "database" or "true". */
  replication?: string;
  /** Further run-time parameters sent at startup, e.g. { TimeZone: "UTC" }. */
  startup_params?: Record<string, string>;
  /** An already-open byte stream to the server (e.g. an SSH tunnel). */
  sock?: Duplex | Transport;
  /** Tunnel through the pg8000 WebSocket bridge (required in browsers). */
  bridge?: string | BridgeOptions;
  /**
   * Named prepared statements kept per connection for parameterised queries (LRU).
   * 0 = unnamed statements only (for PgBouncer in transaction pooling mode). Default 256.
   */
  statement_cache_size?: number;
  /** The WASM codec compiled elsewhere, or its bytes: for workerd and pages whose CSP forbids compiling. */
  codec?: CodecSource;
  /** Aborts connecting (every host) when it fires. */
  signal?: AbortSignal;
}

/** Options after defaults and validation; `host`/`port` are those of the target being tried. */
export interface ResolvedOptions extends Omit<ConnectOptions, "host" | "port" | "hostaddr"> {
  user: string;
  host: string;
  port: number;
  hostaddr?: string;
  tcp_keepalive: boolean;
  statement_cache_size: number;
  /** Every server to try, in order (before load_balance_hosts shuffles them). */
  targets: HostTarget[];
  tls: TlsSettings;
  auth: AuthPolicy;
  target_session_attrs: TargetSessionAttrs;
  /** The password file's answer for a target, when no password was given (Node only). */
  pgpass?: (target: HostTarget) => string | undefined;
  /** Set by the transport: whether this attempt got TLS (for sslmode prefer/allow retries). */
  tlsUsed?: { value: boolean };
}

const DRIVER_OPTIONS = [
  "user",
  "host",
  "database",
  "port",
  "password",
  "source_address",
  "unix_sock",
  "ssl_context",
  "timeout",
  "tcp_keepalive",
  "application_name",
  "replication",
  "startup_params",
  "sock",
  "bridge",
  "statement_cache_size",
  "codec",
  "signal",
];
const KNOWN = new Set<string>([...DRIVER_OPTIONS, ...LIBPQ_KEYWORDS]);

const RESERVED_STARTUP = new Set(["user", "database", "application_name", "replication"]);
const SESSION_ATTRS = ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"];

/** Whether this runtime is Node (or one that presents itself as Node: Deno, Bun). */
export function isNode(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.node === "string";
}

/** Explicit options as an object: a connection string parsed, dbname folded into database. */
function explicitOptions(input: ConnectOptions | string): Record<string, unknown> {
  if (typeof input === "string") return optionsFromKeywords(parseConnectionString(input));
  if (input === null || typeof input !== "object") {
    throw new InterfaceError(
      "connect() takes an options object or a connection string (postgresql:// URI or key=value)",
    );
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN.has(key)) {
      throw new InterfaceError(`unknown connection option '${key}'; valid options are: ${[...KNOWN].join(", ")}`);
    }
  }
  const o = { ...input } as Record<string, unknown>;
  if (o.dbname !== undefined) {
    if (o.database !== undefined && o.database !== o.dbname) {
      throw new InterfaceError("'dbname' and 'database' name the same thing: give one");
    }
    o.database = o.dbname;
    delete o.dbname;
  }
  return o;
}

/**
 * connect()'s options resolved as libpq would: explicit options first, then (in Node) the
 * service file and the PG* environment variables; the password file is read only when the
 * server asks for a password that was not given.
 */
export async function resolveConnectOptions(input: ConnectOptions | string): Promise<ResolvedOptions> {
  const explicit = explicitOptions(input);
  if (!isNode()) {
    for (const key of ["service", "passfile"]) {
      if (explicit[key] !== undefined) throw new InterfaceError(`'${key}' needs Node: there are no files to read here`);
    }
    return validate(explicit);
  }
  const env = process.env;
  const service = (explicit.service as string | undefined) ?? (env.PGSERVICE || undefined);
  const files = await import("#node-files");
  const merged = mergeSources({ explicit, env, service: service ? files.readService(service, env) : undefined });
  const resolved = validate(merged);
  if (resolved.password === undefined && !resolved.sock && !resolved.bridge) {
    const passfile = resolved.passfile ?? files.defaultPassfile();
    const user = resolved.user;
    const database = resolved.database ?? user;
    // Looked up per target: the host being tried is part of the match.
    resolved.pgpass = (t: HostTarget) =>
      files.pgpassPassword(passfile, {
        host: t.unix_sock ? pgpassSocketHost(t.host) : t.host,
        port: t.port,
        database,
        user,
      });
  }
  return resolved;
}

/** libpq matches a password-file line's host "localhost" for the default socket directory. */
function pgpassSocketHost(dir: string): string {
  return dir === "/tmp" || dir === "/var/run/postgresql" || dir === "/run/postgresql" ? "localhost" : dir;
}

/** Validation and defaults without reading the environment or any file. */
export function resolveOptions(input: ConnectOptions | string): ResolvedOptions {
  return validate(explicitOptions(input));
}

function validate(o: Record<string, unknown> & ConnectOptions): ResolvedOptions {
  if (typeof o.user !== "string" || o.user === "") {
    throw new InterfaceError(
      "the 'user' connection option is required (a non-empty string; in Node PGUSER or a service file can give it)",
    );
  }
  for (const key of [
    "database",
    "unix_sock",
    "application_name",
    "fallback_application_name",
    "replication",
    "passfile",
    "client_encoding",
    "options",
    "require_auth",
    "channel_binding",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcrl",
    "sslcrldir",
    "sslcertmode",
    "sslnegotiation",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "gssencmode",
    "service",
    "krbsrvname",
    "gsslib",
  ] as const) {
    optionalString(o, key);
  }
  if (o.codec !== undefined && !isCodecSource(o.codec)) throw new InterfaceError(CODEC_SOURCE_EXPECTED);
  if (o.password !== undefined && o.password !== null) {
    if (typeof o.password !== "string" && typeof o.password !== "function") {
      throw new InterfaceError("'password' must be a string or a function returning one");
    }
  }
  const ports = Array.isArray(o.port) ? o.port : [o.port];
  if (o.port !== undefined && !ports.every((p) => typeof p === "number")) {
    throw new InterfaceError(
      `'port' must be a number, or a list of numbers (one per host), got ${JSON.stringify(o.port)}`,
    );
  }
  const targets = o.unix_sock
    ? [{ host: "localhost", port: singlePort(o.port), unix_sock: o.unix_sock }]
    : expandHosts(o.host as HostList, o.hostaddr as HostList, o.port as PortList);
  if (o.timeout !== undefined && o.timeout !== null) {
    if (typeof o.timeout !== "number" || !(o.timeout > 0) || !Number.isFinite(o.timeout)) {
      throw new InterfaceError(`'timeout' must be a positive number of seconds, got ${String(o.timeout)}`);
    }
  }
  let connectTimeout = optionalNumber(o, "connect_timeout");
  // libpq: zero or less waits forever, and anything else is at least 2 seconds.
  if (connectTimeout !== undefined) connectTimeout = connectTimeout <= 0 ? undefined : Math.max(2, connectTimeout);
  for (const key of ["keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout"]) {
    optionalNumber(o, key);
  }
  if (o.tcp_keepalive !== undefined && typeof o.tcp_keepalive !== "boolean") {
    throw new InterfaceError("'tcp_keepalive' must be a boolean");
  }
  if (o.source_address !== undefined) {
    const sa = o.source_address;
    if (!Array.isArray(sa) || typeof sa[0] !== "string" || (sa[1] !== undefined && !Number.isInteger(sa[1]))) {
      throw new InterfaceError("'source_address' must be [host] or [host, port]");
    }
  }
  const sslContext = o.ssl_context;
  if (
    sslContext !== undefined &&
    sslContext !== null &&
    typeof sslContext !== "boolean" &&
    typeof sslContext !== "object"
  ) {
    throw new InterfaceError("'ssl_context' must be undefined/null, true, false or a TLS options object");
  }
  const startup = startupParams(o);
  const sources = [o.unix_sock, o.sock, o.bridge].filter((x) => x !== undefined && x !== null).length;
  if (sources > 1) {
    throw new InterfaceError("give at most one of 'unix_sock', 'sock' and 'bridge'");
  }
  const cacheSize = o.statement_cache_size ?? 256;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new InterfaceError("'statement_cache_size' must be a non-negative integer");
  }
  const attrs = o.target_session_attrs ?? "any";
  if (!SESSION_ATTRS.includes(attrs)) {
    throw new InterfaceError(`invalid target_session_attrs "${attrs}": use ${SESSION_ATTRS.join(", ")}`);
  }
  if (o.load_balance_hosts !== undefined && o.load_balance_hosts !== "disable" && o.load_balance_hosts !== "random") {
    throw new InterfaceError(`invalid load_balance_hosts "${String(o.load_balance_hosts)}": use disable or random`);
  }
  if (o.requirepeer !== undefined && o.requirepeer !== "") {
    throw new InterfaceError("requirepeer is not supported: Node cannot read the credentials of a unix socket's peer");
  }
  if (o.signal !== undefined && !(typeof o.signal === "object" && o.signal !== null && "aborted" in o.signal)) {
    throw new InterfaceError("'signal' must be an AbortSignal");
  }
  const tls = tlsSettings(o as Parameters<typeof tlsSettings>[0]);
  const auth = AuthPolicy.parse(o.require_auth, o.channel_binding);
  const first = targets[0]!;
  const { dbname: _dbname, ...rest } = o as ConnectOptions;
  return {
    ...rest,
    user: o.user,
    host: first.host,
    port: first.port,
    hostaddr: first.hostaddr,
    unix_sock: first.unix_sock,
    application_name: o.application_name ?? o.fallback_application_name,
    startup_params: startup,
    tcp_keepalive: o.tcp_keepalive ?? o.keepalives !== 0,
    statement_cache_size: cacheSize,
    connect_timeout: connectTimeout,
    targets,
    tls,
    auth,
    target_session_attrs: attrs as TargetSessionAttrs,
  };
}

/** startup_params plus the libpq parameters that travel in the startup packet. */
function startupParams(o: ConnectOptions): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  if (o.startup_params !== undefined) {
    if (o.startup_params === null || typeof o.startup_params !== "object") {
      throw new InterfaceError("'startup_params' must be an object of string values");
    }
    for (const [key, value] of Object.entries(o.startup_params)) {
      if (RESERVED_STARTUP.has(key)) {
        throw new InterfaceError(
          `startup_params cannot set '${key}': use the connect option of that name (reserved: ${[...RESERVED_STARTUP].join(", ")})`,
        );
      }
      if (typeof value !== "string") {
        throw new InterfaceError(`startup_params['${key}'] must be a string`);
      }
    }
  }
  if (o.options) params.options = o.options;
  // "auto" asks libpq to follow the terminal's locale; the driver's own default (UTF8) is the answer.
  if (o.client_encoding && o.client_encoding !== "auto") params.client_encoding = o.client_encoding;
  Object.assign(params, o.startup_params);
  return Object.keys(params).length > 0 ? params : undefined;
}

function singlePort(port: ConnectOptions["port"]): number {
  const targets = expandHosts(undefined, undefined, port as PortList);
  if (targets.length !== 1) throw new InterfaceError("'unix_sock' takes a single port");
  return targets[0]!.port;
}

function optionalString(o: Record<string, unknown>, key: string): void {
  const v = o[key];
  if (v !== undefined && v !== null && typeof v !== "string") {
    throw new InterfaceError(`'${key}' must be a string, got ${typeof v}`);
  }
}

function optionalNumber(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new InterfaceError(`'${key}' must be a number, got ${JSON.stringify(v)}`);
  }
  return n;
}
