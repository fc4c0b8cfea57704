// From socket chunks to backend messages: each chunk goes through the codec (one WASM call),
// and the framed messages are handed out one by one, a batch at a time. A handler may be async
// (authentication): the messages after it, and the chunks that arrive meanwhile, wait for it.

import type { Codec } from "../codec/index.js";

export interface MessageHandler {
  /** One backend message of the current batch; a promise holds the rest back until it settles. */
  dispatch(type: number, offset: number, length: number, index: number): Promise<void> | void;
  /** The codec framed a new batch / is done with the current one. */
  beginBatch(codec: Codec): void;
  endBatch(codec: Codec): void;
  /** Stop handing out messages (the connection is closed). */
  readonly stopped: boolean;
  /** A failure while reading: the connection cannot go on. */
  fatal(error: unknown): void;
}

export class MessagePump {
  /** Set while an async handler runs; chunks that arrive meanwhile wait in the backlog. */
  private blocked = false;
  private backlog: Uint8Array[] = [];

  constructor(
    private readonly codec: Codec,
    private readonly handler: MessageHandler,
  ) {}

  /** A chunk from the transport. */
  push(chunk: Uint8Array): void {
    if (this.blocked) {
      this.backlog.push(chunk.slice());
      return;
    }
    try {
      this.processBatch(0, this.codec.push(chunk));
    } catch (err) {
      this.handler.fatal(err);
    }
  }

  /** Handles framed messages [start, count) of the current batch, then any that remain. */
  private processBatch(start: number, count: number): void {
    const codec = this.codec;
    const handler = this.handler;
    for (;;) {
      handler.beginBatch(codec);
      for (let i = start; i < count; i++) {
        if (handler.stopped) return;
        const pending = handler.dispatch(codec.frameType(i), codec.frameOffset(i), codec.frameLength(i), i);
        if (pending) {
          this.waitFor(pending, i + 1, count);
          return;
        }
      }
      handler.endBatch(codec);
      if (!codec.pending) break;
      start = 0;
      count = codec.resume();
    }
  }

  private waitFor(pending: Promise<void>, index: number, count: number): void {
    this.blocked = true;
    pending.then(
      () => {
        this.blocked = false;
        try {
          this.processBatch(index, count);
          const backlog = this.backlog;
          this.backlog = [];
          for (const chunk of backlog) {
            if (this.blocked) {
              this.backlog.push(chunk);
              continue;
            }
            this.processBatch(0, this.codec.push(chunk));
          }
        } catch (err) {
          this.handler.fatal(err);
        }
      },
      (err: unknown) => {
        this.blocked = false;
        this.handler.fatal(err);
      },
    );
  }
}
