// W9's connect + SCRAM + SELECT 1 + close, one client in a fresh process: CPU per connect (all
// threads, process.cpuUsage) and wall time, for A/B comparisons on a shared machine, where CPU
// is the steadier number. Alternate the clients (or two builds) and compare.
//
//   export PG8000_TEST_CLUSTER=…        # node test/tools/cluster.mjs (once)
//   node bench/connect-cpu.mjs ours|pg|postgres [connects=200] [tcp|tls] [heap]
//
// `heap` first reads W1's 300,000 rows and keeps them (~100 MB live), as in the full benchmark
// process, where every full garbage collection costs more (the table is made by
// `node bench/profile.mjs W1 ours 1`). Add --trace-gc to count collections.

import { startServer } from "../test/tools/cluster.mjs";
import { connectOnce, connectSetup } from "./lib/connect.mjs";
import { Ours } from "./lib/drivers.mjs";

const [client = "ours", nArg = "200", mode = "tcp", preload = ""] = process.argv.slice(2);
if (!["ours", "pg", "postgres"].includes(client)) throw new Error(`unknown client ${client}`);
const n = Number(nArg);
const server = await startServer({ log: () => {} });
const setup = connectSetup(server);
if (setup.reason) throw new Error(setup.reason);
const once = connectOnce(setup, mode === "tls");

let kept;
if (preload === "heap") {
  const ours = await Ours.open(server);
  kept = await ours.con.run("SELECT a, b, c, d, e, f, g FROM bench_w1 LIMIT 300000");
}

for (let i = 0; i < 10; i++) await once[client](); // warm-up
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < n; i++) await once[client]();
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const ms = (us) => (us / 1000 / n).toFixed(2);
console.log(
  `${client} ${mode}${kept ? ` (${kept.length} rows kept)` : ""}: wall ${(wall / n).toFixed(2)} ms/connect, ` +
    `CPU ${ms(cpu.user + cpu.system)} ms/connect (user ${ms(cpu.user)}, system ${ms(cpu.system)})`,
);
process.exit(0);
