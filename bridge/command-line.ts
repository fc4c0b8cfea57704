// The pg8000-bridge command line: a JSON config file and/or flags for the common case, turned
// into a BridgeConfig. Secrets are read from environment variables or files, never from flags
// (which other users of the machine can see in the process list). Files are read again on
// SIGHUP, which is how secrets rotate without a restart.

import * as fs from "node:fs";
import { parseArgs } from "node:util";
import {
  type BridgeConfig,
  BridgeConfigError,
  type TargetConfig,
  type TargetTlsMode,
  type TcpTarget,
} from "./config.js";

export const USAGE = `Usage:
  pg8000-bridge --config bridge.json [flags]        run the bridge (SIGHUP reloads the config)
  pg8000-bridge mint --target NAME [flags]          print a signed token for NAME

Flags (override the config file):
  --config FILE                  JSON file with createBridge()'s config; "tokenSecret" and "tokens"
                                 may be { "env": "VAR" } or { "file": "/path" } (one per line)
  --host HOST  --port N          where to listen (default 127.0.0.1:5480)
  --path /P                      endpoint path (default /)
  --target NAME=HOST:PORT        a PostgreSQL target (repeatable); NAME=/path/.s.PGSQL.5432 for a unix socket
  --target-tls NAME=MODE         disable | require | verify-full (TLS from the bridge to PostgreSQL)
  --target-ca NAME=FILE          CA file for verify-full
  --target-direct-tls NAME       TLS handshake without SSLRequest (PostgreSQL 17+; needs --target-tls)
  --target-users NAME=R1,R2      roles that may log in to NAME (default any)
  --target-databases NAME=D1,D2  databases that may be opened on NAME (default any)
  --target-replication NAME      allow replication connections to NAME (default refused)
  --origin ORIGIN                allowed page origin, e.g. https://app.example.com (repeatable)
  --any-origin                   allow every origin
  --token-secret-env VAR         HMAC secret for signed tokens, from $VAR
  --token-secret-file FILE       HMAC secret(s), one per line (the first mints), read again on SIGHUP
  --tokens-env VAR               comma-separated static tokens, from $VAR
  --tokens-file FILE             static tokens, one per line, read again on SIGHUP
  --no-token                     no token required (anyone who can reach the bridge gets every target)
  --cert FILE --key FILE         serve wss:// directly
  --trust-proxy                  client address from X-Forwarded-For (only behind your own proxy)
  --raw-relay NAME               also serve a raw relay (no subprotocol) to target NAME at /raw
  --raw-path /P                  path of the raw relay (default /raw)
  --metrics-listen HOST:PORT     serve /metrics and /healthz there instead of on the bridge's listener
  --no-metrics                   no /metrics endpoint
  --no-compression               never compress the server's bytes (browsers ask for it by default)
  --compression-min-ratio R      keep compressing only pieces that get R times smaller (default 2.5; 1 = all)
  --max-connections N  --max-connections-per-ip N  --idle-timeout SECONDS  --max-payload BYTES
  --handshake-timeout SECONDS    for a client's HTTP upgrade request (default 10)
  --quiet                        no log output
  --expires-in SECONDS           (mint) token lifetime, default 300
`;

export type Command =
  | { kind: "serve"; config: BridgeConfig }
  | { kind: "mint"; secret: string; target: string; expiresIn: number }
  | { kind: "help" };

function fail(message: string): never {
  throw new BridgeConfigError(`pg8000-bridge: ${message}`);
}

const text = { type: "string" } as const;
const list = { type: "string", multiple: true } as const;
const flag = { type: "boolean" } as const;
const OPTIONS = {
  config: text,
  host: text,
  port: text,
  path: text,
  target: list,
  "target-tls": list,
  "target-ca": list,
  "target-direct-tls": list,
  "target-users": list,
  "target-databases": list,
  "target-replication": list,
  origin: list,
  "any-origin": flag,
  "token-secret-env": text,
  "token-secret-file": text,
  "tokens-env": text,
  "tokens-file": text,
  "no-token": flag,
  cert: text,
  key: text,
  "trust-proxy": flag,
  "raw-relay": text,
  "raw-path": text,
  "metrics-listen": text,
  "no-metrics": flag,
  "no-compression": flag,
  "compression-min-ratio": { type: "string" },
  "max-connections": text,
  "max-connections-per-ip": text,
  "idle-timeout": text,
  "max-payload": text,
  "handshake-timeout": text,
  quiet: flag,
  "expires-in": text,
  help: { type: "boolean", short: "h" },
} as const;

type Flags = ReturnType<typeof parseFlags>["values"];

function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const name = /'(-[^' ]+)/.exec(e.message)?.[1];
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") fail(`unknown flag ${name ?? e.message}\n\n${USAGE}`);
    if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") fail(`${name ?? "a flag"} needs a value`);
    fail(e.message);
  }
}

export function parseCommandLine(argv: string[], env: Record<string, string | undefined> = process.env): Command {
  const { values: flags, positionals } = parseFlags(argv);
  const mint = positionals[0] === "mint";
  const extra = positionals.slice(mint ? 1 : 0);
  if (extra.length > 0) fail(`unexpected argument ${JSON.stringify(extra[0])}\n\n${USAGE}`);
  if (flags.help) return { kind: "help" };

  const num = (name: keyof Flags & string): number | undefined => {
    const v = flags[name] as string | undefined;
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < 0)
      fail(`--${name} must be a non-negative number, got ${JSON.stringify(v)}`);
    return n;
  };
  const fromEnv = (name: "token-secret-env" | "tokens-env"): string | undefined => {
    const variable = flags[name];
    if (variable === undefined) return undefined;
    const value = env[variable];
    if (!value) fail(`--${name} ${variable}: the environment variable ${variable} is not set`);
    return value;
  };

  const file = flags.config;
  const config: Record<string, unknown> = file ? readConfigFile(file, env) : {};

  if (mint) {
    const target = flags.target?.at(-1);
    if (!target || target.includes("=")) fail("mint needs --target NAME (a target name of the bridge)");
    const fileSecret = config.tokenSecret;
    const secret =
      fromEnv("token-secret-env") ??
      (flags["token-secret-file"] ? secretsFile(flags["token-secret-file"], "--token-secret-file")[0] : undefined) ??
      (Array.isArray(fileSecret) ? fileSecret[0] : fileSecret);
    if (typeof secret !== "string")
      fail(
        "mint needs the bridge's secret: --token-secret-env VAR, --token-secret-file FILE, or a config file with tokenSecret",
      );
    return { kind: "mint", secret, target, expiresIn: num("expires-in") ?? 300 };
  }

  const listen = { ...((config.listen as BridgeConfig["listen"]) ?? {}) };
  if (flags.host !== undefined) listen.host = flags.host;
  if (flags.port !== undefined) listen.port = num("port");
  if ((flags.cert === undefined) !== (flags.key === undefined)) fail("--cert and --key go together");
  if (flags.cert && flags.key) listen.tls = { certFile: flags.cert, keyFile: flags.key };
  config.listen = listen;
  if (flags.path !== undefined) config.path = flags.path;

  config.targets = targetsFromFlags(flags, (config.targets as Record<string, TargetConfig>) ?? {});

  if (flags["any-origin"]) config.origins = "*";
  else if (flags.origin)
    config.origins = [...((Array.isArray(config.origins) ? config.origins : []) as string[]), ...flags.origin];
  const secret = fromEnv("token-secret-env");
  if (secret !== undefined) config.tokenSecret = secret;
  if (flags["token-secret-file"]) config.tokenSecret = secretsFile(flags["token-secret-file"], "--token-secret-file");
  const tokens = fromEnv("tokens-env");
  if (tokens !== undefined) config.tokens = splitList(tokens);
  if (flags["tokens-file"]) config.tokens = secretsFile(flags["tokens-file"], "--tokens-file");
  if (flags["no-token"]) config.requireToken = false;
  if (flags["trust-proxy"]) config.trustProxy = true;
  if (flags.quiet) config.log = false;
  if (flags["raw-relay"] !== undefined || flags["raw-path"] !== undefined) {
    const old = (config.rawRelay as BridgeConfig["rawRelay"]) ?? undefined;
    const target = flags["raw-relay"] ?? old?.target;
    if (!target) fail("--raw-path needs --raw-relay NAME (or rawRelay in the config file)");
    config.rawRelay = { ...old, target, ...(flags["raw-path"] ? { path: flags["raw-path"] } : {}) };
  }
  if (flags["no-compression"]) config.compression = false;
  else if (flags["compression-min-ratio"] !== undefined) {
    config.compression = { minRatio: Number(flags["compression-min-ratio"]) };
  }
  if (flags["no-metrics"]) config.metrics = false;
  else if (flags["metrics-listen"] !== undefined) {
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(flags["metrics-listen"]);
    if (!m) fail(`--metrics-listen ${flags["metrics-listen"]}: expected HOST:PORT`);
    config.metrics = { listen: { host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port: Number(m[2]) } };
  }
  const limits = { ...((config.limits as Record<string, number>) ?? {}) };
  const limitFlags = [
    ["max-connections", "maxConnections"],
    ["max-connections-per-ip", "maxConnectionsPerIp"],
    ["idle-timeout", "idleTimeout"],
    ["max-payload", "maxPayload"],
    ["handshake-timeout", "handshakeTimeout"],
  ] as const;
  for (const [name, key] of limitFlags) {
    const v = num(name);
    if (v !== undefined) limits[key] = v;
  }
  config.limits = limits;
  return { kind: "serve", config: config as unknown as BridgeConfig };
}

function targetsFromFlags(flags: Flags, fromFile: Record<string, TargetConfig>): Record<string, TargetConfig> {
  const targets: Record<string, TargetConfig> = { ...fromFile };
  for (const spec of flags.target ?? []) {
    const [name, where] = splitPair("--target", spec);
    if (where.startsWith("/")) targets[name] = { unix_sock: where };
    else {
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(where);
      if (!m) fail(`--target ${spec}: expected NAME=HOST:PORT or NAME=/path/to/.s.PGSQL.5432`);
      targets[name] = { host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port: m[2] ? Number(m[2]) : 5432 };
    }
  }
  for (const spec of flags["target-tls"] ?? []) {
    const [name, mode] = splitPair("--target-tls", spec);
    const t = tcpTarget(targets, name, "--target-tls");
    const old = typeof t.tls === "object" ? t.tls : {};
    t.tls = { ...old, mode: mode as TargetTlsMode };
  }
  for (const spec of flags["target-ca"] ?? []) {
    const [name, caFile] = splitPair("--target-ca", spec);
    const t = tcpTarget(targets, name, "--target-ca");
    const mode: TargetTlsMode = typeof t.tls === "string" ? t.tls : (t.tls?.mode ?? "verify-full");
    t.tls = { ...(typeof t.tls === "object" ? t.tls : {}), mode, caFile };
  }
  for (const name of flags["target-direct-tls"] ?? []) {
    const t = tcpTarget(targets, name, "--target-direct-tls");
    const tls = typeof t.tls === "object" ? t.tls : { mode: t.tls ?? "disable" };
    t.tls = { ...tls, negotiation: "direct" };
  }
  for (const key of ["users", "databases"] as const) {
    for (const spec of flags[`target-${key}`] ?? []) {
      const [name, names] = splitPair(`--target-${key}`, spec);
      namedTarget(targets, name, `--target-${key}`)[key] = splitList(names);
    }
  }
  for (const name of flags["target-replication"] ?? []) {
    namedTarget(targets, name, "--target-replication").replication = true;
  }
  return targets;
}

function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((t) => t.trim())
    .filter(Boolean);
}

function splitPair(flagName: string, spec: string): [string, string] {
  const eq = spec.indexOf("=");
  if (eq <= 0 || eq === spec.length - 1) fail(`${flagName} ${spec}: expected NAME=VALUE`);
  return [spec.slice(0, eq), spec.slice(eq + 1)];
}

function namedTarget(targets: Record<string, TargetConfig>, name: string, flagName: string): TargetConfig {
  const t = targets[name];
  if (!t) fail(`${flagName}: no target named ${name} (give --target ${name}=HOST:PORT first, or in the config file)`);
  return t;
}

function tcpTarget(targets: Record<string, TargetConfig>, name: string, flagName: string): TcpTarget {
  const t = namedTarget(targets, name, flagName);
  if ("unix_sock" in t) fail(`${flagName}: target ${name} is a unix socket; TLS applies to TCP targets only`);
  return t;
}

/** Non-empty lines of a secrets file (systemd credentials, Kubernetes secrets, …). */
function secretsFile(file: string, what: string): string[] {
  let content: string;
  try {
    content = fs.readFileSync(file, "utf8");
  } catch (err) {
    fail(`${what}: cannot read ${file}: ${(err as Error).message}`);
  }
  const lines = splitList(content);
  if (lines.length === 0) fail(`${what}: ${file} is empty`);
  return lines;
}

function readConfigFile(file: string, env: Record<string, string | undefined>): Record<string, unknown> {
  let content: string;
  try {
    content = fs.readFileSync(file, "utf8");
  } catch (err) {
    fail(`cannot read the config file ${file}: ${(err as Error).message}`);
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(content) as Record<string, unknown>;
  } catch (err) {
    fail(`the config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (config === null || typeof config !== "object" || Array.isArray(config))
    fail(`the config file ${file} must hold a JSON object`);
  for (const key of ["tokenSecret", "tokens"] as const) {
    const value = config[key] as { env?: unknown; file?: unknown } | undefined;
    if (!value || typeof value !== "object" || Array.isArray(value)) continue;
    if (typeof value.file === "string") {
      const lines = secretsFile(value.file, `${file}: ${key}`);
      config[key] = key === "tokens" || lines.length > 1 ? lines : lines[0];
      continue;
    }
    if (typeof value.env !== "string")
      fail(`${file}: ${key} must be a value, { "env": "VARIABLE" } or { "file": "/path" }`);
    const fromEnv = env[value.env];
    if (!fromEnv) fail(`${file}: ${key} comes from $${value.env}, which is not set`);
    config[key] = key === "tokens" ? splitList(fromEnv) : fromEnv;
  }
  return config;
}
