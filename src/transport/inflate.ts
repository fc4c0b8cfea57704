// The client side of the compressing bridge subprotocol (BRIDGE_SUBPROTOCOL_DEFLATE in
// ../bridge-protocol.ts): messages tagged Raw or Deflate, inflated by the platform's
// DecompressionStream ("deflate-raw"), handed on in the order the bridge sent them. A raw message
// waits for the inflated bytes of the compressed ones before it, counted by their announced lengths.

import { DEFLATE_HEADER_BYTES, FrameTag } from "../bridge-protocol.js";
import { OperationalError } from "../errors.js";

let inflates: boolean | undefined;

/** Whether this runtime can inflate: DecompressionStream with "deflate-raw" (browsers, Node ≥ 20.12). */
export function canInflate(): boolean {
  if (inflates !== undefined) return inflates;
  const Stream = (globalThis as { DecompressionStream?: new (format: string) => unknown }).DecompressionStream;
  try {
    inflates = typeof Stream === "function" && new Stream("deflate-raw") !== null;
  } catch {
    inflates = false;
  }
  return inflates;
}

export class Inflater {
  /** Raw payloads and inflated byte counts still to come, in the bridge's order. */
  private readonly waiting: (Uint8Array | number)[] = [];
  private writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private failed = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly deliver: (bytes: Uint8Array) => void,
    private readonly fail: (error: Error) => void,
  ) {}

  /** True while inflated bytes are still to come. */
  get busy(): boolean {
    return this.waiting.length > 0;
  }

  push(message: Uint8Array): void {
    if (this.failed) return;
    const tag = message[0];
    if (tag === FrameTag.Raw) {
      const payload = message.subarray(1);
      if (this.waiting.length === 0) this.deliver(payload);
      else this.waiting.push(payload);
      return;
    }
    if (tag !== FrameTag.Deflate || message.length < DEFLATE_HEADER_BYTES) {
      this.broken(`a message starts with ${tag === undefined ? "nothing" : `tag ${tag}`}`);
      return;
    }
    const length = ((message[1]! << 24) | (message[2]! << 16) | (message[3]! << 8) | message[4]!) >>> 0;
    if (length > 0) this.waiting.push(length);
    this.stream()
      .write(message.subarray(DEFLATE_HEADER_BYTES))
      .catch((err: unknown) => this.broken(err instanceof Error ? err.message : String(err)));
  }

  /** Calls `done` once every message pushed so far has been handed on (at once if none waits). */
  whenIdle(done: () => void): void {
    if (this.waiting.length === 0 || this.failed) done();
    else this.idle.push(done);
  }

  /** Stops inflating; what has not come out yet is dropped. */
  close(): void {
    this.failed = true;
    this.waiting.length = 0;
    this.writer?.abort().catch(() => undefined);
    this.writer = null;
    this.settle();
  }

  private stream(): WritableStreamDefaultWriter<Uint8Array> {
    if (this.writer) return this.writer;
    const inflate = new DecompressionStream("deflate-raw");
    this.writer = inflate.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>;
    void this.read(inflate.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>);
    return this.writer;
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.failed) return;
        this.inflated(value);
      }
    } catch (err) {
      this.broken(err instanceof Error ? err.message : String(err));
    }
  }

  private inflated(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length && !this.failed) {
      const head = this.waiting[0];
      if (typeof head !== "number") {
        this.broken("more bytes inflated than the bridge announced");
        return;
      }
      const take = Math.min(head, bytes.length - at);
      this.deliver(at === 0 && take === bytes.length ? bytes : bytes.subarray(at, at + take));
      at += take;
      if (take < head) this.waiting[0] = head - take;
      else {
        this.waiting.shift();
        while (this.waiting.length > 0 && typeof this.waiting[0] !== "number") {
          this.deliver(this.waiting.shift() as Uint8Array);
        }
      }
    }
    if (this.waiting.length === 0) this.settle();
  }

  private broken(detail: string): void {
    if (this.failed) return;
    this.close();
    this.fail(
      new OperationalError(
        `the bridge sent compressed data that could not be inflated (${detail}); ` +
          "connect with bridge.compression: false to bypass compression, and report this",
      ),
    );
  }

  private settle(): void {
    const idle = this.idle;
    this.idle = [];
    for (const done of idle) done();
  }
}
