// One workload, one client, in a loop: the thing to run under a profiler.
//
//   node test/tools/cluster.mjs           # once: a cluster that stays up; prints PG8000_TEST_CLUSTER=…
//   export PG8000_TEST_CLUSTER=…
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.mjs W1 ours [runs] [size]
//   BENCH_WARMUP=3000 valgrind --tool=callgrind node bench/profile.mjs W2 ours 1 2000   (or bench/callgrind.mjs)
//
// Workloads: W1 W1simple W2 W3 W4copy W4many W5 W5rows; clients: ours pg postgres. The tables are made
// (W1 shape, W5 shape) when missing. Prints the time of every run.

import { startServer } from "../test/tools/cluster.mjs";
import { copyChunks, setupSql } from "./lib/data.mjs";
import { DRIVERS, manyRows, Pg } from "./lib/drivers.mjs";
import { fmtMs, gc } from "./lib/stats.mjs";

const [workload = "W1", clientName = "ours", runsArg = "5", sizeArg] = process.argv.slice(2);
const runs = Number(runsArg);
const DEFAULT = {
  W1: 300_000,
  W1simple: 300_000,
  W2: 10_000,
  W3: 10_000,
  W4copy: 1_000_000,
  W4many: 10_000,
  W5: 1_000_000,
  W5rows: 1_000_000,
};
if (!(workload in DEFAULT)) throw new Error(`unknown workload ${workload}; one of ${Object.keys(DEFAULT).join(" ")}`);
let n = Number(sizeArg ?? DEFAULT[workload]);

const server = await startServer({ log: (s) => console.error(s) });
const admin = await Pg.open(server);
const have = await admin.client.query(
  "SELECT (SELECT count(*) FROM pg_class WHERE relname = 'bench_w1')::int AS t, (SELECT count(*) FROM pg_class WHERE relname = 'bench_w5')::int AS t5",
);
let enough = have.rows[0].t > 0 && have.rows[0].t5 > 0;
if (enough && (workload.startsWith("W1") || workload.startsWith("W5"))) {
  const table = workload.startsWith("W1") ? "bench_w1" : "bench_w5";
  enough = Number((await admin.client.query(`SELECT count(*) AS c FROM ${table}`)).rows[0].c) >= n;
}
if (!enough) {
  console.error("profile: making the tables");
  await admin.client.query(
    setupSql({ w1Rows: Math.max(n, 300_000), w5Rows: Math.max(n, 1_000_000) }).replace(/^VACUUM.*$/m, ""),
  );
  await admin.client.query("VACUUM (FREEZE, ANALYZE) bench_w1, bench_w5");
}

const client = await DRIVERS[clientName].open(server);
const copy = workload === "W4copy" ? copyChunks(n).chunks : null;
const rows = workload === "W4many" ? manyRows(n) : [];
const step = {
  W1: () => client.w1(n),
  W1simple: () => client.w1simple(n),
  W2: () => client.w2(n),
  W3: () => client.w3(n),
  W4copy: () => client.w4copy(copy),
  W4many: () => client.w4many(rows),
  W5: () => client.w5(n),
  W5rows: () => client.w5rows(n),
}[workload];
// BENCH_WARMUP=k: one untimed run of k units first (JIT tiers, caches), e.g. for callgrind.
const warmup = Number(process.env.BENCH_WARMUP ?? 0);
if (warmup > 0) {
  const full = n;
  n = warmup;
  if (workload === "W4many") rows.length = Math.min(rows.length, warmup);
  await step();
  n = full;
  if (workload === "W4many") rows.splice(0, rows.length, ...manyRows(full));
}
for (let r = 0; r < runs; r++) {
  if (workload === "W4copy") await admin.client.query("TRUNCATE bench_w4");
  if (workload === "W4many") await admin.client.query("TRUNCATE bench_w4m");
  gc();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await step();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  console.log(
    `${workload} ${clientName} n=${n} run ${r + 1}: ${fmtMs(ms)} (process CPU ${fmtMs((c.user + c.system) / 1000)})`,
  );
}
await client.close();
await admin.close();
server.destroy();
