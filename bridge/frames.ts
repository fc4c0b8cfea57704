// Server bytes to the client as WebSocket binary frames, written straight to the WebSocket's own
// socket. `ws.send` builds the same frame but costs, per message, an options object, a header
// and payload pair written with cork/uncork (a writev) and, for backpressure, a callback with
// its process.nextTick; on W2's 10,000 small round trips that is most of what the bridge adds to
// a plain TCP relay. RFC 6455 §5.2: FIN set, opcode 2, no mask (a server never masks).
//
// Safe beside ws's own writes (ping, close) because the bridge disables permessage-deflate and
// never sends blobs: ws then writes each frame to the socket synchronously, so every frame goes
// out whole and in call order. The session stops writing once the WebSocket is not OPEN, so no
// data frame follows a close frame.

import type * as net from "node:net";
import { MAX_CLOSE_REASON_BYTES } from "../src/bridge-protocol.js";

/** Up to this size header and payload are joined in one buffer (one write); larger go as a writev. */
const JOIN_LIMIT = 8 * 1024;

/** Length of the frame header for a payload of `length` bytes. */
function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/** Writes the header of an unmasked final binary frame at `into[0…]`; returns its length. */
function writeHeader(into: Buffer, length: number): number {
  into[0] = 0x82; // FIN | binary
  if (length < 126) {
    into[1] = length;
    return 2;
  }
  if (length < 65536) {
    into[1] = 126;
    into.writeUInt16BE(length, 2);
    return 4;
  }
  into[1] = 127;
  into.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  into.writeUInt32BE(length >>> 0, 6);
  return 10;
}

/**
 * Sends `prefix` (if given) and `payload` as one binary message. `written` (if given) is called
 * once the socket has handed the frame to the kernel, or failed.
 */
export function writeBinaryFrame(socket: net.Socket, payload: Buffer, written?: () => void, prefix?: Buffer): void {
  const p = prefix?.length ?? 0;
  const length = p + payload.length;
  const h = headerLength(length);
  if (length <= JOIN_LIMIT) {
    const frame = Buffer.allocUnsafe(h + length);
    writeHeader(frame, length);
    if (prefix) prefix.copy(frame, h);
    payload.copy(frame, h + p);
    socket.write(frame, written);
    return;
  }
  const header = Buffer.allocUnsafe(h + p);
  writeHeader(header, length);
  if (prefix) prefix.copy(header, h);
  socket.cork();
  socket.write(header);
  socket.write(payload, written);
  socket.uncork();
}

/**
 * A close reason within the 123 bytes of UTF-8 a close frame allows (ws throws beyond that), cut
 * at a character boundary. Reasons can quote client input (a target name, an Origin).
 */
export function closeReason(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return text;
  let end = MAX_CLOSE_REASON_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}
