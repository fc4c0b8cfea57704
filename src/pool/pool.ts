// A pool of native connections: callers wait in one FIFO queue and each connection that frees
// up (opened or released) goes to the caller who waited longest. Idle connections close after
// idle_timeout, every connection after max_lifetime; a connection that broke, or is still in a
// transaction or running something (an unawaited query, an unfinished stream) when released, is
// closed rather than lent again.

import { CoreConnection } from "../core/connection.js";
import type { ConnectOptions } from "../core/options.js";
import { InterfaceError, OperationalError } from "../errors.js";
import type { Params, RunOptions } from "../native/connection.js";
import type { QueryOptions, QueryResult } from "../native/query-result.js";
import { type PoolOptions, type ResolvedPoolSettings, splitPoolOptions } from "./options.js";
import { PooledConnection, type Slot } from "./pooled-connection.js";

interface Waiter {
  resolve(con: PooledConnection): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Timed out or served: skipped when the queue reaches it. */
  settled: boolean;
}

export class Pool {
  private readonly settings: ResolvedPoolSettings;
  private readonly connectOptions: ConnectOptions | string;
  /** Open sessions, lent or idle. */
  private readonly slots = new Set<Slot>();
  /** Idle sessions; the most recently released on top, so the surplus ones age out. */
  private readonly idleSlots: Slot[] = [];
  private opening = 0;
  /** FIFO of callers; entries before `head` are served, timed-out ones are skipped. */
  private waiters: Waiter[] = [];
  private head = 0;
  private waitingCount = 0;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly retiring = new Set<Promise<void>>();
  private drained: (() => void) | null = null;

  constructor(options: PoolOptions | string) {
    const { settings, connect } = splitPoolOptions(options);
    this.settings = settings;
    this.connectOptions = connect;
    this.keepMinimum();
  }

  /** Connections open, being opened or being closed: the sessions the server may see. */
  get total(): number {
    return this.slots.size + this.opening + this.retiring.size;
  }
  /** Open connections nobody holds. */
  get idle(): number {
    return this.idleSlots.length;
  }
  /** Callers waiting for a connection. */
  get waiting(): number {
    return this.waitingCount;
  }

  /**
   * A connection for your exclusive use until `release()` (or the end of an `await using`
   * block). Waits in line when all `max` are lent; rejects with OperationalError after
   * `acquire_timeout` seconds.
   */
  connect(): Promise<PooledConnection> {
    if (this.closed) return Promise.reject(new InterfaceError("the pool is closed"));
    if (this.waitingCount === 0) {
      const slot = this.takeIdle();
      if (slot) return Promise.resolve(this.lend(slot));
    }
    return new Promise<PooledConnection>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined, settled: false };
      const limit = this.settings.acquireTimeout;
      if (limit > 0) {
        waiter.timer = setTimeout(() => {
          if (waiter.settled) return;
          waiter.settled = true;
          this.waitingCount--;
          reject(
            new OperationalError(
              `no pool connection within acquire_timeout (${limit / 1000} s): all ${this.settings.max} were in use or ` +
                "could not be opened; release connections sooner, or raise max or acquire_timeout",
            ),
          );
        }, limit);
      }
      this.waiters.push(waiter);
      this.waitingCount++;
      this.grow();
    });
  }

  /** run() on a free connection, released when done. */
  async run(sql: string, params?: Params | null, options?: RunOptions): Promise<unknown[][] | null> {
    const con = await this.connect();
    try {
      return await con.run(sql, params, options);
    } finally {
      con.release();
    }
  }

  /** query() on a free connection, released when done: `{ rows, fields, command, row_count }`. */
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
  async query(sql: string, params?: Params | null, options?: QueryOptions): Promise<QueryResult<unknown>> {
    const con = await this.connect();
    try {
      return await con.query(sql, params, options);
    } finally {
      con.release();
    }
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
   * Stops lending: waiting callers are rejected, idle connections closed, and lent ones closed
   * as they are released. Resolves once every connection is closed.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    for (let i = this.head; i < this.waiters.length; i++) {
      const waiter = this.waiters[i]!;
      if (waiter.settled) continue;
      waiter.settled = true;
      clearTimeout(waiter.timer);
      waiter.reject(new InterfaceError("the pool was closed while this caller waited for a connection"));
    }
    this.waiters = [];
    this.head = 0;
    this.waitingCount = 0;
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

  // ---- lending ----------------------------------------------------------------------------

  private lend(slot: Slot): PooledConnection {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    const lease = new PooledConnection(slot, (l) => this.giveBack(l));
    slot.lease = lease;
    return lease;
  }

  private giveBack(lease: PooledConnection): void {
    const slot = lease.slot;
    if (slot.lease !== lease) return;
    slot.lease = null;
    if (slot.core.closed || !this.slots.has(slot)) this.forget(slot);
    else if (this.closed || lease.inTransaction || lease.busy || this.expired(slot, Date.now())) this.retire(slot);
    else this.offer(slot);
  }

  /** A free connection goes to the longest-waiting caller, or becomes idle. */
  private offer(slot: Slot): void {
    const waiter = this.nextWaiter();
    if (waiter) {
      waiter.resolve(this.lend(slot));
      return;
    }
    slot.idleSince = Date.now();
    this.idleSlots.push(slot);
    this.armIdleTimer(slot);
  }

  private nextWaiter(): Waiter | undefined {
    while (this.head < this.waiters.length) {
      const waiter = this.waiters[this.head++]!;
      if (waiter.settled) continue;
      waiter.settled = true;
      this.waitingCount--;
      clearTimeout(waiter.timer);
      this.compactWaiters();
      return waiter;
    }
    this.compactWaiters();
    return undefined;
  }

  private compactWaiters(): void {
    if (this.head === this.waiters.length) {
      this.waiters = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.head);
      this.head = 0;
    }
  }

  private takeIdle(): Slot | undefined {
    const now = Date.now();
    for (let slot = this.idleSlots.pop(); slot; slot = this.idleSlots.pop()) {
      if (slot.core.closed) this.forget(slot);
      else if (this.expired(slot, now)) this.retire(slot);
      else return slot;
    }
    return undefined;
  }

  // ---- opening and closing ----------------------------------------------------------------

  /** Opens connections for the callers waiting, up to max. */
  private grow(): void {
    while (!this.closed && this.waitingCount > this.opening && this.total < this.settings.max) this.open();
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
        const slot: Slot = { core, created: Date.now(), idleSince: 0, timer: undefined, lease: null };
        this.slots.add(slot);
        core.on("close", () => this.forget(slot));
        if (this.closed) this.retire(slot);
        else this.offer(slot);
      },
      (error: unknown) => {
        this.opening--;
        // The caller who waited longest hears why; the others get another attempt each.
        this.nextWaiter()?.reject(error instanceof Error ? error : new OperationalError(String(error)));
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
      const slot: Slot = { core, created: 0, idleSince: 0, timer: undefined, lease: null };
      try {
        await setup(new PooledConnection(slot, () => undefined));
      } catch (err) {
        await core.close().catch(() => undefined);
        throw err;
      }
    }
    return core;
  }

  /**
   * Closes a connection the pool no longer wants. It still counts in `total` until closed: a
   * query left running on a released connection finishes first (and a stream is ended).
   */
  private retire(slot: Slot): void {
    this.drop(slot);
    const closing = slot.core.close().catch(() => undefined);
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
    clearTimeout(slot.timer);
    slot.timer = undefined;
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

  // ---- recycling --------------------------------------------------------------------------

  private expired(slot: Slot, now: number): boolean {
    return this.settings.maxLifetime > 0 && now - slot.created >= this.settings.maxLifetime;
  }

  /** Wakes up when the idle connection has been idle too long or lived too long. */
  private armIdleTimer(slot: Slot): void {
    const { idleTimeout, maxLifetime } = this.settings;
    const now = Date.now();
    let delay = Number.POSITIVE_INFINITY;
    if (idleTimeout > 0) delay = slot.idleSince + idleTimeout - now;
    if (maxLifetime > 0) delay = Math.min(delay, slot.created + maxLifetime - now);
    if (delay === Number.POSITIVE_INFINITY) return;
    slot.timer = setTimeout(() => this.sweep(slot), Math.max(delay, 0));
    unref(slot.timer);
  }

  private sweep(slot: Slot): void {
    slot.timer = undefined;
    if (slot.lease || !this.idleSlots.includes(slot)) return;
    const now = Date.now();
    const idleTooLong = this.settings.idleTimeout > 0 && now - slot.idleSince >= this.settings.idleTimeout;
    if (this.expired(slot, now) || (idleTooLong && this.slots.size > this.settings.min)) {
      this.retire(slot);
      return;
    }
    // Kept for `min`: look again after another idle period.
    if (idleTooLong) slot.idleSince = now;
    this.armIdleTimer(slot);
  }
}

/** Node timers would keep the process alive for an idle pool; browsers' timers have no unref. */
function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}
