// COPY FROM STDIN stops reading its source as soon as the COPY cannot succeed any more: the
// backend is terminated mid-COPY, or the server refuses the data. Before the fix the driver kept
// pulling (and buffering) an endless source after run() had already rejected.

import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DataError, OperationalError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { trustOptions, uniqueName } from "../integration/helpers.js";

/** The generator gives up by itself here, so a driver that never stops cannot hang the test. */
const SAFETY_CAP = 100_000;
const LINE = `${"x".repeat(1023)}\n`;

interface Probe {
  pulls: number;
  finished: boolean;
  source: AsyncGenerator<string>;
}

/** An endless source of 1 KB lines that counts how often it is pulled and whether it was closed. */
function endlessSource(line = LINE): Probe {
  const probe = { pulls: 0, finished: false } as Probe;
  probe.source = (async function* () {
    try {
      while (probe.pulls < SAFETY_CAP) {
        probe.pulls++;
        yield line;
      }
    } finally {
      probe.finished = true;
    }
  })();
  return probe;
}

let killer: Connection;
beforeAll(async () => {
  killer = await connect(trustOptions());
});
afterAll(async () => {
  await killer.close();
});

async function terminatedMidCopy(source: unknown, started: () => boolean): Promise<unknown> {
  const con = await connect(trustOptions());
  const table = uniqueName("copy_dead");
  await con.run(`CREATE TEMP TABLE ${table} (line text)`);
  const copy = con.run(`COPY ${table} FROM STDIN`, null, { stream: source }).catch((e: unknown) => e);
  await vi.waitFor(() => expect(started()).toBe(true), { timeout: 10_000 });
  await killer.run("SELECT pg_terminate_backend(:pid)", { pid: con.backend_pid });
  return copy;
}

describe("COPY FROM STDIN when the connection dies mid-COPY", () => {
  it("stops pulling an endless generator at once and closes it", async () => {
    const probe = endlessSource();
    const err = await terminatedMidCopy(probe.source, () => probe.pulls > 2000);
    const pullsAtRejection = probe.pulls;
    expect(err).toBeInstanceOf(OperationalError);
    // The server's FATAL 57P01 when it arrives before the reset; a kernel that resets the socket
    // while the client is still writing can discard it, and then the network error is what remains.
    const code = (err as OperationalError).code;
    if (code) expect(code).toBe("57P01");
    else expect((err as Error).message).toMatch(/closed|reset|EPIPE|ECONNRESET/i);
    await vi.waitFor(() => expect(probe.finished).toBe(true), { timeout: 2000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(probe.pulls).toBeLessThanOrEqual(pullsAtRejection + 2);
    expect(probe.pulls).toBeLessThan(SAFETY_CAP);
  });

  it("destroys a Node Readable source", async () => {
    const probe = endlessSource();
    const readable = Readable.from(probe.source);
    const err = await terminatedMidCopy(readable, () => probe.pulls > 2000);
    expect(err).toBeInstanceOf(OperationalError);
    await vi.waitFor(() => expect(readable.destroyed).toBe(true), { timeout: 2000 });
    expect(probe.pulls).toBeLessThan(SAFETY_CAP);
  });

  it("cancels a WHATWG ReadableStream source", async () => {
    let pulls = 0;
    let cancelled = false;
    const stream = new ReadableStream<string>({
      pull(controller) {
        if (++pulls >= SAFETY_CAP) controller.close();
        else controller.enqueue(LINE);
      },
      cancel() {
        cancelled = true;
      },
    });
    const err = await terminatedMidCopy(stream, () => pulls > 2000);
    expect(err).toBeInstanceOf(OperationalError);
    await vi.waitFor(() => expect(cancelled).toBe(true), { timeout: 2000 });
    expect(pulls).toBeLessThan(SAFETY_CAP);
  });
});

describe("COPY FROM STDIN when the server refuses the data", () => {
  it("stops pulling as soon as the error arrives, and the connection stays usable", async () => {
    const con = await connect(trustOptions());
    const table = uniqueName("copy_refused");
    await con.run(`CREATE TEMP TABLE ${table} (n int)`);
    const probe = endlessSource("not a number\n");
    const err = await con.run(`COPY ${table} FROM STDIN`, null, { stream: probe.source }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe("22P02");
    await vi.waitFor(() => expect(probe.finished).toBe(true), { timeout: 2000 });
    expect(probe.pulls).toBeLessThan(SAFETY_CAP);
    expect(await con.run(`SELECT count(*)::int FROM ${table}`)).toEqual([[0]]);
    await con.close();
  });
});
