// Where connection settings come from, in libpq's order of precedence: the options (or
// connection string) given to connect(), then the service file's section, then the environment
// variables. Each keyword is taken from the first source that sets it.

import { InterfaceError } from "../errors.js";
import { DEFAULT_PORT } from "./hosts.js";
import {
  type Keywords,
  keywordsFromEnvironment,
  type LibpqKeyword,
  serverSettingsFromEnvironment,
} from "./keywords.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Typed option values from raw keyword strings (dbname → database, numbers parsed). */
export function optionsFromKeywords(k: Keywords): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(k) as [LibpqKeyword, string][]) {
    switch (name) {
      case "dbname":
        out.database = value;
        break;
      case "port":
        out.port = portList(value);
        break;
      case "connect_timeout":
      case "keepalives":
      case "keepalives_idle":
      case "keepalives_interval":
      case "keepalives_count":
      case "tcp_user_timeout":
      case "sslsni":
        out[name] = integer(name, value);
        break;
      default:
        out[name] = value;
    }
  }
  return out;
}

/** "5432" → 5432; "5432,,5433" → [5432, 5432, 5433] (an empty entry is the default port). */
function portList(text: string): number | number[] {
  const ports = text.split(",").map((p) => (p.trim() === "" ? DEFAULT_PORT : integer("port", p)));
  return ports.length === 1 ? ports[0]! : ports;
}

function integer(name: string, text: string): number {
  if (!/^\s*-?\d+\s*$/.test(text)) {
    throw new InterfaceError(`invalid integer value "${text}" for connection option "${name}"`);
  }
  return Number(text);
}

/** Options that decide the transport: when given, the environment's host settings do not apply. */
const TRANSPORT_OPTIONS = ["unix_sock", "sock", "bridge"] as const;

export interface Sources {
  /** What connect() was given, parsed from a string if it was one. */
  explicit: Record<string, unknown>;
  /** The named service's keywords (service file). */
  service?: Keywords;
  env?: Env;
}

/** The options with gaps filled from the service file and then the environment. */
export function mergeSources({ explicit, service, env }: Sources): Record<string, unknown> {
  const given = Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined));
  const fallback: Record<string, unknown> = {
    ...(env ? optionsFromKeywords(keywordsFromEnvironment(env)) : {}),
    ...(service ? optionsFromKeywords(service) : {}),
  };
  delete fallback.service;
  // ssl_context (the driver's own TLS option) and sslmode say the same thing: the explicit one wins.
  if (given.ssl_context !== undefined && given.ssl_context !== null) {
    for (const k of ["sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "sslcrl", "sslcrldir"]) {
      delete fallback[k];
    }
  }
  if (TRANSPORT_OPTIONS.some((k) => given[k] !== undefined && given[k] !== null)) {
    for (const k of ["host", "hostaddr", "port"]) delete fallback[k];
    if (given.bridge !== undefined && given.bridge !== null) delete fallback.sslmode;
  }
  const merged: Record<string, unknown> = { ...fallback, ...given };
  if (env) {
    const settings = serverSettingsFromEnvironment(env);
    if (Object.keys(settings).length > 0) {
      merged.startup_params = { ...settings, ...((given.startup_params as Record<string, string>) ?? {}) };
    }
  }
  return merged;
}
