// The client side of the compressing bridge subprotocol (src/transport/inflate.ts) on messages made
// here with node:zlib as the protocol describes them (bridge-protocol.ts): one raw DEFLATE stream,
// a sync flush per compressed message, raw messages between; what comes out must be exactly the
// bytes put in, in order, whatever the sizes; bad messages fail with a clear error.

import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { FrameTag } from "../../src/bridge-protocol.js";
import { OperationalError } from "../../src/errors.js";
import { Inflater } from "../../src/transport/inflate.js";

/** A bridge's side of the protocol: the messages for `pieces` (compressed when `compress(i)`). */
async function messagesFor(pieces: Buffer[], compress: (i: number) => boolean): Promise<Buffer[]> {
  const deflate = zlib.createDeflateRaw({ level: 1 });
  const out: Buffer[] = [];
  deflate.on("data", (b: Buffer) => out.push(b));
  const messages: Buffer[] = [];
  for (const [i, piece] of pieces.entries()) {
    if (!compress(i)) {
      messages.push(Buffer.concat([Buffer.from([FrameTag.Raw]), piece]));
      continue;
    }
    deflate.write(piece);
    await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    const header = Buffer.alloc(5);
    header[0] = FrameTag.Deflate;
    header.writeUInt32BE(piece.length, 1);
    messages.push(Buffer.concat([header, ...out.splice(0)]));
  }
  deflate.close();
  return messages;
}

function receiver() {
  const got: Buffer[] = [];
  const errors: Error[] = [];
  const inflater = new Inflater(
    (bytes) => got.push(Buffer.from(bytes)),
    (err) => errors.push(err),
  );
  const idle = () => new Promise<void>((resolve) => inflater.whenIdle(resolve));
  return { got, errors, inflater, idle };
}

/** Pseudo-random but compressible bytes (text-like rows), reproducible. */
function rows(n: number, seed: number): Buffer {
  let s = seed;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    parts.push(`D\0\0\0${i}|user_${s % 100000}@example.com|${(s % 9973) / 7}\n`);
  }
  return Buffer.from(parts.join(""));
}

describe("Inflater", () => {
  it("gives back exactly the bytes sent, in order, for compressed and raw messages mixed", async () => {
    const pieces = [
      Buffer.from("R\0\0\0\x08\0\0\0\0"),
      rows(2000, 1),
      Buffer.from("Z\0\0\0\x05I"),
      rows(10, 2),
      rows(50_000, 3),
      Buffer.alloc(0),
      rows(3, 4),
    ];
    const messages = await messagesFor(pieces, (i) => i === 1 || i === 3 || i === 4);
    expect(messages.reduce((a, m) => a + m.length, 0)).toBeLessThan(Buffer.concat(pieces).length / 2);
    const r = receiver();
    for (const m of messages) r.inflater.push(new Uint8Array(m.buffer, m.byteOffset, m.length));
    await r.idle();
    expect(r.errors).toEqual([]);
    expect(Buffer.concat(r.got).equals(Buffer.concat(pieces))).toBe(true);
    // The raw piece after the 50,000 rows came after all of them, not before.
    expect(Buffer.concat(r.got).subarray(-rows(3, 4).length).equals(rows(3, 4))).toBe(true);
  });

  it("a raw message with nothing compressed before it is handed on at once", () => {
    const r = receiver();
    r.inflater.push(Uint8Array.from([FrameTag.Raw, 0x5a, 0, 0, 0, 5, 0x49]));
    expect(r.got.map((b) => [...b])).toEqual([[0x5a, 0, 0, 0, 5, 0x49]]);
    expect(r.inflater.busy).toBe(false);
  });

  it("an unknown tag, an empty message or a short header fails with what to do", () => {
    for (const bad of [[7, 1, 2], [], [FrameTag.Deflate, 0, 0]]) {
      const r = receiver();
      r.inflater.push(Uint8Array.from(bad));
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toBeInstanceOf(OperationalError);
      expect(r.errors[0]!.message).toMatch(/could not be inflated .*bridge\.compression: false/);
    }
  });

  it("bytes that are not DEFLATE fail, and nothing after them is handed on", async () => {
    const r = receiver();
    r.inflater.push(Uint8Array.from([FrameTag.Deflate, 0, 0, 0, 10, 0xff, 0xff, 0xff, 0xff, 0xff]));
    r.inflater.push(Uint8Array.from([FrameTag.Raw, 1, 2, 3]));
    await r.idle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/could not be inflated/);
    expect(r.got).toEqual([]);
  });

  it("more inflated bytes than the bridge announced is a protocol error", async () => {
    const [message] = await messagesFor([rows(100, 5)], () => true);
    message!.writeUInt32BE(10, 1); // announces 10 bytes, inflates to thousands
    const r = receiver();
    r.inflater.push(new Uint8Array(message!));
    r.inflater.push(Uint8Array.from([FrameTag.Raw, 9]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/more bytes inflated than the bridge announced/);
  });

  it("close() drops what has not come out and releases whoever waits", async () => {
    const [message] = await messagesFor([rows(1000, 6)], () => true);
    const r = receiver();
    r.inflater.push(new Uint8Array(message!));
    const waited = r.idle();
    r.inflater.close();
    await waited;
    expect(r.inflater.busy).toBe(false);
  });
});
