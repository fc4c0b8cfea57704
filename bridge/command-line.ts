// The pg8000-bridge command line: a JSON config file and/or flags for the common case, turned
// into a BridgeConfig. Secrets are read from environment variables, never from flags (which
// other users of the machine can see in the process list).

import * as fs from "node:fs";
import {
  type BridgeConfig,
  BridgeConfigError,
  type TargetConfig,
  type TargetTlsMode,
  type TcpTarget,
} from "./config.js";

export const USAGE = `Usage:
  pg8000-bridge --config bridge.json [flags]        run the bridge
  pg8000-bridge mint --target NAME [flags]          print a signed token for NAME

Flags (override the config file):
  --config FILE                  JSON file with createBridge()'s config; "tokenSecret" and "tokens"
                                 may be { "env": "VAR" } to read them from the environment
  --host HOST  --port N          where to listen (default 127.0.0.1:5480)
  --path /P                      endpoint path (default /)
  --target NAME=HOST:PORT        a PostgreSQL target (repeatable); NAME=/path/.s.PGSQL.5432 for a unix socket
  --target-tls NAME=MODE         disable | require | verify-full (TLS from the bridge to PostgreSQL)
  --target-ca NAME=FILE          CA file for verify-full
  --origin ORIGIN                allowed page origin, e.g. https://app.example.com (repeatable)
  --any-origin                   allow every origin
  --token-secret-env VAR         HMAC secret for signed tokens, from $VAR
  --tokens-env VAR               comma-separated static tokens, from $VAR
  --no-token                     no token required (anyone who can reach the bridge gets every target)
  --cert FILE --key FILE         serve wss:// directly
  --trust-proxy                  client address from X-Forwarded-For (only behind your own proxy)
  --max-connections N  --max-connections-per-ip N  --idle-timeout SECONDS  --max-payload BYTES
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

export function parseCommandLine(argv: string[], env: Record<string, string | undefined> = process.env): Command {
  const args = [...argv];
  let mint = false;
  if (args[0] === "mint") {
    mint = true;
    args.shift();
  }
  const flags = new Map<string, string[]>();
  const booleans = new Set(["--any-origin", "--no-token", "--trust-proxy", "--quiet", "--help", "-h"]);
  const known = new Set([
    "--config",
    "--host",
    "--port",
    "--path",
    "--target",
    "--target-tls",
    "--target-ca",
    "--origin",
    "--token-secret-env",
    "--tokens-env",
    "--cert",
    "--key",
    "--max-connections",
    "--max-connections-per-ip",
    "--idle-timeout",
    "--max-payload",
    "--expires-in",
  ]);
  while (args.length > 0) {
    const arg = args.shift()!;
    if (booleans.has(arg)) {
      flags.set(arg, ["true"]);
      continue;
    }
    if (!arg.startsWith("--")) fail(`unexpected argument ${JSON.stringify(arg)}\n\n${USAGE}`);
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.has(name)) fail(`unknown flag ${name}\n\n${USAGE}`);
    const value = eq > 0 ? arg.slice(eq + 1) : args.shift();
    if (value === undefined) fail(`${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  if (flags.has("--help") || flags.has("-h")) return { kind: "help" };
  const one = (name: string): string | undefined => flags.get(name)?.at(-1);
  const num = (name: string): number | undefined => {
    const v = one(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) fail(`${name} must be a non-negative number, got ${JSON.stringify(v)}`);
    return n;
  };
  const fromEnv = (flag: string): string | undefined => {
    const variable = one(flag);
    if (variable === undefined) return undefined;
    const value = env[variable];
    if (!value) fail(`${flag} ${variable}: the environment variable ${variable} is not set`);
    return value;
  };

  const file = one("--config");
  const config: Record<string, unknown> = file ? readConfigFile(file, env) : {};

  if (mint) {
    const target = one("--target");
    if (!target || target.includes("=")) fail("mint needs --target NAME (a target name of the bridge)");
    const fileSecret = config.tokenSecret;
    const secret = fromEnv("--token-secret-env") ?? (Array.isArray(fileSecret) ? fileSecret[0] : fileSecret);
    if (typeof secret !== "string")
      fail("mint needs the bridge's secret: --token-secret-env VAR, or a config file with tokenSecret");
    return { kind: "mint", secret, target, expiresIn: num("--expires-in") ?? 300 };
  }

  const listen = { ...((config.listen as BridgeConfig["listen"]) ?? {}) };
  if (one("--host") !== undefined) listen.host = one("--host");
  if (one("--port") !== undefined) listen.port = num("--port");
  const cert = one("--cert");
  const key = one("--key");
  if ((cert === undefined) !== (key === undefined)) fail("--cert and --key go together");
  if (cert && key) listen.tls = { certFile: cert, keyFile: key };
  config.listen = listen;
  if (one("--path") !== undefined) config.path = one("--path");

  const targets: Record<string, TargetConfig> = { ...((config.targets as Record<string, TargetConfig>) ?? {}) };
  for (const spec of flags.get("--target") ?? []) {
    const [name, where] = splitPair("--target", spec);
    if (where.startsWith("/")) targets[name] = { unix_sock: where };
    else {
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(where);
      if (!m) fail(`--target ${spec}: expected NAME=HOST:PORT or NAME=/path/to/.s.PGSQL.5432`);
      targets[name] = { host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port: m[2] ? Number(m[2]) : 5432 };
    }
  }
  for (const spec of flags.get("--target-tls") ?? []) {
    const [name, mode] = splitPair("--target-tls", spec);
    const t = tcpTarget(targets, name, "--target-tls");
    const old = typeof t.tls === "object" ? t.tls : {};
    t.tls = { ...old, mode: mode as TargetTlsMode };
  }
  for (const spec of flags.get("--target-ca") ?? []) {
    const [name, caFile] = splitPair("--target-ca", spec);
    const t = tcpTarget(targets, name, "--target-ca");
    const mode: TargetTlsMode = typeof t.tls === "string" ? t.tls : (t.tls?.mode ?? "verify-full");
    t.tls = { ...(typeof t.tls === "object" ? t.tls : {}), mode, caFile };
  }
  config.targets = targets;

  if (flags.has("--any-origin")) config.origins = "*";
  else if (flags.has("--origin"))
    config.origins = [
      ...((Array.isArray(config.origins) ? config.origins : []) as string[]),
      ...flags.get("--origin")!,
    ];
  const secret = fromEnv("--token-secret-env");
  if (secret !== undefined) config.tokenSecret = secret;
  const tokens = fromEnv("--tokens-env");
  if (tokens !== undefined)
    config.tokens = tokens
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
  if (flags.has("--no-token")) config.requireToken = false;
  if (flags.has("--trust-proxy")) config.trustProxy = true;
  if (flags.has("--quiet")) config.log = false;
  const limits = { ...((config.limits as Record<string, number>) ?? {}) };
  const limitFlags: [string, string][] = [
    ["--max-connections", "maxConnections"],
    ["--max-connections-per-ip", "maxConnectionsPerIp"],
    ["--idle-timeout", "idleTimeout"],
    ["--max-payload", "maxPayload"],
  ];
  for (const [flag, key] of limitFlags) {
    const v = num(flag);
    if (v !== undefined) limits[key] = v;
  }
  config.limits = limits;
  return { kind: "serve", config: config as unknown as BridgeConfig };
}

function splitPair(flag: string, spec: string): [string, string] {
  const eq = spec.indexOf("=");
  if (eq <= 0 || eq === spec.length - 1) fail(`${flag} ${spec}: expected NAME=VALUE`);
  return [spec.slice(0, eq), spec.slice(eq + 1)];
}

function tcpTarget(targets: Record<string, TargetConfig>, name: string, flag: string): TcpTarget {
  const t = targets[name];
  if (!t) fail(`${flag}: no target named ${name} (give --target ${name}=HOST:PORT first, or in the config file)`);
  if ("unix_sock" in t) fail(`${flag}: target ${name} is a unix socket; TLS applies to TCP targets only`);
  return t;
}

function readConfigFile(file: string, env: Record<string, string | undefined>): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    fail(`cannot read the config file ${file}: ${(err as Error).message}`);
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    fail(`the config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (config === null || typeof config !== "object" || Array.isArray(config))
    fail(`the config file ${file} must hold a JSON object`);
  for (const key of ["tokenSecret", "tokens"] as const) {
    const value = config[key] as { env?: unknown } | undefined;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      if (typeof value.env !== "string") fail(`${file}: ${key} must be a value or { "env": "VARIABLE" }`);
      const fromEnv = env[value.env];
      if (!fromEnv) fail(`${file}: ${key} comes from $${value.env}, which is not set`);
      config[key] =
        key === "tokens"
          ? fromEnv
              .split(",")
              .map((t) => t.trim())
              .filter(Boolean)
          : fromEnv;
    }
  }
  return config;
}
