// W8: a pool under load. `callers` concurrent callers each run `perCaller` short queries
// (`SELECT $1::int`, one row) one after the other, on a pool of at most `max` connections: ours
// `Pool.run` (a one-shot statement: pipelined on the pool's shared connections, no loan) against
// pg's `pg.Pool` (rowMode 'array', named statement; a client lent per query) and postgres.js
// (`max`, prepared, `.values()`; pipelines on its connections too). Each run's wall time and
// every query's latency (from the call to its result, so waiting for a connection or behind
// other callers' statements counts) are kept; the harness reports throughput and the 99th
// percentile latency.

import pg from "pg";
import postgres from "postgres";

const SQL = "SELECT $1::int";

/**
 * Opens the three pools (connections are made lazily by all three), or says why ours cannot run.
 * @param {import("../../test/tools/cluster.mjs").BenchServer} server
 * @param {number} max
 * @returns {Promise<{ reason: string } | { reason?: undefined, query: Record<string, (i: number) => Promise<unknown>>, close: () => Promise<unknown> }>}
 */
export async function openPools(server, max) {
  /** @type {any} Pool comes with the pool branch; this build may predate it. */
  const native = await import("../../dist/native/index.js");
  if (typeof native.Pool !== "function") return { reason: "pg8000/native has no Pool in this build" };
  const login = {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: server.database,
  };
  const ours = new native.Pool({ ...login, ssl_context: false, max });
  const pgPool = new pg.Pool({ ...login, max });
  const pjs = postgres({
    ...login,
    pass: server.password,
    max,
    prepare: true,
    ssl: false,
    fetch_types: false,
    onnotice: () => undefined,
  });
  const query = {
    ours: async (i) => (await ours.run(SQL, [i]))[0][0],
    pg: async (i) => (await pgPool.query({ name: "w8", text: SQL, values: [i], rowMode: "array" })).rows[0][0],
    postgres: async (i) => (await pjs.unsafe(SQL, [i], { prepare: true }).values())[0][0],
  };
  const close = () => Promise.all([ours.close(), pgPool.end(), pjs.end({ timeout: 5 })]);
  return { query, close };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/**
 * The closures `alternate` times, and the p99 latency (ms) of each timed run per client in
 * `p99` (the warm-up round's is dropped by the caller: it is the first entry).
 */
export function poolClients(pools, callers, perCaller) {
  const p99 = {};
  const clients = {};
  for (const [name, query] of Object.entries(pools.query)) {
    p99[name] = [];
    clients[name] = async () => {
      const latencies = new Float64Array(callers * perCaller);
      let k = 0;
      await Promise.all(
        Array.from({ length: callers }, async (_, c) => {
          for (let j = 0; j < perCaller; j++) {
            const i = c * perCaller + j;
            const t = performance.now();
            const value = await query(i);
            latencies[k++] = performance.now() - t;
            if (value !== i) throw new Error(`W8 ${name}: a caller got ${value} for ${i}`);
          }
        }),
      );
      latencies.sort();
      p99[name].push(percentile(latencies, 99));
      return k;
    };
  }
  return { clients, p99 };
}
