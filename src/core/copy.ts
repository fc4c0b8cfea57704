// COPY sub-protocol. PostgreSQL docs: Frontend/Backend Protocol, "COPY Operations".
// COPY IN reads its source as it sends (waiting for the socket to drain); COPY OUT hands each
// CopyData to the sink and pauses the socket while the sink is busy, so memory stays bounded.

import { InterfaceError } from "../errors.js";
import { Backend, readCopyResponse } from "../protocol/messages.js";
import * as msg from "../protocol/serializer.js";
import { type CopyChunk, type CopySink, copySink, copySource } from "./copy-streams.js";

/** What COPY needs from the connection. */
export interface CopyHost {
  send(build: (w: msg.MessageWriter) => void): void;
  /** Writes what is buffered now; resolves when the socket can take more. */
  drain(): Promise<void>;
  pauseReading(): void;
  resumeReading(): void;
}

/** Where a COPY failure is recorded; it is raised when the server is ready again. */
export interface ErrorSink {
  noteError(error: unknown): void;
}

/** Flush the outgoing buffer once this much COPY data is in it. */
const COPY_FLUSH_BYTES = 64 * 1024;

/** A COPY-mode exchange inside a query: plain COPY, or replication streaming (CopyBoth). */
export interface CopyProtocol {
  handle(type: number, bytes: Uint8Array, offset: number, length: number, errors: ErrorSink): void;
  /** Resolves once everything received has been handed on. */
  finished(): Promise<void>;
}

export class CopyHandler implements CopyProtocol {
  private sink: CopySink | null = null;
  private sinkBusy: Promise<void> | null = null;
  private backlog: Uint8Array[] = [];
  private readingPaused = false;
  private bytesOut = 0;
  private aborted = false;

  /**
   * @param stream the user's `stream` option
   * @param extended the COPY came through the extended protocol: a Sync must follow CopyDone
   */
  constructor(
    private readonly host: CopyHost,
    private readonly stream: unknown,
    private readonly extended: boolean,
  ) {}

  handle(type: number, bytes: Uint8Array, offset: number, length: number, request: ErrorSink): void {
    switch (type) {
      case Backend.CopyInResponse: {
        const { format } = readCopyResponse(bytes, offset, length);
        void this.copyIn(format === 1, request);
        return;
      }
      case Backend.CopyOutResponse:
        this.sink = copySink(this.stream);
        return;
      case Backend.CopyData:
        this.copyOut(bytes.slice(offset, offset + length), request);
        return;
      case Backend.CopyDone:
        return;
      case Backend.CopyBothResponse:
        throw new InterfaceError("CopyBoth (replication streaming) needs start_replication(), not run()");
    }
  }

  private copyOut(chunk: Uint8Array, request: ErrorSink): void {
    if (this.aborted || !this.sink) return;
    // While the sink is busy, chunks already framed from the socket wait here, in order; the
    // socket itself is paused, so this holds at most what one read delivered.
    if (this.sinkBusy) this.backlog.push(chunk);
    else this.writeChunk(chunk, request);
  }

  private writeChunk(chunk: Uint8Array, request: ErrorSink): void {
    let result: void | Promise<void>;
    try {
      result = this.sink!.write(chunk);
    } catch (err) {
      this.fail(err, request);
      return;
    }
    if (!(result instanceof Promise)) return;
    if (!this.readingPaused) {
      this.readingPaused = true;
      this.host.pauseReading();
    }
    this.sinkBusy = result.then(
      () => this.afterWrite(request),
      (err: unknown) => {
        this.fail(err, request);
        this.afterWrite(request);
      },
    );
  }

  private afterWrite(request: ErrorSink): void {
    this.sinkBusy = null;
    while (!this.sinkBusy && this.backlog.length > 0 && !this.aborted) {
      this.writeChunk(this.backlog.shift()!, request);
    }
    if (this.aborted) this.backlog = [];
    if (!this.sinkBusy && this.readingPaused) {
      this.readingPaused = false;
      this.host.resumeReading();
    }
  }

  /** Resolves once the COPY OUT destination has accepted everything; rejects with its error. */
  async finished(): Promise<void> {
    while (this.sinkBusy) await this.sinkBusy;
    if (this.sink && !this.aborted) await this.sink.finished();
  }

  private fail(err: unknown, request: ErrorSink): void {
    // The rest of the COPY data is read and dropped; the error is raised at ReadyForQuery.
    this.aborted = true;
    request.noteError(err);
  }

  private async copyIn(binary: boolean, request: ErrorSink): Promise<void> {
    try {
      for await (const chunk of copySource(this.stream)) {
        if (binary && typeof chunk === "string") {
          throw new InterfaceError("the COPY IN format is binary, but the stream yields strings; give bytes");
        }
        const size = typeof chunk === "string" ? chunk.length : chunk.length;
        if (size === 0) continue;
        this.host.send((w) => msg.copyData(w, chunk as CopyChunk));
        this.bytesOut += size;
        if (this.bytesOut >= COPY_FLUSH_BYTES) {
          this.bytesOut = 0;
          await this.host.drain();
        }
      }
      this.host.send((w) => {
        msg.copyDone(w);
        if (this.extended) msg.sync(w);
      });
    } catch (err) {
      request.noteError(err);
      const reason = err instanceof Error ? err.message : String(err);
      this.host.send((w) => {
        msg.copyFail(w, `COPY source failed: ${reason}`.slice(0, 1000));
        if (this.extended) msg.sync(w);
      });
    }
  }
}
