// The pool's one line of callers waiting for a connection, first come first served: callers
// who want a connection of their own (connect(), transaction()) and one-shot statements that
// wait for room on a shared one. A caller who timed out stays in the array, marked, and is
// skipped when the line reaches it.

import { OperationalError } from "../errors.js";

export interface Waiter<T = unknown> {
  /** Wants a connection of its own (a loan), not a place on a shared one. */
  readonly exclusive: boolean;
  resolve(value: T): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Timed out or served: skipped when the line reaches it. */
  settled: boolean;
}

export class WaiterLine {
  /** Entries before `head` are served; settled ones after it are skipped. */
  private waiters: Waiter[] = [];
  private head = 0;
  /** Callers waiting (not settled). */
  count = 0;

  /** Queues a caller; after `timeoutMs` (0 = never) it leaves the line with OperationalError. */
  add<T>(exclusive: boolean, timeoutMs: number, max: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { exclusive, resolve, reject, timer: undefined, settled: false };
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          if (waiter.settled) return;
          waiter.settled = true;
          this.count--;
          reject(
            new OperationalError(
              `no pool connection within acquire_timeout (${timeoutMs / 1000} s): all ${max} were in use or ` +
                "could not be opened; release connections sooner, or raise max or acquire_timeout",
            ),
          );
        }, timeoutMs);
      }
      this.waiters.push(waiter as Waiter);
      this.count++;
    });
  }

  /** The longest-waiting caller, still in line (or undefined). */
  peek(): Waiter | undefined {
    while (this.head < this.waiters.length) {
      const waiter = this.waiters[this.head]!;
      if (!waiter.settled) return waiter;
      this.head++;
    }
    this.compact();
    return undefined;
  }

  /** Takes the longest-waiting caller out of the line (the caller then settles it). */
  take(): Waiter | undefined {
    const waiter = this.peek();
    if (!waiter) return undefined;
    this.head++;
    waiter.settled = true;
    this.count--;
    clearTimeout(waiter.timer);
    this.compact();
    return waiter;
  }

  /** Rejects everyone in line with `error`. */
  rejectAll(error: () => Error): void {
    for (let waiter = this.take(); waiter; waiter = this.take()) waiter.reject(error());
    this.waiters = [];
    this.head = 0;
  }

  private compact(): void {
    if (this.head === this.waiters.length) {
      this.waiters = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.head);
      this.head = 0;
    }
  }
}
