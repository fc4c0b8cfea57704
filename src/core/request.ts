// A request in flight: everything the server sends up to its ReadyForQuery belongs to it.
// The connection hands each backend message to the request at the head of its queue.

import type { Codec } from "../codec/index.js";
import type { TransactionStatus } from "../protocol/messages.js";
import { Expectations } from "./exchange.js";

export type { TransactionStatus };

export abstract class Request<T = unknown> {
  /** First error seen (server or client side); raised once ReadyForQuery arrives. */
  error: Error | null = null;
  /** The server's transaction status when this request started being answered. */
  startStatus: TransactionStatus | null = null;
  /** Settled (ReadyForQuery seen, or the connection failed). */
  done = false;
  /** Called when the server starts on this request (set when it was cancelled while queued). */
  cancelWhenStarted: (() => void) | null = null;
  /** What the server may send next for this request, from what was sent for it. */
  readonly expected = new Expectations();
  readonly promise: Promise<T>;
  private settle!: { resolve: (value: T) => void; reject: (error: Error) => void };

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  /** A backend message other than the asynchronous ones (A, N, S) and ReadyForQuery. */
  abstract handle(type: number, offset: number, length: number, index: number, codec: Codec): void | Promise<void>;

  /** The codec framed a new batch (its typed columns are fresh views). */
  beginBatch(_codec: Codec): void {}

  /** The codec's current batch is done (its typed columns are about to be reused). */
  endBatch(_codec: Codec): void {}

  /** ReadyForQuery: the request is over. */
  abstract complete(status: TransactionStatus): void;

  /** Its messages could not be built, so it was never queued: release what it holds. */
  abandon(): void {}

  /** Records a client-side error; the request still reads up to ReadyForQuery. */
  noteError(error: unknown): void {
    this.error ??= error instanceof Error ? error : new Error(String(error));
  }

  resolve(value: T): void {
    this.done = true;
    this.settle.resolve(value);
  }

  reject(error: Error): void {
    this.done = true;
    this.settle.reject(error);
  }

  /** The connection died: nothing more will arrive. */
  fail(error: Error): void {
    this.done = true;
    this.settle.reject(this.error ?? error);
  }
}
