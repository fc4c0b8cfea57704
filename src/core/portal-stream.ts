// Streaming a result through a portal in batches: Execute with a row limit and Flush, then
// the next batch only when the consumer asks for it. Memory holds at most one batch.
// PostgreSQL docs: Frontend/Backend Protocol, "Extended Query" (portal suspension).

import { InterfaceError } from "../errors.js";
import type { ColumnInfo } from "../protocol/messages.js";
import { AsyncQueue } from "./async-queue.js";
import type { ColumnarCollector } from "./columnar.js";
import type { QueryRequest } from "./query.js";

/** What the stream asks of the connection; the messages come from the statement runner's composer. */
export interface PortalHost {
  /** Execute the open portal for `rows` more rows, then Flush. */
  fetch(rows: number): void;
  /** Sync: ends the implicit transaction (and the portal) and brings ReadyForQuery. */
  sync(): void;
  /** Close the portal, then Sync. */
  closePortal(): void;
  /** The stream waits for its consumer: the server is not expected to answer meanwhile. */
  idle(waiting: boolean): void;
}

/**
 * The async iterator handed to the user; the connection feeds it rows and portal events. Items
 * are rows (stream()), or, for a columnar stream (stream_columnar()), one ColumnarResult per
 * portal batch: the query collects that batch's DataRows into `collector`.
 */
export class PortalStream<T = unknown[]> implements AsyncIterableIterator<T> {
  private readonly rows: AsyncQueue<T>;
  private suspended = false;
  private ended = false;
  /** The exchange that feeds this stream (set by the statement runner). */
  request: QueryRequest | undefined;
  /** A columnar stream's rows of the current batch (made by the query at the first DataRow). */
  collector: ColumnarCollector | null = null;
  /** Rows handed to the consumer so far (the server's tag counts only the last batch's). */
  private received = 0;

  /** The result's columns: known once the first batch arrived (after the first next()). */
  get columns(): ColumnInfo[] | null {
    return this.request?.columns ?? null;
  }

  /**
   * The command tag once the statement completed, as the server sent it. For a portal read in
   * batches PostgreSQL counts only the last batch in it ("SELECT 500"): row_count has the total.
   */
  get command(): string | null {
    return this.request?.command ?? null;
  }

  /**
   * Once the statement completed: the rows it returned, all batches together, or for a
   * statement without rows the count of its tag (INSERT/UPDATE/DELETE …). -1 before that.
   */
  get row_count(): number {
    if (this.command === null) return -1;
    return this.columns !== null ? this.received : (this.request?.rowCount ?? -1);
  }

  constructor(
    private readonly host: PortalHost,
    private batchSize: number,
    /** Items are ColumnarResult batches, not rows. */
    readonly columnar = false,
  ) {
    // The next batch is asked for only once the consumer has taken the whole current one.
    this.rows = new AsyncQueue({ wanted: () => this.fetchMore() });
  }

  // ---- fed by the connection (a query sink) ----

  onRow(row: unknown[]): void {
    this.received++;
    this.rows.push(row as T); // a row stream's items are its rows
  }

  /** A columnar stream hands out the rows collected so far (its typed values already copied). */
  private flush(): void {
    const batch = this.collector?.take();
    if (batch && batch.row_count > 0) {
      this.received += batch.row_count;
      this.rows.push(batch as T);
    }
  }

  /** PortalSuspended: the batch is complete, more rows remain. */
  onSuspended(): void {
    if (this.ended) return; // return() has sent Close and Sync: nothing more to fetch
    this.flush();
    this.suspended = true;
    this.host.idle(true);
    // A consumer already waiting on an empty queue looks again, and asks for the next batch.
    this.rows.notify();
  }

  /** CommandComplete or ErrorResponse: no more rows; Sync finishes the exchange. */
  onEnded(): void {
    if (this.ended) return; // return() has sent Close and Sync already: one Sync, one ReadyForQuery
    // Rows that came before an error are handed out too (the error is thrown after them).
    this.flush();
    this.ended = true;
    this.host.sync();
  }

  /** Called once the request settled (ReadyForQuery or connection failure). */
  settle(error: Error | null): void {
    this.rows.end(error);
  }

  /** Rows asked for by the next fetch; changing it between batches lets a consumer start small and grow. */
  get batch_size(): number {
    return this.batchSize;
  }

  set batch_size(rows: number) {
    if (!Number.isInteger(rows) || rows < 1)
      throw new InterfaceError(`batch_size must be a positive integer, got ${String(rows)}`);
    this.batchSize = rows;
  }

  private fetchMore(): void {
    if (!this.suspended || this.ended) return;
    this.suspended = false;
    this.host.idle(false);
    this.host.fetch(this.batchSize);
  }

  // ---- consumed by the user ----

  next(): Promise<IteratorResult<T>> {
    return this.rows.next();
  }

  /** Early exit (break): close the portal and finish the exchange. */
  async return(): Promise<IteratorResult<T>> {
    this.rows.clear();
    if (!this.ended && !this.rows.isEnded) {
      this.ended = true;
      if (this.suspended) this.host.idle(false);
      this.host.closePortal();
    }
    while (!this.rows.isEnded) await this.rows.settled();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
