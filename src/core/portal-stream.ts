// Streaming a result through a portal in batches: Execute with a row limit and Flush. The next
// batch is asked for as soon as no more than one batch waits for the consumer, so the round trip
// overlaps the consumer's work on the current one; memory holds at most two batches.
// PostgreSQL docs: Frontend/Backend Protocol, "Extended Query" (portal suspension).

import type { ColumnInfo } from "../protocol/messages.js";
import * as msg from "../protocol/serializer.js";
import type { QueryRequest } from "./query.js";

export interface PortalHost {
  send(build: (w: msg.MessageWriter) => void): void;
  /** The stream waits for its consumer: the server is not expected to answer meanwhile. */
  idle(waiting: boolean): void;
}

type Waiter = () => void;

/** The async iterator handed to the user; the connection feeds it rows and portal events. */
export class PortalStream implements AsyncIterableIterator<unknown[]> {
  private rows: unknown[][] = [];
  private index = 0;
  private suspended = false;
  private ended = false;
  private returned = false;
  private settled = false;
  private failure: Error | null = null;
  /** next() and return() may wait at the same time (return() called while next() waits). */
  private waiters: Waiter[] = [];
  request!: QueryRequest;

  /** The result's columns: known once the first batch arrived (after the first next()). */
  get columns(): ColumnInfo[] | null {
    return this.request.columns;
  }

  constructor(
    private readonly host: PortalHost,
    readonly batchSize: number,
  ) {}

  // ---- fed by the connection ----
  readonly onRow = (row: unknown[]): void => {
    // After return(), rows of a batch asked for ahead still arrive: nobody will read them.
    if (!this.returned) this.rows.push(row);
  };

  readonly events = {
    suspended: (): void => {
      this.suspended = true;
      if (!this.fetchAhead()) this.host.idle(true);
      this.wake();
    },
    ended: (): void => {
      // Sync closes the implicit transaction (and the portal) and brings ReadyForQuery.
      this.ended = true;
      this.host.send((w) => msg.sync(w));
    },
  };

  /** Called once the request settled (ReadyForQuery or connection failure). */
  settle(error: Error | null): void {
    this.settled = true;
    this.failure = error;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Asks for the next batch when the portal has more and at most one batch is buffered. */
  private fetchAhead(): boolean {
    if (!this.suspended || this.ended || this.rows.length - this.index > this.batchSize) return false;
    this.suspended = false;
    this.host.send((w) => {
      msg.execute(w, "", this.batchSize);
      msg.flush(w);
    });
    return true;
  }

  // ---- consumed by the user ----
  async next(): Promise<IteratorResult<unknown[]>> {
    for (;;) {
      if (this.index < this.rows.length) {
        if (this.suspended && this.fetchAhead()) this.host.idle(false);
        // An index, not shift(): handing out a batch stays linear.
        return { value: this.rows[this.index++]!, done: false };
      }
      if (this.index > 0) {
        this.rows = [];
        this.index = 0;
      }
      if (this.settled) {
        if (this.failure) throw this.failure;
        return { value: undefined, done: true };
      }
      if (this.fetchAhead()) this.host.idle(false);
      await this.wait();
    }
  }

  /** Early exit (break): close the portal and finish the exchange. */
  async return(): Promise<IteratorResult<unknown[]>> {
    this.returned = true;
    this.rows = [];
    this.index = 0;
    if (!this.ended && !this.settled) {
      this.ended = true;
      if (this.suspended) this.host.idle(false);
      this.host.send((w) => {
        msg.close(w, "P", "");
        msg.sync(w);
      });
    }
    while (!this.settled) await this.wait();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown[]> {
    return this;
  }
}
