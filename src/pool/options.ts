// Pool options: the connect options plus the pool's own sizes and times, validated up front
// with errors that say what to fix.

import type { ConnectOptions } from "../core/options.js";
import { InterfaceError } from "../errors.js";
import type { Connection } from "../native/connection.js";

export interface PoolSettings {
  /** Most connections open at once (default 10). */
  max?: number;
  /** Connections kept open even when idle (default 0). */
  min?: number;
  /** Seconds an idle connection stays open before it is closed (default 30; 0 = never). */
  idle_timeout?: number;
  /** Seconds after which a connection is closed once it is released (default 3600; 0 = never). */
  max_lifetime?: number;
  /** Seconds a caller waits for a connection, opening included (default 30; 0 = no limit). */
  acquire_timeout?: number;
  /**
   * Runs once on each new connection before it is first lent, e.g. to register adapters
   * (`con.register_in_adapter(INT8, Number)`) or SET session defaults. When it throws, the
   * connection is closed and the waiting caller gets the error.
   */
  on_connect?: (con: Connection) => void | Promise<void>;
}

export type PoolOptions = ConnectOptions & PoolSettings;

export interface ResolvedPoolSettings {
  max: number;
  min: number;
  /** Milliseconds; 0 = never. */
  idleTimeout: number;
  maxLifetime: number;
  acquireTimeout: number;
  onConnect: ((con: Connection) => void | Promise<void>) | undefined;
}

const POOL_KEYS = ["max", "min", "idle_timeout", "max_lifetime", "acquire_timeout", "on_connect"] as const;

/** Splits the pool's own options from the connect options, which go to every connect() as given. */
export function splitPoolOptions(input: PoolOptions | string): {
  settings: ResolvedPoolSettings;
  connect: ConnectOptions | string;
} {
  if (typeof input === "string") return { settings: resolveSettings({}), connect: input };
  if (input === null || typeof input !== "object") {
    throw new InterfaceError(
      "new Pool() takes an options object (connect options plus max, min…) or a postgresql:// URI",
    );
  }
  const connect: Record<string, unknown> = { ...input };
  for (const key of POOL_KEYS) delete connect[key];
  return { settings: resolveSettings(input), connect: connect as unknown as ConnectOptions };
}

function resolveSettings(o: PoolSettings): ResolvedPoolSettings {
  const max = o.max ?? 10;
  if (!Number.isInteger(max) || max < 1) {
    throw new InterfaceError(`pool option 'max' must be a positive integer, got ${String(o.max)}`);
  }
  const min = o.min ?? 0;
  if (!Number.isInteger(min) || min < 0 || min > max) {
    throw new InterfaceError(`pool option 'min' must be an integer from 0 to max (${max}), got ${String(o.min)}`);
  }
  if (o.on_connect !== undefined && typeof o.on_connect !== "function") {
    throw new InterfaceError("pool option 'on_connect' must be a function (con) => void | Promise<void>");
  }
  return {
    max,
    min,
    onConnect: o.on_connect,
    idleTimeout: seconds(o, "idle_timeout", 30),
    maxLifetime: seconds(o, "max_lifetime", 3600),
    acquireTimeout: seconds(o, "acquire_timeout", 30),
  };
}

function seconds(o: PoolSettings, key: "idle_timeout" | "max_lifetime" | "acquire_timeout", fallback: number): number {
  const value = o[key] ?? fallback;
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    throw new InterfaceError(`pool option '${key}' must be a number of seconds (0 = no limit), got ${String(o[key])}`);
  }
  return value * 1000;
}
