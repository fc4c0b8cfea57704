// Figures for the README's Reliability section (not a test: run by hand after `npm run build`):
//   PG8000_TEST_CLUSTER=/tmp/pg8000-test-*/cluster.json node test/reliability/measure.mjs
// 1. RSS while COPY FROM STDIN's source keeps offering 200,000 × 1 KB after the backend was
//    terminated (before the fix every chunk was pulled and buffered).
// 2. Load: 80 connections × 250 concurrent parameterised queries (arguments), every result checked.

import { readFileSync } from "node:fs";
import { connect } from "../../dist/native/index.js";

const cluster = JSON.parse(readFileSync(process.env.PG8000_TEST_CLUSTER, "utf8"));
const options = { user: cluster.users.trust.user, host: cluster.host, port: cluster.port, database: cluster.database };
const mb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

async function copyAfterDeath() {
  const con = await connect(options);
  const killer = await connect(options);
  await con.run("CREATE TEMP TABLE sink (line text)");
  let pulled = 0;
  const line = `${"x".repeat(1023)}\n`;
  const source = (async function* () {
    while (pulled < 200_000) {
      pulled++;
      if (pulled === 1000) await killer.run("SELECT pg_terminate_backend($1)", [con.backend_pid]);
      yield line;
    }
  })();
  const before = mb();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, mb())), 5);
  const err = await con.run("COPY sink FROM STDIN", null, { stream: source }).catch((e) => e);
  await new Promise((r) => setTimeout(r, 1000));
  clearInterval(timer);
  peak = Math.max(peak, mb());
  await killer.close();
  console.log(
    `COPY after backend termination: ${err.name} ${err.code}; source pulled ${pulled} of 200000 chunks; RSS ${before} → peak ${peak} MB`,
  );
}

async function load(connections, queries) {
  const cons = await Promise.all(Array.from({ length: connections }, () => connect(options)));
  const started = Date.now();
  let exact = 0;
  let wrong = 0;
  await Promise.all(
    cons.map((con, c) =>
      Promise.all(
        Array.from({ length: queries }, async (_, q) => {
          const rows = await con.run("SELECT $1::int * 1000 + $2::int, md5($1::text || '/' || $2::text)", [c, q]);
          if (rows[0][0] === c * 1000 + q && rows[0][1].length === 32) exact++;
          else wrong++;
        }),
      ),
    ),
  );
  const ms = Date.now() - started;
  await Promise.all(cons.map((con) => con.close()));
  console.log(
    `load: ${connections} connections × ${queries} concurrent queries: ${exact} exact, ${wrong} wrong, ${ms} ms, RSS ${mb()} MB`,
  );
}

await copyAfterDeath();
// The test cluster allows 100 connections.
await load(Number(process.argv[2] ?? 80), Number(process.argv[3] ?? 250));
