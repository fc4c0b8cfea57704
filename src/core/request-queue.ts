// The requests in flight, in the order the server answers them, and the bytes on their way
// out. Writes are coalesced into one transport write per tick. An exclusive request (COPY with
// a stream, an open portal) must be the last thing the server reads until it ends, so the
// bytes of later requests are held back until then; their order is kept. While requests wait
// for answers a progress timer runs (the connection's `timeout`).

import { InterfaceError, OperationalError } from "../errors.js";
import * as msg from "../protocol/serializer.js";
import type { Transport } from "../transport/transport.js";
import type { CopyHost } from "./copy.js";
import type { Request } from "./request.js";

/** A request whose bytes wait until the exclusive request before it is done. */
interface DeferredWrite {
  request: Request<unknown>;
  build: (w: msg.MessageWriter) => void;
  exclusive: boolean;
}

export class RequestQueue {
  /** Requests from `head` on await answers; the one at `head` is being answered now. */
  private readonly queue: Request[] = [];
  private head = 0;
  private readonly out = new msg.MessageWriter();
  private flushScheduled = false;
  /** While set, later requests are queued but their bytes are held back. */
  private exclusive: Request<unknown> | null = null;
  private deferred: DeferredWrite[] = [];
  private drainWaiters: (() => void)[] = [];
  private readPauses = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly transport: Transport,
    /** Seconds without progress before `onTimeout` (null/undefined: no limit). */
    private readonly timeout: number | null | undefined,
    private readonly onTimeout: (error: Error) => void,
  ) {}

  /** The request the server is answering now. */
  get current(): Request | undefined {
    return this.queue[this.head];
  }

  /** An exclusive request holds later bytes back: what they say is decided when they go out. */
  get holdingBack(): boolean {
    return this.exclusive !== null;
  }

  /** How many requests are not answered yet. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Requests not answered yet, in order. */
  pending(): Request[] {
    return this.queue.slice(this.head);
  }

  /** The writer's text encoding follows the session's client_encoding. */
  get writer(): msg.MessageWriter {
    return this.out;
  }

  // ---- writing ------------------------------------------------------------------------------

  /** Appends messages to the outgoing buffer, written once per tick (coalescing). */
  send(build: (w: msg.MessageWriter) => void): void {
    const mark = this.out.length;
    try {
      build(this.out);
    } catch (err) {
      // e.g. text the session's client_encoding cannot hold: nothing half-built may be sent.
      this.out.truncate(mark);
      throw err;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes the buffer now; false when the socket's buffer is full (wait for drain). */
  flush(): boolean {
    this.flushScheduled = false;
    if (this.closed) {
      this.out.truncate(0); // nobody will send it: don't let it grow
      return true;
    }
    if (this.out.length === 0) return true;
    // Sending counts as progress too (a long COPY IN gets no answer until it ends).
    if (this.timer !== undefined) this.armTimer();
    return this.transport.write(this.out.take());
  }

  /** The transport's buffer has room again. */
  drained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** What COPY and replication need: sending, backpressure both ways. */
  readonly copyHost: CopyHost = {
    send: (build) => this.send(build),
    drain: () => {
      if (this.flush() || this.closed) return Promise.resolve();
      return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    },
    pauseReading: () => {
      if (this.readPauses++ === 0) this.transport.pause();
    },
    resumeReading: () => {
      if (--this.readPauses === 0) this.transport.resume();
    },
  };

  /**
   * More messages of `request`'s exchange (a stream's Close): they follow its own bytes, so while
   * those are still held back behind an exclusive request these wait with them.
   */
  sendAfter<T>(request: Request<T>, build: (w: msg.MessageWriter) => void): void {
    const held = this.deferred.find((d) => d.request === (request as Request<unknown>));
    if (held === undefined) {
      this.send(build);
      return;
    }
    const own = held.build;
    held.build = (w) => {
      own(w);
      build(w);
    };
  }

  // ---- ordering -----------------------------------------------------------------------------

  /** Queues a request and writes its messages (or holds them back behind an exclusive one). */
  enqueue<T>(request: Request<T>, build: (w: msg.MessageWriter) => void, exclusive = false): Promise<T> {
    const r = request as Request<unknown>;
    if (this.exclusive) {
      this.deferred.push({ request: r, build, exclusive });
    } else {
      try {
        this.send(build);
      } catch (err) {
        r.abandon(); // nothing was queued or sent
        throw err;
      }
      if (exclusive) this.exclusive = r;
    }
    this.queue.push(r);
    if (this.queue.length - this.head === 1) this.armTimer();
    return request.promise;
  }

  /**
   * The current request got its ReadyForQuery: the next one is answered from now on. Call
   * released() once the finished request is settled.
   */
  finishCurrent(): void {
    this.queue[this.head] = undefined as unknown as Request;
    this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      this.disarmTimer();
    } else if (this.head > 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** After finishCurrent(): the bytes held back behind `request` go out, the next one may be cancelled. */
  released(request: Request): void {
    if (request === this.exclusive) this.releaseExclusive();
    this.queue[this.head]?.cancelWhenStarted?.();
  }

  /** The exclusive request ended: write what waited, up to the next exclusive one. */
  private releaseExclusive(): void {
    this.exclusive = null;
    while (this.deferred.length > 0) {
      const next = this.deferred.shift()!;
      try {
        this.send(next.build);
      } catch (err) {
        // Its bytes could not be built: it never reaches the server, so it leaves the queue.
        const at = this.queue.indexOf(next.request, this.head);
        if (at >= 0) this.queue.splice(at, 1);
        next.request.fail(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (next.exclusive) {
        this.exclusive = next.request;
        return;
      }
    }
  }

  /** The connection is gone: nothing more is written; returns the requests still waiting. */
  close(): Request[] {
    this.closed = true;
    this.disarmTimer();
    const pending = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    this.deferred = [];
    this.exclusive = null;
    this.drained();
    return pending;
  }

  // ---- the progress timer -------------------------------------------------------------------

  /** Bytes arrived: the server is making progress. */
  progress(): void {
    if (this.timer !== undefined) this.armTimer();
  }

  /** A portal waits for its consumer (no answer due) or goes on. */
  idle(waiting: boolean): void {
    if (waiting) this.disarmTimer();
    else this.armTimer();
  }

  private armTimer(): void {
    const seconds = this.timeout;
    if (seconds === undefined || seconds === null || this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onTimeout(
        new OperationalError(`timeout: the server did not answer within ${seconds} s; the connection is closed`),
      );
    }, seconds * 1000);
  }

  private disarmTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The error for anything asked of a closed connection. */
export function connectionClosed(cause: Error | null): InterfaceError {
  return new InterfaceError("connection is closed", { cause: cause ?? undefined });
}
