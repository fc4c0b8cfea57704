// Targets as configured → the form the dialler uses: address, TLS to the server, and who may
// log in (users, databases, replication), with errors that say which key to change.

import * as fs from "node:fs";
import {
  type BridgeTarget,
  fail,
  type ResolvedTargetTls,
  type TargetConfig,
  type TargetLogins,
  type TargetTls,
  type TcpTarget,
} from "./config.js";

const TARGET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function resolveTarget(name: string, target: TargetConfig): BridgeTarget {
  if (!TARGET_NAME.test(name))
    fail(`target name ${JSON.stringify(name)} may use only letters, digits, '_', '.', '-' (1-64)`);
  if (target === null || typeof target !== "object")
    fail(`targets.${name} must be { host, port, tls? } or { unix_sock }`);
  const keys = Object.keys(target);
  const logins = resolveLogins(name, target);
  if ("unix_sock" in target) {
    if (keys.some((k) => k !== "unix_sock" && !LOGIN_KEYS.includes(k)))
      fail(`targets.${name}: valid keys of a unix_sock target are unix_sock, ${LOGIN_KEYS.join(", ")}`);
    if (typeof target.unix_sock !== "string" || !target.unix_sock.startsWith("/")) {
      fail(
        `targets.${name}.unix_sock must be an absolute path of the socket file, e.g. /var/run/postgresql/.s.PGSQL.5432`,
      );
    }
    return { name, kind: "unix", path: target.unix_sock, tls: { mode: "disable", negotiation: "postgres" }, ...logins };
  }
  if (keys.some((k) => !["host", "port", "tls", ...LOGIN_KEYS].includes(k)))
    fail(`targets.${name}: valid keys are host, port, tls, ${LOGIN_KEYS.join(", ")} (or unix_sock)`);
  if (typeof target.host !== "string" || target.host === "") fail(`targets.${name}.host must be a non-empty string`);
  const port = target.port ?? 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    fail(`targets.${name}.port must be an integer from 1 to 65535`);
  return { name, kind: "tcp", host: target.host, port, tls: resolveTargetTls(name, target.tls), ...logins };
}

const LOGIN_KEYS = ["users", "databases", "replication"];

function resolveLogins(name: string, target: TargetLogins): Pick<BridgeTarget, "users" | "databases" | "replication"> {
  const list = (key: "users" | "databases"): Set<string> | null => {
    const value = target[key];
    if (value === undefined) return null;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === ""))
      fail(`targets.${name}.${key} must be an array of names (omit it to allow any)`);
    return new Set(value);
  };
  if (target.replication !== undefined && typeof target.replication !== "boolean")
    fail(`targets.${name}.replication must be true or false`);
  return { users: list("users"), databases: list("databases"), replication: target.replication === true };
}

function resolveTargetTls(name: string, tls: TcpTarget["tls"]): ResolvedTargetTls {
  const t: TargetTls = tls === undefined ? { mode: "disable" } : typeof tls === "string" ? { mode: tls } : tls;
  if (!["disable", "require", "verify-full"].includes(t.mode)) {
    fail(`targets.${name}.tls must be "disable", "require" or "verify-full" (or { mode, ca | caFile, servername })`);
  }
  const ca = t.ca ?? (t.caFile ? readFile(t.caFile, `targets.${name}.tls.caFile`) : undefined);
  if (ca !== undefined && t.mode !== "verify-full")
    fail(`targets.${name}.tls: a CA only makes sense with mode "verify-full"`);
  const negotiation = t.negotiation ?? "postgres";
  if (negotiation !== "postgres" && negotiation !== "direct")
    fail(`targets.${name}.tls.negotiation must be "postgres" or "direct" (PostgreSQL 17+)`);
  if (negotiation === "direct" && t.mode === "disable")
    fail(`targets.${name}.tls: negotiation "direct" needs mode "require" or "verify-full"`);
  return { mode: t.mode, ca, servername: t.servername, negotiation };
}

export function readFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    fail(`${what}: cannot read ${file}: ${(err as Error).message}`);
  }
}
