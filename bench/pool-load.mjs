// Pool under load: C concurrent callers share a pool of `max` connections and run N one-row
// parameterised queries in total; every result is checked. pg8000's Pool against pg's Pool
// (pg-pool) on the same server, for scale. Run after `npm run build`:
//
//   node bench/pool-load.mjs [--callers 500] [--max 10] [--queries 20000] [--reps 5]
//
// Server: PG8000_BENCH_URL or PG8000_TEST_CLUSTER, else a throwaway cluster (test/tools/cluster.mjs).

import pg from "pg";
import { Pool } from "../dist/native/index.js";
import { startServer } from "../test/tools/cluster.mjs";
import { median } from "./lib/stats.mjs";

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const CALLERS = arg("callers", 500);
const MAX = arg("max", 10);
const QUERIES = arg("queries", 20_000);
const REPS = arg("reps", 5);

const server = await startServer();
const options = {
  host: server.host,
  port: server.port,
  user: server.user,
  password: server.password,
  database: server.database,
};
// Plain TCP for both: pg8000 tries TLS by default (sslmode=prefer), pg does not.
const ours = { ...options, ssl_context: false };

/** Runs the workload once; resolves to { ms, waits } with each query's latency in ms. */
async function workload(query) {
  let next = 0;
  const latencies = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      for (let i = next++; i < QUERIES; i = next++) {
        const t = performance.now();
        const value = await query(i);
        latencies.push(performance.now() - t);
        if (value !== i) throw new Error(`caller got ${value} for ${i}`);
      }
    }),
  );
  return { ms: performance.now() - started, latencies };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

async function measure(name, make) {
  const { query, close } = make();
  await workload(query); // warm-up: connections opened, statements prepared
  const runs = [];
  for (let r = 0; r < REPS; r++) runs.push(await workload(query));
  await close();
  const qps = median(runs.map((run) => QUERIES / (run.ms / 1000)));
  const all = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  console.log(
    `${name.padEnd(16)} ${Math.round(qps).toString().padStart(7)} queries/s   latency p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms`,
  );
}

console.log(
  `${CALLERS} callers, pool max ${MAX}, ${QUERIES} queries per run, median of ${REPS} runs; server: ${server.origin}`,
);
await measure("pg8000 Pool", () => {
  const pool = new Pool({ ...ours, max: MAX });
  return {
    query: async (i) => (await pool.query("SELECT $1::int AS i", [i])).rows[0].i,
    close: () => pool.close(),
  };
});
await measure("pg (pg-pool)", () => {
  const pool = new pg.Pool({ ...options, max: MAX });
  return {
    query: async (i) => (await pool.query("SELECT $1::int AS i", [i])).rows[0].i,
    close: () => pool.end(),
  };
});
server.destroy();
