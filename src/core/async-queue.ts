// The one wait/wake queue behind every stream the driver hands out (portal rows, replication
// messages, COPY TO chunks): the connection pushes, the user's for-await loop pulls. Memory is
// bounded by flow control: past `highWater` items the producer is told to pause, and below
// `lowWater` to go on; an empty queue tells it the consumer wants more.

export interface AsyncQueueFlow {
  /** Items held before `pause()` is called (default: never). */
  highWater?: number;
  /** `resume()` is called once a paused queue is down to this many (default highWater / 2). */
  lowWater?: number;
  pause?(): void;
  resume?(): void;
  /** The consumer waits on an empty queue that is not ended: fetch more (e.g. the next batch). */
  wanted?(): void;
}

export class AsyncQueue<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: (() => void) | null = null;
  private paused = false;
  private ended = false;
  private failure: Error | null = null;
  private readonly highWater: number;
  private readonly lowWater: number;

  constructor(private readonly flow: AsyncQueueFlow = {}) {
    this.highWater = flow.highWater ?? Number.POSITIVE_INFINITY;
    this.lowWater = flow.lowWater ?? Math.floor(this.highWater / 2);
  }

  /** Items waiting for the consumer. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Whether end() was called (the producer is done, or failed). */
  get isEnded(): boolean {
    return this.ended;
  }

  push(item: T): void {
    this.items.push(item);
    if (!this.paused && this.length >= this.highWater) {
      this.paused = true;
      this.flow.pause?.();
    }
    this.wake();
  }

  /** No more items will come; `error` is thrown to the consumer once the queue is empty. */
  end(error: Error | null = null): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.unpause();
    this.wake();
  }

  /** Drops what is queued (the consumer stopped early). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.unpause();
  }

  /** The next item, or done once ended and empty; throws the error end() was given. */
  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.head < this.items.length) {
        // An index, not shift(): handing out a batch stays linear.
        const value = this.items[this.head++]!;
        if (this.head === this.items.length) {
          this.items = [];
          this.head = 0;
        }
        if (this.paused && this.length <= this.lowWater) this.unpause();
        return { value, done: false };
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return { value: undefined, done: true };
      }
      this.flow.wanted?.();
      await this.settled();
    }
  }

  /** Resolves at the next push or end (waits for end when called in a loop on `isEnded`). */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.waiter;
      this.waiter = previous
        ? () => {
            previous();
            resolve();
          }
        : resolve;
    });
  }

  /** Wakes a waiting consumer to look again (and call `wanted` if still empty). */
  notify(): void {
    this.wake();
  }

  private unpause(): void {
    if (!this.paused) return;
    this.paused = false;
    this.flow.resume?.();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}
