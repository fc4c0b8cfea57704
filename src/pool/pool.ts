// A pool of native connections. Two ways to use one:
// - a loan (connect(), transaction(), and one-shot statements that may change the session's
//   transaction state): the connection is the caller's alone until released;
// - a one-shot statement that cannot (see shareable.ts) runs on a connection nobody holds and
//   is pipelined there with other callers' statements: on an idle connection when there is
//   one, otherwise (all `max` open and busy) on the least busy, up to PIPELINE_DEPTH deep.
// Callers who find nothing wait in one first-come-first-served line. A connection is lent
// only once its one-shot statements are answered. Idle connections close after idle_timeout,
// every connection after max_lifetime; a connection that broke, or is still in a transaction
// or running something (an unawaited query, an unfinished stream) when released, is closed
// rather than used again.

import { CoreConnection } from "../core/connection.js";
import type { ConnectOptions } from "../core/options.js";
import { InterfaceError, OperationalError } from "../errors.js";
import type { Connection, Params, RunOptions } from "../native/connection.js";
import type { QueryOptions, QueryResult } from "../native/query-result.js";
import { type PoolOptions, type ResolvedPoolSettings, splitPoolOptions } from "./options.js";
import { PooledConnection, SharedSession, type Slot } from "./pooled-connection.js";
import { Recycling } from "./recycling.js";
import { shareable } from "./shareable.js";
import { WaiterLine } from "./waiters.js";

/**
 * One-shot statements in flight on one connection at most. Deeper pipelines gain little
 * throughput, and a caller queued behind a slow statement waits for it: past this depth
 * callers wait in the pool's line (and acquire_timeout counts) for whichever connection has
 * room first.
 */
export const PIPELINE_DEPTH = 16;

export class Pool {
  private readonly settings: ResolvedPoolSettings;
  private readonly connectOptions: ConnectOptions | string;
  /** Open sessions, lent, running one-shot statements or idle. */
  private readonly slots = new Set<Slot>();
  /** Free sessions (no loan, nothing in flight); the most recently freed on top, so the surplus ones age out. */
  private readonly idleSlots: Slot[] = [];
  private opening = 0;
  private readonly line = new WaiterLine();
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly retiring = new Set<Promise<void>>();
  private drained: (() => void) | null = null;
  private readonly recycling: Recycling;

  constructor(options: PoolOptions | string) {
    const { settings, connect } = splitPoolOptions(options);
    this.settings = settings;
    this.connectOptions = connect;
    this.recycling = new Recycling(settings, () =>
      this.recycling.sweep(
        this.idleSlots,
        () => this.slots.size,
        (slot) => this.retire(slot),
      ),
    );
    this.keepMinimum();
  }

  /** Connections open, being opened or being closed: the sessions the server may see. */
  get total(): number {
    return this.slots.size + this.opening + this.retiring.size;
  }
  /** Open connections nobody holds and nothing runs on. */
  get idle(): number {
    return this.idleSlots.length;
  }
  /** Callers waiting for a connection (or for room on one). */
  get waiting(): number {
    return this.line.count;
  }

  /**
   * A connection for your exclusive use until `release()` (or the end of an `await using`
   * block). Waits in line when none is free; rejects with OperationalError after
   * `acquire_timeout` seconds.
   */
  connect(): Promise<PooledConnection> {
    if (this.closed) return Promise.reject(new InterfaceError("the pool is closed"));
    if (this.line.count === 0) {
      const slot = this.takeIdle();
      if (slot) return Promise.resolve(this.lend(slot));
    }
    return this.wait<PooledConnection>(true);
  }

  /** run() as one statement of its own: pipelined on a shared connection when it can be, else on a loan. */
  run(sql: string, params?: Params | null, options?: RunOptions): Promise<unknown[][] | null> {
    return this.oneShot(sql, options, (con) => con.run(sql, params, options));
  }

  /** query() as one statement of its own: `{ rows, fields, command, row_count }`. */
  query<Row = unknown[]>(
    sql: string,
    params: Params | null | undefined,
    options: QueryOptions & { row_mode: "array" },
  ): Promise<QueryResult<Row>>;
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: Params | null,
    options?: QueryOptions,
  ): Promise<QueryResult<Row>>;
  query(sql: string, params?: Params | null, options?: QueryOptions): Promise<QueryResult<unknown>> {
    return this.oneShot(sql, options, (con) => con.query(sql, params, options));
  }

  /**
   * Runs `fn` inside BEGIN … COMMIT on one connection and resolves to its value; when `fn`
   * throws (or COMMIT fails) the transaction is rolled back and the error rethrown.
   */
  async transaction<T>(fn: (con: PooledConnection) => T | Promise<T>): Promise<T> {
    const con = await this.connect();
    try {
      await con.run("BEGIN");
      const value = await fn(con);
      await con.run("COMMIT");
      return value;
    } catch (err) {
      // If the ROLLBACK fails too the connection stays in the transaction and release() drops it.
      if (!con.closed && con.inTransaction) await con.run("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      con.release();
    }
  }

  /**
   * Stops lending: waiting callers are rejected, idle connections closed, and the others closed
   * once released and their statements answered. Resolves once the server has ended every
   * session (each close waits for it), so that a DROP DATABASE or a count of sessions can follow.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.line.rejectAll(() => new InterfaceError("the pool was closed while this caller waited for a connection"));
    this.recycling.stop();
    for (const slot of this.idleSlots.splice(0)) this.retire(slot);
    this.closing = new Promise<void>((resolve) => {
      this.drained = resolve;
      this.checkDrained();
    }).then(async () => {
      while (this.retiring.size > 0) await Promise.all(this.retiring);
    });
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- one-shot statements -------------------------------------------------------------------

  private oneShot<T>(
    sql: string,
    options: { stream?: unknown; signal?: AbortSignal; timeout?: number } | undefined,
    work: (con: Connection) => Promise<T>,
  ): Promise<T> {
    // A cancel (signal, timeout) reaches whatever the session runs at that moment, and COPY
    // holds the session: those take a loan, like statements that may change the transaction state.
    const own =
      options !== undefined &&
      (options.stream !== undefined || options.signal !== undefined || options.timeout !== undefined);
    if (own || typeof sql !== "string" || !shareable(sql)) return this.onLoan(work);
    return this.onShared(work);
  }

  private onShared<T>(work: (con: Connection) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new InterfaceError("the pool is closed"));
    const slot = this.line.count === 0 ? this.roomOnShared() : undefined;
    if (slot) return this.runShared(slot, work);
    return this.wait<Slot>(false).then((waited) => this.runShared(waited, work));
  }

  private async onLoan<T>(work: (con: Connection) => Promise<T>): Promise<T> {
    const con = await this.connect();
    try {
      return await work(con);
    } finally {
      con.release();
    }
  }

  /** `slot.inFlight` already counts this statement. */
  private async runShared<T>(slot: Slot, work: (con: Connection) => Promise<T>): Promise<T> {
    if (slot.core.closed) {
      // It broke between being chosen and this turn: nothing was sent, so go elsewhere.
      this.sharedDone(slot);
      return this.onShared(work);
    }
    try {
      return await work(slot.shared);
    } finally {
      this.sharedDone(slot);
    }
  }

  /**
   * A connection for one more one-shot statement, counted in its inFlight: an idle one, or, when
   * no more can be opened, the least busy one with room (none: wait, or open one).
   */
  private roomOnShared(): Slot | undefined {
    let slot = this.takeIdle();
    if (!slot) {
      if (this.total < this.settings.max) return undefined;
      for (;;) {
        slot = undefined;
        for (const s of this.slots) {
          if (s.lease === null && !s.doomed && s.inFlight < PIPELINE_DEPTH && (!slot || s.inFlight < slot.inFlight)) {
            slot = s;
          }
        }
        if (!slot) return undefined;
        if (!slot.core.closed && !this.recycling.expired(slot, Date.now())) break;
        slot.doomed = true; // closed once its statements are answered (or forgotten, if it broke)
      }
    }
    slot.inFlight++;
    return slot;
  }

  private sharedDone(slot: Slot): void {
    slot.inFlight--;
    if (!this.slots.has(slot)) return; // it broke: forgotten already
    // Only shareable statements get here, and they end in an idle session; if not, no more go there.
    if (slot.core.transactionStatus !== "I") slot.doomed = true;
    if (slot.inFlight === 0) this.free(slot);
    else if (this.line.count > 0) this.serve();
  }

  // ---- lending -------------------------------------------------------------------------------

  private wait<T>(exclusive: boolean): Promise<T> {
    const waiting = this.line.add<T>(exclusive, this.settings.acquireTimeout, this.settings.max);
    this.grow();
    return waiting;
  }

  private lend(slot: Slot): PooledConnection {
    const lease = new PooledConnection(slot, (l) => this.giveBack(l));
    slot.lease = lease;
    return lease;
  }

  private giveBack(lease: PooledConnection): void {
    const slot = lease.slot;
    if (slot.lease !== lease) return;
    slot.lease = null;
    if (lease.inTransaction || lease.busy) slot.doomed = true;
    this.free(slot);
  }

  /** Nothing runs on the slot and nobody holds it: the line gets it, or it becomes idle. */
  private free(slot: Slot): void {
    if (slot.core.closed || !this.slots.has(slot)) {
      this.forget(slot);
      return;
    }
    const now = Date.now();
    if (this.closed || slot.doomed || this.recycling.expired(slot, now)) {
      this.retire(slot);
      return;
    }
    slot.idleSince = now;
    this.idleSlots.push(slot);
    if (this.line.count > 0) this.serve();
    if (this.idleSlots.length > 0 && !this.closed) this.recycling.watch(slot);
  }

  /** Serves the line in order for as long as the caller at its head can be served. */
  private serve(): void {
    for (let waiter = this.line.peek(); waiter; waiter = this.line.peek()) {
      const slot = waiter.exclusive ? this.takeIdle() : this.roomOnShared();
      if (!slot) return;
      this.line.take();
      waiter.resolve(waiter.exclusive ? this.lend(slot) : slot);
    }
  }

  private takeIdle(): Slot | undefined {
    const now = Date.now();
    for (let slot = this.idleSlots.pop(); slot; slot = this.idleSlots.pop()) {
      if (slot.core.closed) this.forget(slot);
      else if (this.recycling.expired(slot, now)) this.retire(slot);
      else return slot;
    }
    return undefined;
  }

  // ---- opening and closing ----------------------------------------------------------------

  /** Opens connections for the callers waiting, up to max. */
  private grow(): void {
    while (!this.closed && this.line.count > this.opening && this.total < this.settings.max) this.open();
  }

  /** Keeps `min` connections open (failures are left for the next caller to see). */
  private keepMinimum(): void {
    while (!this.closed && this.total < this.settings.min) this.open();
  }

  private open(): void {
    this.opening++;
    this.openSession().then(
      (core) => {
        this.opening--;
        const slot = newSlot(core, Date.now());
        this.slots.add(slot);
        core.on("close", () => this.forget(slot));
        this.free(slot);
      },
      (error: unknown) => {
        this.opening--;
        // The caller who waited longest hears why; the others get another attempt each.
        this.line.take()?.reject(error instanceof Error ? error : new OperationalError(String(error)));
        this.grow();
        this.checkDrained();
      },
    );
  }

  /** A new session, set up by on_connect. */
  private async openSession(): Promise<CoreConnection> {
    const core = await CoreConnection.connect(this.connectOptions);
    const setup = this.settings.onConnect;
    if (setup) {
      try {
        await setup(new PooledConnection(newSlot(core, 0), () => undefined));
      } catch (err) {
        await core.close().catch(() => undefined);
        throw err;
      }
    }
    return core;
  }

  /**
   * Closes a connection the pool no longer wants. It still counts in `total` until closed: a
   * query left running on a released connection finishes first (and a stream is ended), and the
   * close waits for the server to end the session, so that `total` never counts fewer sessions
   * than the server has (a replacement opened at once could otherwise pass max_connections).
   */
  private retire(slot: Slot): void {
    this.drop(slot);
    const closing = slot.core.close({ wait_for_server: true }).catch(() => undefined);
    this.retiring.add(closing);
    void closing.finally(() => {
      this.retiring.delete(closing);
      this.grow();
    });
    this.afterDrop();
  }

  /** The connection closed by itself (server restart, pg_terminate_backend, network). */
  private forget(slot: Slot): void {
    if (!this.slots.has(slot)) return;
    this.drop(slot);
    this.afterDrop();
  }

  private drop(slot: Slot): void {
    this.slots.delete(slot);
    slot.doomed = true;
    const at = this.idleSlots.indexOf(slot);
    if (at >= 0) this.idleSlots.splice(at, 1);
  }

  private afterDrop(): void {
    this.grow();
    this.keepMinimum();
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.drained && this.slots.size === 0 && this.opening === 0) {
      const resolve = this.drained;
      this.drained = null;
      resolve();
    }
  }
}

function newSlot(core: CoreConnection, created: number): Slot {
  return { core, shared: new SharedSession(core), created, idleSince: 0, lease: null, inFlight: 0, doomed: false };
}
