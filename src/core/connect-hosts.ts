// Connecting to one of several servers as libpq does (PostgreSQL docs: libpq, "Specifying
// Multiple Hosts" and target_session_attrs): each host in turn (shuffled with
// load_balance_hosts=random), each attempt bounded by connect_timeout, the next host tried on
// refusal, timeout, authentication failure or the wrong session attributes; sslmode allow and
// prefer retry one host without or with TLS; the caller's AbortSignal stops all of it.

import { describeTarget, type HostTarget, shuffled } from "../config/hosts.js";
import type { SslMode } from "../config/tls-settings.js";
import { DatabaseError, OperationalError } from "../errors.js";
import type { ResolvedOptions, TargetSessionAttrs } from "./options.js";

/** What the session check needs from a fresh connection. */
export interface SessionProbe {
  readonly parameter_statuses: Record<string, string>;
  simpleQuery(sql: string): Promise<{ rows: unknown[][] }>;
  close(): Promise<void>;
}

/** A server that answered but has the wrong session attributes: try the next one. */
class WrongSessionError extends OperationalError {}

type Open<C> = (single: ResolvedOptions, signal: AbortSignal) => Promise<C>;

export async function connectToHosts<C extends SessionProbe>(o: ResolvedOptions, open: Open<C>): Promise<C> {
  const userSignal = o.signal;
  const targets = o.load_balance_hosts === "random" ? shuffled(o.targets) : o.targets;
  const passes: TargetSessionAttrs[] =
    o.target_session_attrs === "prefer-standby" ? ["standby", "any"] : [o.target_session_attrs];
  const failures: { target: HostTarget; error: unknown }[] = [];
  const unreachable = new Set<HostTarget>();

  for (const attrs of passes) {
    for (const target of targets) {
      if (unreachable.has(target)) continue;
      let mode: AttemptMode | null = o.tls.mode === "allow" ? "allow-plain" : o.tls.mode;
      while (mode !== null) {
        throwIfAborted(userSignal);
        const tlsUsed = { value: false };
        const attempt = attemptOptions(o, target, mode, tlsUsed);
        try {
          return await withConnectTimeout(o.connect_timeout, userSignal, target, async (signal) => {
            const con = await open(attempt, signal);
            await checkOrClose(con, attrs, target);
            // An abort that came while nothing was listening (e.g. during codec loading) still counts.
            if (signal.aborted) {
              await con.close().catch(() => undefined);
              throw signal.reason;
            }
            return con;
          });
        } catch (error) {
          throwIfAborted(userSignal);
          failures.push({ target, error });
          mode = retryMode(mode, tlsUsed.value, error);
          if (mode === null && !(error instanceof WrongSessionError)) unreachable.add(target);
        }
      }
    }
  }
  throw connectFailure(failures, o);
}

/** sslmode=allow's first attempt, without TLS. */
type AttemptMode = SslMode | "allow-plain";

/**
 * The server refused us (SQLSTATE class 28, e.g. pg_hba.conf's hostssl / hostnossl lines):
 * sslmode=allow retries with TLS, and prefer without it when the refusal came over TLS, as
 * libpq does (libpq retries after any server error; a missing database stays missing).
 */
function retryMode(mode: AttemptMode, tlsUsed: boolean, error: unknown): AttemptMode | null {
  if (!(error instanceof DatabaseError) || !error.code.startsWith("28")) return null;
  if (mode === "allow-plain") return "require";
  if (mode === "prefer" && tlsUsed) return "disable";
  return null;
}

function attemptOptions(
  o: ResolvedOptions,
  t: HostTarget,
  mode: AttemptMode,
  tlsUsed: { value: boolean },
): ResolvedOptions {
  const pgpass = o.pgpass;
  return {
    ...o,
    host: t.host,
    port: t.port,
    hostaddr: t.hostaddr,
    unix_sock: t.unix_sock,
    password: o.password ?? (pgpass ? async () => pgpass(t) as string : undefined),
    tls: { ...o.tls, mode: mode === "allow-plain" ? "disable" : mode },
    tlsUsed,
  };
}

async function checkOrClose(con: SessionProbe, attrs: TargetSessionAttrs, target: HostTarget): Promise<void> {
  try {
    await checkSession(con, attrs, target);
  } catch (err) {
    await con.close().catch(() => undefined);
    throw err;
  }
}

/**
 * libpq's checks: on PostgreSQL 14 and later the server reports in_hot_standby and
 * default_transaction_read_only at startup; older servers are asked.
 */
export async function checkSession(con: SessionProbe, attrs: TargetSessionAttrs, target: HostTarget): Promise<void> {
  if (attrs === "any") return;
  const ps = con.parameter_statuses;
  const wrong = (why: string): WrongSessionError =>
    new WrongSessionError(`${why} (target_session_attrs=${attrs}) at ${describeTarget(target)}`);
  if (attrs === "read-write" || attrs === "read-only") {
    let readOnly: boolean;
    if (ps.in_hot_standby !== undefined && ps.default_transaction_read_only !== undefined) {
      readOnly = ps.in_hot_standby === "on" || ps.default_transaction_read_only === "on";
    } else {
      readOnly = (await con.simpleQuery("SHOW transaction_read_only")).rows[0]?.[0] === "on";
    }
    if (attrs === "read-write" && readOnly) throw wrong("session is read-only");
    if (attrs === "read-only" && !readOnly) throw wrong("session is not read-only");
    return;
  }
  let standby: boolean;
  if (ps.in_hot_standby !== undefined) {
    standby = ps.in_hot_standby === "on";
  } else {
    const value = (await con.simpleQuery("SELECT pg_catalog.pg_is_in_recovery()")).rows[0]?.[0];
    standby = value === true || value === "t";
  }
  if (attrs === "primary" && standby) throw wrong("server is in hot standby mode");
  if (attrs === "standby" && !standby) throw wrong("server is not in hot standby mode");
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new OperationalError("connecting was aborted by the 'signal' option", { cause: signal.reason });
  }
}

/**
 * Runs one connection attempt under a signal that fires when the caller's signal aborts or
 * connect_timeout passes; the attempt's sockets are torn down by whoever listens to it.
 */
async function withConnectTimeout<T>(
  seconds: number | undefined,
  userSignal: AbortSignal | undefined,
  target: HostTarget,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onUserAbort = (): void =>
    controller.abort(
      new OperationalError("connecting was aborted by the 'signal' option", { cause: userSignal?.reason }),
    );
  userSignal?.addEventListener("abort", onUserAbort, { once: true });
  const timer =
    seconds === undefined
      ? undefined
      : setTimeout(() => {
          controller.abort(
            new OperationalError(
              `timeout: could not connect to ${describeTarget(target)} within ${seconds} s (connect_timeout)`,
            ),
          );
        }, seconds * 1000);
  try {
    // Whatever the attempt reports once aborted, the reason is the abort.
    return await attempt(controller.signal).catch((err: unknown) => {
      throw controller.signal.aborted ? controller.signal.reason : err;
    });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    userSignal?.removeEventListener("abort", onUserAbort);
  }
}

function connectFailure(failures: { target: HostTarget; error: unknown }[], o: ResolvedOptions): unknown {
  // One server: its (last) error as it is, so callers still see e.g. the SQLSTATE.
  if (failures.every((f) => f.target === failures[0]!.target)) return failures[failures.length - 1]!.error;
  const lines = failures.map(({ target, error }) => {
    const text = error instanceof Error ? error.message : String(error);
    return `  ${describeTarget(target)}: ${text}`;
  });
  const attrs = o.target_session_attrs === "any" ? "" : ` with target_session_attrs=${o.target_session_attrs}`;
  return new OperationalError(`could not connect to any server${attrs}:\n${lines.join("\n")}`, {
    cause: failures[failures.length - 1]!.error,
  });
}
