// Retired codecs give their memory to the next codec (src/codec/memory-pool.ts): the next one
// must start exactly as on a new memory, whatever the previous one left behind (a plan, a
// truncated message, a failure, grown regions), and nothing handed out before may still read it.

import { beforeEach, describe, expect, test } from "vitest";
import { type Codec, ColumnKind, loadCodec } from "../../src/codec/index.js";
import { idleMemoryCount, MAX_IDLE_MEMORIES, MAX_IDLE_MEMORY_BYTES } from "../../src/codec/memory-pool.js";
import { BUILDS, collect, concat, dataRow, float64, int32, message, planMessage, utf8 } from "./codec-wire.js";

const K = ColumnKind;

/** Takes every idle memory, so that the next loadCodec() makes a new one. */
async function drainPool(): Promise<void> {
  const held: Codec[] = [];
  while (idleMemoryCount() > 0) held.push(await loadCodec());
  // Dropped without retire(): their memories go to the garbage collector.
}

/** A session's worth of messages: plan, rows, completion, ready. */
function session(): Uint8Array {
  return concat(
    planMessage([K.Int4, K.Text, K.Float8]),
    dataRow([int32(7), utf8("seven"), float64(7.5)]),
    dataRow([int32(-1), null, float64(-0.25)]),
    message("C", utf8("SELECT 2\0")),
    message("Z", utf8("I")),
  );
}

/** The first index where the two differ (-1 when equal): a byte loop, fast on megabytes. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

beforeEach(drainPool);

describe.each(BUILDS)("codec memory reuse, %s build", (build) => {
  test("a codec on a retired codec's memory starts byte for byte as one on a new memory", async () => {
    const old = await loadCodec({ build });
    old.setPlan([K.Int8, K.Numeric, K.Text]);
    // A DataRow announced at 1 MB of which only the first 600 KB arrive: the input region grows,
    // and the truncated message stays inside when the connection dies.
    const announced = concat(utf8("D"), int32(1 << 20), new Uint8Array(600 << 10).fill(0x41));
    expect(old.push(announced)).toBe(0);
    old.retire();
    expect(idleMemoryCount()).toBe(1);

    const reused = await loadCodec({ build });
    expect(idleMemoryCount()).toBe(0);
    const fresh = await loadCodec({ build }); // the pool is empty: a new memory
    expect(reused.bytes.length).toBeGreaterThan(fresh.bytes.length); // the grown memory
    expect(firstDifference(reused.bytes.subarray(0, fresh.bytes.length), fresh.bytes)).toBe(-1);
    expect(reused.bytes.subarray(fresh.bytes.length).every((b) => b === 0)).toBe(true);

    // No plan, no pending bytes, no batch of the previous connection.
    expect(reused.pending).toBe(false);
    expect(reused.messageCount).toBe(0);
    expect(reused.rowCount).toBe(0);
    expect(reused.column(0)).toBeNull();
    expect(collect(reused, [session()])).toEqual(collect(fresh, [session()]));
  });

  test("the next codec decodes correctly after the previous one failed on malformed bytes", async () => {
    const old = await loadCodec({ build });
    expect(() => old.push(concat(message("Z", utf8("I")), utf8("D"), int32(2)))).toThrow(/length/);
    old.retire();
    const reused = await loadCodec({ build });
    const frames = collect(reused, [session()]);
    expect(frames.map((f) => f.type)).toEqual(["T", "D", "D", "C", "Z"]);
    expect(frames[1]!.values).toEqual([7, undefined, 7.5]);
    expect(frames[2]!.values).toEqual([-1, undefined, -0.25]);
    expect(frames[2]!.fields![1]).toBeNull();
  });

  test("views handed out before retire() read nothing afterwards, and the codec refuses work", async () => {
    const old = await loadCodec({ build });
    old.setPlan([K.Int4]);
    old.push(concat(dataRow([int32(42)]), message("C", utf8("SELECT 1\0"))));
    const bytes = old.bytes;
    const column = old.column(0) as Int32Array;
    const messages = old.messages;
    expect(column[0]).toBe(42);
    old.retire();
    expect(bytes.length).toBe(0);
    expect(column.length).toBe(0);
    expect(messages.length).toBe(0);
    expect(old.bytes.length).toBe(0);
    expect(old.pending).toBe(false);
    expect(() => old.push(message("Z", utf8("I")))).toThrow(/retired/);
    expect(() => old.resume()).toThrow(/retired/);

    // The next codec writes into the same memory; the old one still sees none of it.
    const reused = await loadCodec({ build });
    reused.setPlan([K.Int4]);
    reused.push(dataRow([int32(43)]));
    expect((reused.column(0) as Int32Array)[0]).toBe(43);
    expect(old.bytes.length).toBe(0);
    expect(old.column(0)).toBeNull();
    old.retire(); // a second retire does nothing: the memory is not given back twice
    expect(idleMemoryCount()).toBe(0);
  });
});

describe("the pool of idle memories", () => {
  test(`keeps at most ${MAX_IDLE_MEMORIES}`, async () => {
    const codecs = await Promise.all(Array.from({ length: MAX_IDLE_MEMORIES + 2 }, () => loadCodec()));
    for (const codec of codecs) codec.retire();
    expect(idleMemoryCount()).toBe(MAX_IDLE_MEMORIES);
  });

  test("leaves memories that grew large to the garbage collector", async () => {
    const big = await loadCodec();
    // A message announced bigger than the pool's limit, most of it arrived: the input region grows past it.
    const size = MAX_IDLE_MEMORY_BYTES + (1 << 20);
    expect(big.push(concat(utf8("D"), int32(size), new Uint8Array(size - 8)))).toBe(0);
    expect(big.bytes.length).toBeGreaterThan(MAX_IDLE_MEMORY_BYTES);
    big.retire();
    expect(idleMemoryCount()).toBe(0);
  });

  test("every codec of many in a row, each retired, decodes the same", async () => {
    const expected = collect(await loadCodec(), [session()]);
    for (let i = 0; i < 50; i++) {
      const codec = await loadCodec();
      expect(collect(codec, [session()])).toEqual(expected);
      codec.retire();
      expect(idleMemoryCount()).toBe(1);
    }
  });
});
