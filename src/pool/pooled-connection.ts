// A connection lent by a Pool: the native Connection for one caller, until release(). A new
// object per loan, so a caller who kept it after release() gets an error instead of running
// SQL on a session that now belongs to someone else. Between loans the pool runs one-shot
// statements (pool.run / pool.query) on the session through its SharedSession, never exposed.

import type { ColumnarResult } from "../core/columnar.js";
import type { CoreConnection } from "../core/connection.js";
import type { ConnectionEventName, ConnectionEvents } from "../core/events.js";
import { type CloseOptions, closeOptions } from "../core/graceful-close.js";
import type { QueryResult as CoreResult } from "../core/query.js";
import type { ReplicationStream } from "../core/replication.js";
import { InterfaceError } from "../errors.js";
import {
  Connection,
  type Params,
  type PreparedStatement,
  type RowStream,
  type RunOptions,
  type StreamOptions,
} from "../native/connection.js";
import { POSITIONAL_STREAM } from "../native/positional.js";

/** What the pool keeps per open session. */
export interface Slot {
  readonly core: CoreConnection;
  /** Runs the pool's one-shot statements on this session. */
  readonly shared: SharedSession;
  /** Date.now() when it was opened (max_lifetime). */
  readonly created: number;
  /** Date.now() when it last became free (idle_timeout). */
  idleSince: number;
  /** The current loan, or null. */
  lease: PooledConnection | null;
  /** One-shot statements sent on it and not answered yet (never while lent). */
  inFlight: number;
  /** Takes no more statements: closed once those in flight are answered. */
  doomed: boolean;
}

/** The native API on a pooled session for the pool's own one-shot statements. */
export class SharedSession extends Connection {
  /** Public here: Connection's own constructor is protected. */
  constructor(core: CoreConnection) {
    super(core);
  }
}

export class PooledConnection extends Connection {
  private released = false;
  /** Listeners added through this loan (made on the first on()). */
  private unsubscribers: (() => void)[] | null = null;

  constructor(
    readonly slot: Slot,
    private readonly giveBack: (lease: PooledConnection) => void,
  ) {
    super(slot.core);
  }

  /**
   * Gives the connection back to the pool; the pool discards it instead when it broke or is
   * still inside a transaction. Calling it again does nothing.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    const unsubscribers = this.unsubscribers;
    this.unsubscribers = null;
    if (unsubscribers) for (const unsubscribe of unsubscribers) unsubscribe();
    this.giveBack(this);
  }

  /** `await using con = await pool.connect()` releases it at the end of the block. */
  override async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }

  /**
   * Closes the session for good (the pool opens another when needed) and ends the loan. Waits for
   * the server to end the session unless `{ wait_for_server: false }`: the pool counts it until then.
   */
  override async close(options?: CloseOptions): Promise<void> {
    if (!this.released) {
      await this.core.close({ wait_for_server: closeOptions(options).wait_for_server ?? true });
      this.release();
    }
  }

  /** @internal The server's transaction status says a transaction is open (or failed). */
  get inTransaction(): boolean {
    return this.core.inTransaction;
  }

  /** @internal A query or stream of this session has not finished yet. */
  get busy(): boolean {
    return this.core.pendingRequests > 0;
  }

  /** Listeners added through a loan are removed when it is released. */
  override on<E extends ConnectionEventName>(event: E, listener: ConnectionEvents[E]): () => void {
    this.check();
    const unsubscribe = this.core.on(event, listener);
    (this.unsubscribers ??= []).push(unsubscribe);
    return unsubscribe;
  }

  protected override execute(
    sql: string,
    params: Params | null | undefined,
    options: RunOptions,
    positional?: boolean,
  ): Promise<CoreResult> {
    this.check();
    return super.execute(sql, params, options, positional);
  }

  override stream(sql: string, params?: Params | null, options?: StreamOptions): RowStream {
    this.check();
    return super.stream(sql, params, options);
  }

  override [POSITIONAL_STREAM](sql: string, params: readonly unknown[], options?: StreamOptions): RowStream {
    this.check();
    return super[POSITIONAL_STREAM](sql, params, options);
  }

  override async run_columnar(sql: string, params?: Params | null, options?: RunOptions): Promise<ColumnarResult> {
    this.check();
    return super.run_columnar(sql, params, options);
  }

  override async prepare(sql: string, types?: Record<string, number>): Promise<PreparedStatement> {
    this.check();
    return super.prepare(sql, types);
  }

  override start_replication(sql: string): ReplicationStream {
    this.check();
    return super.start_replication(sql);
  }

  override async cancel(): Promise<void> {
    this.check();
    return super.cancel();
  }

  private check(): void {
    if (this.released) {
      throw new InterfaceError(
        "this connection was released to the pool: get another with pool.connect() (or use pool.run / pool.query)",
      );
    }
  }
}
