// The list of servers to try (PostgreSQL docs: libpq, "Specifying Multiple Hosts"): host,
// hostaddr and port are lists of the same length (a single port applies to every host), an
// empty entry takes the default, and a host starting with "/" is a unix socket directory.

import { InterfaceError } from "../errors.js";

export interface HostTarget {
  /** Host name: the TLS server name and what the password file is matched against. */
  host: string;
  /** Numeric address to connect to instead of resolving `host`. */
  hostaddr?: string;
  port: number;
  /** Socket file, for a unix socket directory as host. */
  unix_sock?: string;
}

export const DEFAULT_HOST = "localhost";
export const DEFAULT_PORT = 5432;

export type HostList = string | readonly string[] | undefined;
export type PortList = number | string | readonly (number | string)[] | undefined;

function toList(value: HostList | PortList, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InterfaceError(`'${name}' must not be an empty list`);
    return value.map((v) => {
      if (typeof v !== "string" && typeof v !== "number") {
        throw new InterfaceError(`'${name}' entries must be strings${name === "port" ? " or numbers" : ""}`);
      }
      return String(v).trim();
    });
  }
  if (typeof value === "number") return [String(value)];
  if (typeof value !== "string") {
    throw new InterfaceError(`'${name}' must be a string${name === "port" ? ", a number" : ""} or a list of them`);
  }
  return value.split(",").map((v) => v.trim());
}

function parsePort(text: string): number {
  if (text === "") return DEFAULT_PORT;
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InterfaceError(`'port' must be an integer from 1 to 65535, got ${JSON.stringify(text)}`);
  }
  return port;
}

/** One target per host (or hostaddr) entry, with its port. */
export function expandHosts(host: HostList, hostaddr: HostList, port: PortList): HostTarget[] {
  const hosts = toList(host, "host");
  const addrs = toList(hostaddr, "hostaddr");
  const ports = toList(port, "port") ?? [""];
  if (hosts && addrs && hosts.length !== addrs.length) {
    throw new InterfaceError(
      `could not match ${hosts.length} host names to ${addrs.length} hostaddr values; give one hostaddr per host`,
    );
  }
  const count = hosts?.length ?? addrs?.length ?? 1;
  if (ports.length !== 1 && ports.length !== count) {
    throw new InterfaceError(
      `could not match ${ports.length} port numbers to ${count} hosts; give one port or one per host`,
    );
  }
  const targets: HostTarget[] = [];
  for (let i = 0; i < count; i++) {
    const name = hosts?.[i] ?? "";
    const addr = addrs?.[i] ?? "";
    const p = parsePort(ports.length === 1 ? ports[0]! : ports[i]!);
    if (name.startsWith("/") && addr === "") {
      targets.push({ host: name, port: p, unix_sock: `${name.replace(/\/$/, "")}/.s.PGSQL.${p}` });
    } else if (addr !== "") {
      targets.push({ host: name === "" ? addr : name, hostaddr: addr, port: p });
    } else {
      targets.push({ host: name === "" ? DEFAULT_HOST : name, port: p });
    }
  }
  return targets;
}

/** Fisher–Yates shuffle for load_balance_hosts=random; `random` is injectable for tests. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** How a target is named in errors. */
export function describeTarget(t: HostTarget): string {
  if (t.unix_sock) return `unix socket ${t.unix_sock}`;
  const addr = t.hostaddr && t.hostaddr !== t.host ? ` (${t.hostaddr})` : "";
  const host = t.host.includes(":") ? `[${t.host}]` : t.host;
  return `${host}${addr}:${t.port}`;
}
