// Server bytes to the client under the compressing subprotocol (BRIDGE_SUBPROTOCOL_DEFLATE in
// src/bridge-protocol.ts): pieces of COMPRESS_MIN_BYTES or more go through the session's one raw
// DEFLATE stream (level 1, a sync flush per piece, on zlib's thread pool), smaller ones raw. Order
// is kept: a raw piece waits for the compressed pieces before it.
//
// Compression pays only when it shrinks the bytes a lot: the page inflates on its main thread
// and the bridge spends CPU that the same machine's browser may want. Measured in Chromium on 2
// cores: W1's rows (numbers, dates, short text; ~3× smaller) arrive in half the time; md5 text
// (~1.9×) arrived later than uncompressed (the notebook's million rows: 2.0 s → 3.5 s). So a
// piece that shrinks less than `minRatio` (the bridge's compression.minRatio, default 2.5) sends
// the next RAW_SPAN bytes raw, then compression is tried again.

import type * as net from "node:net";
import * as zlib from "node:zlib";
import { COMPRESS_MIN_BYTES, DEFLATE_HEADER_BYTES, FrameTag } from "../src/bridge-protocol.js";
import { DEFAULT_MIN_RATIO } from "./config.js";
import { writeBinaryFrame } from "./frames.js";

const RAW_TAG = Buffer.from([FrameTag.Raw]);
/** Bytes sent raw after a piece compressed worse than the minimum ratio. */
export const RAW_SPAN = 8 << 20;

interface Piece {
  bytes: Buffer;
  /** Called once the frame carrying it has been handed to the kernel (backpressure). */
  written: (() => void) | undefined;
}

export class DeflatingSender {
  private deflate: zlib.DeflateRaw | null = null;
  private readonly queue: Piece[] = [];
  private compressing = false;
  private output: Buffer[] = [];
  private closed = false;
  private idle: (() => void)[] = [];
  /** Bytes still to send raw since compression last did not pay. */
  private rawLeft = 0;
  /** Server bytes taken but not written to the socket yet. */
  pendingBytes = 0;
  /** Server bytes compressed so far, and what they became. */
  bytesIn = 0;
  bytesOut = 0;
  /** Payload bytes sent, compressed or raw (the session logs it beside the server's bytes). */
  bytesOnWire = 0;

  constructor(
    private readonly socket: net.Socket,
    private readonly failed: (error: Error) => void,
    private readonly minRatio = DEFAULT_MIN_RATIO,
  ) {}

  send(bytes: Buffer, written?: () => void): void {
    if (this.closed) return;
    if (!this.compressing && this.queue.length === 0 && !this.worthCompressing(bytes)) {
      this.sendRaw(bytes, written);
      return;
    }
    this.queue.push({ bytes, written });
    this.pendingBytes += bytes.length;
    this.next();
  }

  /** Calls `done` once everything taken so far is written (at once when nothing is pending). */
  whenIdle(done: () => void): void {
    if (this.closed || (!this.compressing && this.queue.length === 0)) done();
    else this.idle.push(done);
  }

  /** Stops: what is queued is dropped (the client is gone). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.deflate?.close();
    this.settle();
  }

  private next(): void {
    while (!this.compressing && !this.closed && this.queue.length > 0) {
      const piece = this.queue.shift()!;
      if (!this.worthCompressing(piece.bytes)) {
        this.pendingBytes -= piece.bytes.length;
        this.sendRaw(piece.bytes, piece.written);
        continue;
      }
      this.compress(piece);
    }
    if (!this.compressing) this.settle();
  }

  private settle(): void {
    const idle = this.idle;
    this.idle = [];
    for (const done of idle) done();
  }

  private sendRaw(bytes: Buffer, written: (() => void) | undefined): void {
    this.bytesOnWire += bytes.length;
    writeBinaryFrame(this.socket, bytes, written, RAW_TAG);
  }

  /** Whether `bytes` go through the DEFLATE stream (counts down the raw span otherwise). */
  private worthCompressing(bytes: Buffer): boolean {
    if (bytes.length < COMPRESS_MIN_BYTES) return false;
    if (this.rawLeft <= 0) return true;
    this.rawLeft -= bytes.length;
    return false;
  }

  private compress(piece: Piece): void {
    this.compressing = true;
    const deflate = (this.deflate ??= this.open());
    deflate.write(piece.bytes);
    // zlib pushes the flushed output (the 'data' events below) before it calls this back.
    deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      this.compressing = false;
      this.pendingBytes -= piece.bytes.length;
      if (this.closed) return;
      const header = Buffer.allocUnsafe(DEFLATE_HEADER_BYTES);
      header[0] = FrameTag.Deflate;
      header.writeUInt32BE(piece.bytes.length, 1);
      const body = this.output.length === 1 ? this.output[0]! : Buffer.concat(this.output);
      this.output = [];
      this.bytesIn += piece.bytes.length;
      this.bytesOut += body.length;
      this.bytesOnWire += body.length;
      if (piece.bytes.length < body.length * this.minRatio) this.rawLeft = RAW_SPAN;
      writeBinaryFrame(this.socket, body, piece.written, header);
      this.next();
    });
  }

  private open(): zlib.DeflateRaw {
    const deflate = zlib.createDeflateRaw({ level: 1 });
    deflate.on("data", (chunk: Buffer) => this.output.push(chunk));
    deflate.on("error", (err) => {
      if (this.closed) return;
      this.close();
      this.failed(err);
    });
    return deflate;
  }
}
