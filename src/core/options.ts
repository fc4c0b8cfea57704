// Connection options: the shape of API.md, validation with errors that say what to fix,
// and postgresql:// URIs.

import type { Duplex } from "node:stream";
import type { ConnectionOptions as NodeTlsOptions } from "node:tls";
import { InterfaceError } from "../errors.js";
import type { Transport } from "../transport/transport.js";

/** Where the WebSocket bridge is and which of its configured targets to reach. */
export interface BridgeOptions {
  url: string;
  token?: string;
  target?: string;
  /** "pg8000" (default): a pg8000 bridge; "raw": a plain relay of binary frames (wsproxy-style). */
  protocol?: "pg8000" | "raw";
}

export interface ConnectOptions {
  /** Database role name (required). */
  user: string;
  /** TCP host; also the TLS server name (SNI). Default "localhost". */
  host?: string;
  /** Database name; the server defaults it to the user name. */
  database?: string;
  /** TCP port, default 5432. */
  port?: number;
  /** Password, or a function returning it (called only when the server asks). */
  password?: string | (() => string | Promise<string>);
  /** Local address (and port) to bind the TCP socket to. */
  source_address?: [host: string, port?: number];
  /** Full path of the server's socket file, e.g. /var/run/postgresql/.s.PGSQL.5432. */
  unix_sock?: string;
  /**
   * undefined/null: try TLS, fall back to plain text if the server refuses; true: require TLS
   * (certificate not verified); false: never; an object: require TLS with these Node options.
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
}

/** Options after defaults and validation. */
export interface ResolvedOptions extends ConnectOptions {
  host: string;
  port: number;
  tcp_keepalive: boolean;
  statement_cache_size: number;
}

const KNOWN = new Set([
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
]);

const RESERVED_STARTUP = new Set(["user", "database", "application_name", "replication"]);

export function resolveOptions(input: ConnectOptions | string): ResolvedOptions {
  const options = typeof input === "string" ? parseConnectionUri(input) : input;
  if (options === null || typeof options !== "object") {
    throw new InterfaceError("connect() takes an options object or a postgresql:// URI");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new InterfaceError(`unknown connection option '${key}'; valid options are: ${[...KNOWN].join(", ")}`);
    }
  }
  const o = options as ConnectOptions;
  if (typeof o.user !== "string" || o.user === "") {
    throw new InterfaceError("the 'user' connection option is required (a non-empty string)");
  }
  optionalString(o, "host");
  optionalString(o, "database");
  optionalString(o, "unix_sock");
  optionalString(o, "application_name");
  optionalString(o, "replication");
  if (o.password !== undefined && o.password !== null) {
    if (typeof o.password !== "string" && typeof o.password !== "function") {
      throw new InterfaceError("'password' must be a string or a function returning one");
    }
  }
  const port = o.port ?? 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InterfaceError(`'port' must be an integer from 1 to 65535, got ${String(o.port)}`);
  }
  if (o.timeout !== undefined && o.timeout !== null) {
    if (typeof o.timeout !== "number" || !(o.timeout > 0) || !Number.isFinite(o.timeout)) {
      throw new InterfaceError(`'timeout' must be a positive number of seconds, got ${String(o.timeout)}`);
    }
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
  const sources = [o.unix_sock, o.sock, o.bridge].filter((x) => x !== undefined && x !== null).length;
  if (sources > 1) {
    throw new InterfaceError("give at most one of 'unix_sock', 'sock' and 'bridge'");
  }
  const cacheSize = o.statement_cache_size ?? 256;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new InterfaceError("'statement_cache_size' must be a non-negative integer");
  }
  return {
    ...o,
    host: o.host ?? "localhost",
    port,
    tcp_keepalive: o.tcp_keepalive ?? true,
    statement_cache_size: cacheSize,
  };
}

function optionalString(o: ConnectOptions, key: keyof ConnectOptions): void {
  const v = o[key];
  if (v !== undefined && v !== null && typeof v !== "string") {
    throw new InterfaceError(`'${key}' must be a string, got ${typeof v}`);
  }
}

/**
 * postgresql://user:password@host:port/database?param=value — the libpq URI form.
 * Query parameters understood: application_name, sslmode (disable | allow | prefer | require |
 * verify-ca | verify-full), connect_timeout, replication, options and any other key, which is
 * passed as a startup parameter. A host starting with "/" (percent-encoded) is a socket directory.
 */
export function parseConnectionUri(uri: string): ConnectOptions {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InterfaceError("invalid connection URI: expected postgresql://user:password@host:port/database");
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new InterfaceError(`invalid connection URI scheme '${url.protocol}': expected postgresql://`);
  }
  const options: ConnectOptions = { user: decodeURIComponent(url.username) };
  if (url.password) options.password = decodeURIComponent(url.password);
  const host = decodeURIComponent(url.hostname);
  if (url.port) options.port = Number(url.port);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database) options.database = database;
  const startup: Record<string, string> = {};
  let socketDir: string | undefined = host.startsWith("/") ? host : undefined;
  if (host && !socketDir) options.host = host.replace(/^\[(.*)\]$/, "$1");
  for (const [key, value] of url.searchParams) {
    switch (key) {
      case "user":
        options.user = value;
        break;
      case "password":
        options.password = value;
        break;
      case "host":
        if (value.startsWith("/")) socketDir = value;
        else options.host = value;
        break;
      case "port":
        options.port = Number(value);
        break;
      case "dbname":
        options.database = value;
        break;
      case "application_name":
        options.application_name = value;
        break;
      case "replication":
        options.replication = value;
        break;
      case "connect_timeout":
        options.timeout = Number(value);
        break;
      case "sslmode":
        options.ssl_context = sslContextForMode(value);
        break;
      default:
        startup[key] = value;
    }
  }
  if (socketDir) options.unix_sock = `${socketDir.replace(/\/$/, "")}/.s.PGSQL.${options.port ?? 5432}`;
  if (Object.keys(startup).length > 0) options.startup_params = startup;
  return options;
}

function sslContextForMode(mode: string): ConnectOptions["ssl_context"] {
  switch (mode) {
    case "disable":
      return false;
    case "allow":
    case "prefer":
      return null;
    case "require":
      return true;
    case "verify-ca":
    case "verify-full":
      return { rejectUnauthorized: true };
    default:
      throw new InterfaceError(
        `invalid sslmode '${mode}': use disable, allow, prefer, require, verify-ca or verify-full`,
      );
  }
}
