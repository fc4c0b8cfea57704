// Streaming replication over a replication connection: START_REPLICATION switches the
// connection to CopyBoth; the server sends XLogData and keepalives, the client answers with
// standby status updates. PostgreSQL docs: "Streaming Replication Protocol".

import { InterfaceError } from "../errors.js";
import { Backend } from "../protocol/messages.js";
import * as msg from "../protocol/serializer.js";
import { AsyncQueue } from "./async-queue.js";
import type { CopyHost, CopyProtocol, ErrorSink } from "./copy.js";

export interface XLogData {
  kind: "xlogdata";
  /** LSN where this WAL data starts. */
  wal_start: bigint;
  /** The server's current end of WAL. */
  wal_end: bigint;
  /** Server clock, microseconds since 2000-01-01 UTC. */
  send_time: bigint;
  /** The WAL data (for logical decoding: the plugin's output). */
  data: Uint8Array;
}

export interface PrimaryKeepalive {
  kind: "keepalive";
  wal_end: bigint;
  send_time: bigint;
  /** The server wants a status update now (sent automatically). */
  reply_requested: boolean;
}

export type ReplicationMessage = XLogData | PrimaryKeepalive;

/** "16/B374D848" → 0x16B374D848n */
export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!m) throw new InterfaceError(`invalid LSN '${text}': expected the form 16/B374D848`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

const PG_EPOCH_MICROS = 946_684_800_000_000n;
/** Pause the socket while this many messages wait for the consumer. */
const HIGH_WATER = 256;

export class ReplicationStream implements AsyncIterableIterator<ReplicationMessage>, CopyProtocol {
  private readonly queue: AsyncQueue<ReplicationMessage>;
  private copyEnded = false;
  /** The server's CopyDone was read: a keepalive it still sends after it is dropped. */
  private serverEnded = false;
  private acknowledged = 0n;
  private started = false;

  constructor(private readonly host: CopyHost) {
    // Past HIGH_WATER waiting messages the socket is paused until the consumer catches up.
    this.queue = new AsyncQueue({
      highWater: HIGH_WATER,
      pause: () => host.pauseReading(),
      resume: () => host.resumeReading(),
    });
  }

  // ---- CopyProtocol, driven by the query's response ----
  handle(type: number, bytes: Uint8Array, offset: number, length: number, _errors: ErrorSink): void {
    switch (type) {
      case Backend.CopyBothResponse:
        this.started = true;
        return;
      case Backend.CopyData:
        if (!this.serverEnded) this.onCopyData(bytes, offset, length);
        return;
      case Backend.CopyDone:
        this.serverEnded = true;
        if (!this.copyEnded) {
          // The server ends the stream (e.g. timeline switch): answer with our CopyDone.
          this.copyEnded = true;
          this.host.send((w) => msg.copyDone(w));
        }
        return;
      default:
        throw new InterfaceError(
          "START_REPLICATION did not switch to streaming (CopyBoth); is this a replication connection?",
        );
    }
  }

  finished(): Promise<void> {
    return Promise.resolve();
  }

  private onCopyData(bytes: Uint8Array, offset: number, length: number): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
    const tag = bytes[offset];
    if (tag === 0x77 /* w */ && length >= 25) {
      this.push({
        kind: "xlogdata",
        wal_start: view.getBigUint64(1),
        wal_end: view.getBigUint64(9),
        send_time: view.getBigInt64(17),
        data: bytes.slice(offset + 25, offset + length),
      });
    } else if (tag === 0x6b /* k */ && length >= 18) {
      const keepalive: PrimaryKeepalive = {
        kind: "keepalive",
        wal_end: view.getBigUint64(1),
        send_time: view.getBigInt64(9),
        reply_requested: view.getUint8(17) === 1,
      };
      if (keepalive.reply_requested) this.sendStatus(false);
      this.push(keepalive);
    } else {
      throw new InterfaceError(`malformed replication message (tag 0x${(tag ?? 0).toString(16)}, ${length} bytes)`);
    }
  }

  private push(message: ReplicationMessage): void {
    this.queue.push(message);
  }

  /** ReadyForQuery or connection failure. */
  settle(error: Error | null): void {
    this.queue.end(error);
  }

  private get settled(): boolean {
    return this.queue.isEnded;
  }

  // ---- the user's side ----

  /** Tells the server everything up to `lsn` is safely processed (it may then recycle that WAL). */
  acknowledge(lsn: bigint): void {
    if (lsn > this.acknowledged) this.acknowledged = lsn;
    this.sendStatus(false);
  }

  private sendStatus(replyRequested: boolean): void {
    if (this.copyEnded || this.settled || !this.started) return;
    const body = new Uint8Array(34);
    const view = new DataView(body.buffer);
    body[0] = 0x72; // r
    view.setBigUint64(1, this.acknowledged); // written
    view.setBigUint64(9, this.acknowledged); // flushed
    view.setBigUint64(17, this.acknowledged); // applied
    view.setBigInt64(25, BigInt(Date.now()) * 1000n - PG_EPOCH_MICROS);
    body[33] = replyRequested ? 1 : 0;
    this.host.send((w) => msg.copyData(w, body));
  }

  next(): Promise<IteratorResult<ReplicationMessage>> {
    return this.queue.next();
  }

  /** Stops streaming (CopyDone) and waits until the server has finished the command. */
  async end(): Promise<void> {
    if (!this.copyEnded && !this.settled) {
      this.copyEnded = true;
      this.host.send((w) => msg.copyDone(w));
    }
    this.queue.clear();
    while (!this.settled) await this.queue.settled();
    this.queue.clear(); // what arrived meanwhile
    // The command's outcome: an error it ended with is thrown here.
    const last = await this.queue.next().catch((err: unknown) => err);
    if (last instanceof Error) throw last;
  }

  async return(): Promise<IteratorResult<ReplicationMessage>> {
    await this.end().catch(() => undefined);
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ReplicationMessage> {
    return this;
  }
}
