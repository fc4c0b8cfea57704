// COPY … TO STDOUT as an async iterator of byte chunks: the COPY's destination is a queue the
// user reads from. While the queue is full the destination's write() returns a promise, which
// makes the COPY pause the socket (copy.ts), so memory holds at most HIGH_WATER chunks.

import { AsyncQueue } from "./async-queue.js";

const HIGH_WATER = 16;
const LOW_WATER = 3;

/** A COPY destination as copySink() accepts it: write() may return a promise (wait). */
export interface ChunkWriter {
  write(chunk: Uint8Array): Promise<void> | undefined;
}

export class CopyOutStream implements AsyncIterableIterator<Uint8Array> {
  private readonly chunks: AsyncQueue<Uint8Array>;
  private space: Promise<void> | null = null;
  private release: (() => void) | null = null;
  private discard = false;
  private readonly done: Promise<void>;

  /** `run` starts the COPY with the given destination and settles when the command is over. */
  constructor(run: (destination: ChunkWriter) => Promise<unknown>) {
    this.chunks = new AsyncQueue<Uint8Array>({
      highWater: HIGH_WATER,
      lowWater: LOW_WATER,
      pause: () => {
        this.space = new Promise<void>((resolve) => (this.release = resolve));
      },
      resume: () => {
        const release = this.release;
        this.space = this.release = null;
        release?.();
      },
    });
    const destination: ChunkWriter = {
      write: (chunk) => {
        if (this.discard) return undefined;
        this.chunks.push(chunk);
        return this.space ?? undefined;
      },
    };
    this.done = run(destination).then(
      () => this.chunks.end(),
      (err: unknown) => this.chunks.end(err instanceof Error ? err : new Error(String(err))),
    );
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    return this.chunks.next();
  }

  /** Stopping early: the rest of the COPY is read and dropped. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    this.discard = true;
    this.chunks.clear();
    await this.done;
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }
}
