// Streaming a result through a portal in batches: Execute with a row limit and Flush, then
// the next batch only when the consumer asks for it. Memory holds at most one batch.
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
    this.rows.push(row);
  };

  readonly events = {
    suspended: (): void => {
      this.suspended = true;
      this.host.idle(true);
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

  // ---- consumed by the user ----
  async next(): Promise<IteratorResult<unknown[]>> {
    for (;;) {
      if (this.index < this.rows.length) {
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
      if (this.suspended && !this.ended) {
        this.suspended = false;
        this.host.idle(false);
        this.host.send((w) => {
          msg.execute(w, "", this.batchSize);
          msg.flush(w);
        });
      }
      await this.wait();
    }
  }

  /** Early exit (break): close the portal and finish the exchange. */
  async return(): Promise<IteratorResult<unknown[]>> {
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
