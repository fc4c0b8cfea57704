// W6 in a process of its own: stream N rows of the W1 shape and report how much the resident set
// grew above its level after connecting and warming up. Peak = the kernel's VmHWM (reset to the
// current RSS through /proc/self/clear_refs before streaming), cross-checked by sampling
// process.memoryUsage().rss every 10 ms. Prints one JSON line.

import * as fs from "node:fs";
import { W1_SELECT } from "./data.mjs";
import { Ours, Pg, Postgres } from "./drivers.mjs";
import { gc } from "./stats.mjs";

const { server, driver, rows, batch } = JSON.parse(process.env.BENCH_W6 ?? "{}");
const SQL = `SELECT ${W1_SELECT} FROM generate_series(1, $1) i`;

function vm(field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

let count = 0;
let check = 0;
function consume(row) {
  count++;
  const a = row[0];
  check += typeof a === "number" ? a : Number(a);
}

async function streamWith(n) {
  switch (driver) {
    case "ours": {
      for await (const row of client.con.stream(SQL, [n], { batch_size: batch })) consume(row);
      return;
    }
    case "postgres": {
      const q = client.sql.unsafe(SQL, [n], { prepare: true }).values();
      for await (const rowsBatch of q.cursor(batch)) for (const row of rowsBatch) consume(row);
      return;
    }
    case "pg": {
      // pg has no portal streaming without pg-cursor / pg-query-stream (not dependencies here):
      // its 'row' events without a callback do not accumulate rows, but nothing pauses the socket.
      const { default: pg } = await import("pg");
      await new Promise((resolve, reject) => {
        const q = new pg.Query({ name: "w6", text: SQL, values: [n], rowMode: "array" });
        q.on("row", consume);
        q.on("end", resolve);
        q.on("error", reject);
        client.client.query(q);
      });
      return;
    }
  }
}

/** @type {any} one of Ours, Pg, Postgres, as `driver` says */
const client =
  driver === "ours" ? await Ours.open(server) : driver === "pg" ? await Pg.open(server) : await Postgres.open(server);
if (driver === "ours") await client.con.run(SQL, [10]); // the statement is cached (binary results) as in an app's steady state
await streamWith(20000); // warm-up: JIT, buffers
count = 0;
check = 0;
gc();
gc();
const baseline = process.memoryUsage().rss;
let hwmReset = true;
try {
  fs.writeFileSync("/proc/self/clear_refs", "5");
} catch {
  hwmReset = false;
}
let sampledPeak = baseline;
const timer = setInterval(() => {
  const rss = process.memoryUsage().rss;
  if (rss > sampledPeak) sampledPeak = rss;
}, 10);
const started = performance.now();
await streamWith(rows);
const ms = performance.now() - started;
clearInterval(timer);
const hwm = vm("VmHWM");
await client.close();
const peak = hwmReset ? Math.max(hwm, sampledPeak) : sampledPeak;
process.stdout.write(
  `${JSON.stringify({ driver, rows: count, check, ms, baseline, peak, growth: peak - baseline, sampledPeak, hwm, hwmReset })}\n`,
);
