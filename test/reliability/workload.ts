// A workload that checks every result it gets against values computed independently (in JS),
// for runs through the misbehaving proxy: whatever the network does, a result the driver
// returns must be exact, and a failure must be a DB-API error.

import { createHash } from "node:crypto";
import { type Connection, connect } from "../../src/native/index.js";

/** Seeded PRNG (mulberry32): the same seed gives the same run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkloadOutcome {
  /** Checks that passed. */
  exact: number;
  /** Results that differ from what they must be: always a bug. */
  wrong: string[];
  /** The first error, if any (the workload stops there). */
  error: unknown;
}

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

/** Connects with `options` and runs the checked steps; `size` scales the amount of data. */
export async function runWorkload(
  options: Record<string, unknown>,
  random: () => number,
  size = 1,
): Promise<WorkloadOutcome> {
  const outcome: WorkloadOutcome = { exact: 0, wrong: [], error: undefined };
  const check = (what: string, got: unknown, want: unknown): void => {
    if (JSON.stringify(got) === JSON.stringify(want)) outcome.exact++;
    else
      outcome.wrong.push(
        `${what}: got ${JSON.stringify(got)?.slice(0, 200)}, want ${JSON.stringify(want)?.slice(0, 200)}`,
      );
  };
  let con: Connection | undefined;
  try {
    con = await connect(options as unknown as Parameters<typeof connect>[0]);
    const c = con;
    const x = Math.floor(random() * 1e6);
    const tag = `tag-${x}-ünï-😀`;
    check("params", await c.run("SELECT $1::int + 1 AS n, $2::text AS t", [x, tag]), [[x + 1, tag]]);

    const rows = 150 * size;
    const want = Array.from({ length: rows }, (_, i) => [i + 1, md5(String(i + 1))]);
    check("simple rows", await c.run(`SELECT g, md5(g::text) FROM generate_series(1, ${rows}) g`), want);

    const pipelined = await Promise.all(
      [1, 2, 3, 4, 5].map((k) => c.run("SELECT $1::int * $2::int, repeat($3::text, $2::int)", [x, k, "ab"])),
    );
    check(
      "pipelined",
      pipelined,
      [1, 2, 3, 4, 5].map((k) => [[x * k, "ab".repeat(k)]]),
    );

    await c.run("CREATE TEMP TABLE IF NOT EXISTS w (n int, t text)");
    await c.run("TRUNCATE w");
    const copyRows = 100 * size;
    const lines = Array.from({ length: copyRows }, (_, i) => `${i}\tline ${i}\n`);
    await c.run("COPY w FROM STDIN", null, { stream: lines });
    check("copy in", await c.run("SELECT count(*)::int, sum(n)::int, max(t) FROM w"), [
      [copyRows, (copyRows * (copyRows - 1)) / 2, [...lines.map((l) => l.split("\t")[1]!.trim())].sort().at(-1)],
    ]);

    let sum = 0;
    let count = 0;
    for await (const [n] of c.stream(`SELECT generate_series(1, ${500 * size})`, null, { batch_size: 97 })) {
      sum += n as number;
      count++;
    }
    check("stream", [count, sum], [500 * size, (500 * size * (500 * size + 1)) / 2]);
    await c.close();
  } catch (err) {
    outcome.error = err;
    if (con && !con.closed) await con.close().catch(() => undefined);
  }
  return outcome;
}
