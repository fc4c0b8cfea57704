// AsyncQueue (src/core/async-queue.ts): the wait/wake queue behind portal streams, replication
// and COPY TO; items in order, errors after the items, flow control at the water marks.

import { describe, expect, it } from "vitest";
import { AsyncQueue } from "../../src/core/async-queue.js";

async function drain<T>(q: AsyncQueue<T>): Promise<T[]> {
  const out: T[] = [];
  for (let r = await q.next(); !r.done; r = await q.next()) out.push(r.value);
  return out;
}

describe("AsyncQueue", () => {
  it("hands out pushed items in order, also to a consumer already waiting", async () => {
    const q = new AsyncQueue<number>();
    const first = q.next();
    q.push(1);
    q.push(2);
    q.end();
    expect(await first).toEqual({ value: 1, done: false });
    expect(await drain(q)).toEqual([2]);
  });

  it("throws the error end() was given once the items before it are taken", async () => {
    const q = new AsyncQueue<string>();
    q.push("a");
    q.end(new Error("boom"));
    expect(await q.next()).toEqual({ value: "a", done: false });
    await expect(q.next()).rejects.toThrow("boom");
  });

  it("pauses the producer at the high-water mark and resumes it at the low-water mark", async () => {
    const events: string[] = [];
    const q = new AsyncQueue<number>({
      highWater: 4,
      lowWater: 1,
      pause: () => events.push("pause"),
      resume: () => events.push("resume"),
    });
    for (let i = 0; i < 5; i++) q.push(i);
    expect(events).toEqual(["pause"]);
    await q.next(); // 4 left
    await q.next(); // 3
    await q.next(); // 2
    expect(events).toEqual(["pause"]);
    await q.next(); // 1: resume
    expect(events).toEqual(["pause", "resume"]);
  });

  it("asks for more when the consumer waits on an empty queue, and clear() resumes a paused producer", async () => {
    let wanted = 0;
    const events: string[] = [];
    const q = new AsyncQueue<number>({
      highWater: 2,
      wanted: () => wanted++,
      pause: () => events.push("pause"),
      resume: () => events.push("resume"),
    });
    const waiting = q.next();
    expect(wanted).toBe(1);
    q.push(7);
    expect(await waiting).toEqual({ value: 7, done: false });
    q.push(1);
    q.push(2);
    q.clear();
    expect(events).toEqual(["pause", "resume"]);
    q.end();
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });
});
