// The bridge's compressing sender (bridge/deflate-sender.ts) onto a real WebSocket, read by the
// driver's Inflater: every byte arrives in order whatever mix of sizes; small pieces and pieces
// that do not compress well go raw; close waits for what is being compressed.

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_MIN_RATIO as MIN_RATIO } from "../../bridge/config.js";
import { DeflatingSender, RAW_SPAN } from "../../bridge/deflate-sender.js";
import { COMPRESS_MIN_BYTES, FrameTag } from "../../src/bridge-protocol.js";
import { Inflater } from "../../src/transport/inflate.js";
import { framePair } from "./fixtures.js";

type Pair = Awaited<ReturnType<typeof framePair>> & { messages: Buffer[] };

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

/** A WebSocket pair; what the client receives is kept in `messages`. */
async function open(): Promise<Pair> {
  const p = await framePair();
  const messages: Buffer[] = [];
  p.client.on("message", (data) => messages.push(data as Buffer));
  return Object.assign(p, { messages });
}

/** Inflates what the client received, as the driver does. */
async function inflateAll(messages: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const errors: Error[] = [];
  const inflater = new Inflater(
    (b) => out.push(Buffer.from(b)),
    (e) => errors.push(e),
  );
  for (const m of messages) inflater.push(new Uint8Array(m.buffer, m.byteOffset, m.length));
  await new Promise<void>((resolve) => inflater.whenIdle(resolve));
  expect(errors).toEqual([]);
  return Buffer.concat(out);
}

/** Row-like text that compresses about 4×. */
function rows(bytes: number, from = 0): Buffer {
  const parts: string[] = [];
  let n = 0;
  for (let i = from; n < bytes; i++) {
    const row = `D\0\0\0\x20\0\x03${i}\t2024-01-01 00:00:${i % 60}\tuser_${i}@example.com\n`;
    parts.push(row);
    n += row.length;
  }
  return Buffer.from(parts.join("")).subarray(0, bytes);
}

async function received(p: Pair, count: number): Promise<void> {
  await expect.poll(() => p.messages.length, { timeout: 5000 }).toBeGreaterThanOrEqual(count);
}

describe("DeflatingSender", () => {
  it("large pieces go compressed, small ones raw, and everything arrives in order", async () => {
    pair = await open();
    const sender = new DeflatingSender(pair.socket, (e) => {
      throw e;
    });
    const pieces = [
      rows(60_000),
      Buffer.from("Z\0\0\0\x05I"),
      rows(COMPRESS_MIN_BYTES, 7),
      rows(200_000, 99),
      Buffer.from("C"),
    ];
    const written: number[] = [];
    pieces.forEach((p, i) => sender.send(p, () => written.push(i)));
    await received(pair, pieces.length);
    expect(pair.messages.map((m) => m[0])).toEqual([
      FrameTag.Deflate,
      FrameTag.Raw,
      FrameTag.Deflate,
      FrameTag.Deflate,
      FrameTag.Raw,
    ]);
    expect((await inflateAll(pair.messages)).equals(Buffer.concat(pieces))).toBe(true);
    expect(sender.bytesOut * 3).toBeLessThan(sender.bytesIn);
    await expect.poll(() => written.length).toBe(pieces.length);
    expect(written).toEqual([0, 1, 2, 3, 4]);
    expect(sender.pendingBytes).toBe(0);
  });

  it(`after a piece shrinks less than ${MIN_RATIO}×, the next ${RAW_SPAN >> 20} MiB go raw, then compression is tried again`, async () => {
    pair = await open();
    const sender = new DeflatingSender(pair.socket, (e) => {
      throw e;
    });
    const noise = randomBytes(64 * 1024); // does not compress at all
    const pieces = [
      noise,
      ...Array.from({ length: RAW_SPAN / (64 * 1024) }, (_, i) => rows(64 * 1024, i * 1000)),
      rows(64 * 1024, 1e7),
    ];
    for (const p of pieces) sender.send(p);
    await received(pair, pieces.length);
    const tags = pair.messages.map((m) => m[0]);
    expect(tags[0]).toBe(FrameTag.Deflate); // tried, and it did not pay
    expect(tags.slice(1, -1).every((t) => t === FrameTag.Raw)).toBe(true); // the raw span
    expect(tags.at(-1)).toBe(FrameTag.Deflate); // tried again
    expect((await inflateAll(pair.messages)).equals(Buffer.concat(pieces))).toBe(true);
  });

  it("with minRatio 1 (slow links), pieces that shrink little stay compressed", async () => {
    pair = await open();
    const sender = new DeflatingSender(
      pair.socket,
      (e) => {
        throw e;
      },
      1,
    );
    // Hex text: about 1.9× smaller, under the default threshold, over this one.
    const hex = (n: number) => Buffer.from(randomBytes(n / 2).toString("hex"));
    const pieces = [hex(64 * 1024), hex(64 * 1024), hex(64 * 1024)];
    for (const p of pieces) sender.send(p);
    await received(pair, pieces.length);
    expect(pair.messages.map((m) => m[0])).toEqual([FrameTag.Deflate, FrameTag.Deflate, FrameTag.Deflate]);
    expect((await inflateAll(pair.messages)).equals(Buffer.concat(pieces))).toBe(true);
    expect(sender.bytesOut * 1.5).toBeLessThan(sender.bytesIn);
  });

  it("whenIdle waits for the piece being compressed; close() drops what is queued", async () => {
    pair = await open();
    const sender = new DeflatingSender(pair.socket, (e) => {
      throw e;
    });
    sender.send(rows(300_000));
    sender.send(Buffer.from("after"));
    expect(sender.pendingBytes).toBe(300_005);
    await new Promise<void>((resolve) => sender.whenIdle(resolve));
    expect(sender.pendingBytes).toBe(0);
    await received(pair, 2);
    expect((await inflateAll(pair.messages)).equals(Buffer.concat([rows(300_000), Buffer.from("after")]))).toBe(true);
    sender.send(rows(300_000));
    sender.send(rows(300_000));
    sender.close();
    let idle = false;
    sender.whenIdle(() => {
      idle = true;
    });
    expect(idle).toBe(true);
    sender.send(Buffer.from("ignored after close"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pair.messages).toHaveLength(2);
  });
});
