// Instructions per unit of work, counted by valgrind's callgrind (repeatable whatever else the
// machine is doing, unlike wall or CPU time on a shared 2-core box). Each client runs the
// workload twice under callgrind, with n1 and n2 units; (I(n2) − I(n1)) / (n2 − n1) is the
// client's cost per unit without start-up, connection and JIT warm-up (both runs first do the
// same untimed warm-up of BENCH_WARMUP units, default n2).
//
//   PG8000_TEST_CLUSTER=… node bench/callgrind.mjs W2 2000 6000 ours pg postgres
//
// Writes callgrind.out files to $CALLGRIND_DIR (default a temp dir) for callgrind_annotate.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const [workload = "W2", n1Arg = "2000", n2Arg = "6000", ...clients] = process.argv.slice(2);
const n1 = Number(n1Arg);
const n2 = Number(n2Arg);
const who = clients.length ? clients : ["ours", "pg", "postgres"];
// Both runs first do the same untimed warm-up (JIT tiers settle), so the difference is steady state.
const warmup = Number(process.env.BENCH_WARMUP ?? n2);
const dir = process.env.CALLGRIND_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "pg8000-callgrind-"));
const profile = fileURLToPath(new URL("profile.mjs", import.meta.url));

function count(client, n) {
  const out = path.join(dir, `callgrind.${workload}.${client}.${n}.out`);
  const stderr = execFileSync(
    "valgrind",
    ["--tool=callgrind", `--callgrind-out-file=${out}`, process.execPath, profile, workload, client, "1", String(n)],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 << 20,
      env: { ...process.env, BENCH_WARMUP: String(warmup) },
    },
  );
  void stderr;
  const text = fs.readFileSync(out, "utf8");
  const m = /^summary:\s+(\d+)/m.exec(text) ?? /^totals:\s+(\d+)/m.exec(text);
  if (!m) throw new Error(`no totals in ${out}`);
  return Number(m[1]);
}

const results = {};
for (const client of who) {
  const a = count(client, n1);
  const b = count(client, n2);
  results[client] = (b - a) / (n2 - n1);
  console.log(
    `${workload} ${client.padEnd(9)} ${Math.round(results[client]).toLocaleString("en").padStart(10)} instructions per unit  (n=${n1}: ${a.toLocaleString("en")}, n=${n2}: ${b.toLocaleString("en")})`,
  );
}
console.log(`callgrind files in ${dir}`);
console.log(JSON.stringify({ workload, n1, n2, perUnit: results }));
