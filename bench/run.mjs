// npm run bench: pg8000 (ours) against node-postgres (pg), postgres.js (postgres) and libpq
// (psql, pgbench) on the workloads of issue 6. See bench/README.md.
//
//   node bench/run.mjs [--quick] [--reps N] [--only W1,W2,…] [--skip browser,libpq,…]
//                      [--w1-rows N] [--w2-n N] [--w3-n N] [--w4-copy-rows N] [--w4-many N]
//                      [--w5-rows N] [--w6-rows N] [--spin] [--out DIR]
// Sizes also come from the environment: BENCH_W1_ROWS, BENCH_W2_N, … (flag wins).
// Server: PG8000_BENCH_URL or PG8000_TEST_CLUSTER, else a throwaway cluster of our own.

import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../test/tools/cluster.mjs";
import { openBrowserBench } from "./lib/browser-w10.mjs";
import { connectClients, connectSetup } from "./lib/connect.mjs";
import { copyChunks, setupSql } from "./lib/data.mjs";
import { manyRows, Ours, Pg, Postgres } from "./lib/drivers.mjs";
import { w1Floor } from "./lib/floor.mjs";
import { Libpq } from "./lib/libpq.mjs";
import { openPools, poolClients } from "./lib/pool.mjs";
import { fmtMB, fmtMs, fmtRatio, gc, median, spread } from "./lib/stats.mjs";
import { interleaved } from "./lib/w7.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BENCH = path.join(ROOT, "bench");

// ---- configuration -----------------------------------------------------------------------

const argv = process.argv.slice(2);
function flag(name) {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const a = argv[i];
  if (a.includes("=")) return a.slice(a.indexOf("=") + 1);
  const next = argv[i + 1];
  return next === undefined || next.startsWith("--") ? "true" : next;
}
const quick = flag("quick") === "true";
const FULL = {
  w1Rows: 300_000,
  w2N: 10_000,
  w3N: 10_000,
  w4CopyRows: 1_000_000,
  w4Many: 10_000,
  w5Rows: 1_000_000,
  w6Rows: 10_000_000,
  w8Callers: 200,
  w8PerCaller: 50,
  w9N: 200,
  w10Rows: 100_000,
  w10N: 2_000,
  reps: 7,
  heavyReps: 5,
};
const QUICK = {
  w1Rows: 20_000,
  w2N: 1_000,
  w3N: 2_000,
  w4CopyRows: 50_000,
  w4Many: 1_000,
  w5Rows: 50_000,
  w6Rows: 200_000,
  w8Callers: 200,
  w8PerCaller: 5,
  w9N: 20,
  w10Rows: 10_000,
  w10N: 300,
  reps: 3,
  heavyReps: 3,
};
const base = quick ? QUICK : FULL;
function size(key, flagName, envName) {
  const v = flag(flagName) ?? process.env[envName];
  if (v === undefined) return base[key];
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flagName} / ${envName} must be a positive integer, got ${v}`);
  return n;
}
const cfg = {
  quick,
  w1Rows: size("w1Rows", "w1-rows", "BENCH_W1_ROWS"),
  w2N: size("w2N", "w2-n", "BENCH_W2_N"),
  w3N: size("w3N", "w3-n", "BENCH_W3_N"),
  w4CopyRows: size("w4CopyRows", "w4-copy-rows", "BENCH_W4_COPY_ROWS"),
  w4Many: size("w4Many", "w4-many", "BENCH_W4_MANY"),
  w5Rows: size("w5Rows", "w5-rows", "BENCH_W5_ROWS"),
  w6Rows: size("w6Rows", "w6-rows", "BENCH_W6_ROWS"),
  w8Callers: size("w8Callers", "w8-callers", "BENCH_W8_CALLERS"),
  w8PerCaller: size("w8PerCaller", "w8-per-caller", "BENCH_W8_PER_CALLER"),
  w9N: size("w9N", "w9-n", "BENCH_W9_N"),
  w10Rows: size("w10Rows", "w10-rows", "BENCH_W10_ROWS"),
  w10N: size("w10N", "w10-n", "BENCH_W10_N"),
  reps: size("reps", "reps", "BENCH_REPS"),
  heavyReps: size("heavyReps", "heavy-reps", "BENCH_HEAVY_REPS"),
};
const only = flag("only")
  ?.split(",")
  .map((s) => s.trim().toUpperCase());
const skip = new Set(
  (flag("skip") ?? process.env.BENCH_SKIP ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean),
);
const want = (id) => (!only || only.includes(id.toUpperCase())) && !skip.has(id.toLowerCase());
const outDir = path.resolve(flag("out") ?? path.join(BENCH, "results"));

const log = (s) => console.log(s);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

// ---- the build must be there -----------------------------------------------------------------

if (!fs.existsSync(path.join(ROOT, "dist/native/index.js")) || !fs.existsSync(path.join(ROOT, "build/codec.wasm"))) {
  throw new Error("dist/ or build/codec.wasm is missing: run `npm run bench` (it builds first) or `npm run build`");
}

// ---- results ------------------------------------------------------------------------------

/** Every measured line: id, title, per-client samples (ms unless unit says otherwise). */
const lines = [];
function record(line) {
  lines.push(line);
  const parts = Object.entries(line.median).map(([k, v]) => `${k} ${line.unit === "bytes" ? fmtMB(v) : fmtMs(v)}`);
  log(`  ${line.id.padEnd(14)} ${parts.join(" | ")}   [${elapsed()}]`);
}

/**
 * Runs the clients' closures alternately (A B C A B C …): `warmup` untimed rounds, then `reps`
 * timed ones; a GC before every run. A closure returns the rows it saw (checked against
 * `expect`), or { ms, rows } when it timed itself (libpq programs).
 */
/**
 * @param {string} id
 * @param {string} title
 * @param {Record<string, () => Promise<any>>} clients
 * @param {{ reps?: number, warmup?: number, expect?: number, before?: (name: string) => Promise<void> }} [options]
 */
async function alternate(id, title, clients, { reps = cfg.reps, warmup = 1, expect, before } = {}) {
  const names = Object.keys(clients);
  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  /** @type {Record<string, number[]>} */
  const wall = Object.fromEntries(names.map((n) => [n, []]));
  /** @type {Record<string, number[]>} */
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = -warmup; r < reps; r++) {
    for (const name of names) {
      if (before) await before(name);
      gc();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = await clients[name]();
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const self = typeof out === "object" && out !== null;
      const rows = self ? out.rows : out;
      if (expect !== undefined && rows !== undefined && rows !== -1 && rows !== expect) {
        throw new Error(`${id} ${name}: saw ${rows} rows, expected ${expect}`);
      }
      if (r >= 0) {
        samples[name].push(self ? out.ms : ms);
        wall[name].push(self && out.wall !== undefined ? out.wall : ms);
        // CPU time of this process (all its threads, GC helpers included): the client's own
        // cost, much less disturbed than wall time by other load on the machine. Not for the
        // libpq programs, which run in processes of their own.
        cpu[name].push(self ? NaN : (c.user + c.system) / 1000);
      }
    }
  }
  const line = {
    id,
    title,
    unit: "ms",
    samples,
    wall,
    cpu,
    median: Object.fromEntries(names.map((n) => [n, median(samples[n])])),
    cpuMedian: Object.fromEntries(names.map((n) => [n, median(cpu[n])])),
    spread: Object.fromEntries(names.map((n) => [n, spread(samples[n])])),
  };
  record(line);
  return line;
}

// ---- the run --------------------------------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pg8000-bench-"));
const children = [];
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  fs.rmSync(tmp, { recursive: true, force: true });
});

// --spin: one busy loop per core at nice 19 for the whole run. On this VM an idle vCPU halts, and
// waking it costs tens of µs per round trip (W2 measured ~142 µs per round trip idle, ~79 µs
// with the spinners); the spinners take almost no CPU from the benchmark (CFS weight of nice 19
// is ~1.5% of nice 0) but keep the vCPUs awake, so latency-bound workloads measure the clients.
const spin = flag("spin") === "true";
if (spin) {
  for (let i = 0; i < os.cpus().length; i++) {
    const c = spawn("nice", ["-n", "19", process.execPath, "-e", "for(;;){}"], { stdio: "ignore" });
    children.push(c);
  }
}
cfg.spin = spin;
log(`pg8000 bench${quick ? " (quick)" : ""}: ${JSON.stringify(cfg)}`);
const server = await startServer({ log });
// Ctrl-C or a kill: stop the cluster (and helpers) before going, whatever else listens.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    log(`bench: ${signal}, stopping`);
    server.destroy();
    process.exit(130);
  });
}
/** @type {Libpq | null} */
let libpq = new Libpq(server, tmp);
if (skip.has("libpq") || !libpq.available) libpq = null;
const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  kernel: `${os.type()} ${os.release()}`,
  node: process.version,
  server: server.origin,
  connection: `TCP ${server.host}:${server.port}, no TLS, every client`,
  loadBefore: os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" "),
  versions: versions(),
  tree: gitState(),
};

try {
  log(`server: ${server.origin}`);
  const setupStart = Date.now();
  const setup = setupSql({ w1Rows: cfg.w1Rows, w5Rows: cfg.w5Rows });
  if (libpq) await libpq.psql(setup);
  else {
    // One statement at a time: VACUUM refuses to run inside a multi-statement query.
    const p = await Pg.open(server);
    for (const statement of setup.split(";\n").filter((t) => t.trim())) await p.client.query(statement);
    await p.close();
  }
  if (libpq) machine.postgres = (await libpq.psql("SELECT version()")).trim();
  log(`tables ready in ${((Date.now() - setupStart) / 1000).toFixed(1)} s`);

  const ours = await Ours.open(server);
  const pgc = await Pg.open(server);
  const pjs = await Postgres.open(server);

  // W1 -------------------------------------------------------------------------------------
  if (want("W1")) {
    log(`W1: ${cfg.w1Rows} rows × (int4, int8, float8, text, timestamptz, numeric, bool)`);
    const n = cfg.w1Rows;
    /** @type {Record<string, () => Promise<any>>} */
    const clients = { ours: () => ours.w1(n), pg: () => pgc.w1(n), postgres: () => pjs.w1(n) };
    // The same JS values made without a driver (bench/lib/floor.mjs): how low any JS client can go.
    const floor = w1Floor(n);
    clients["js-floor"] = async () => floor();
    if (libpq)
      clients.psql = () =>
        libpq.psqlTimed(`SELECT a, b, c, d, e, f, g FROM bench_w1 LIMIT ${n}`).then((r) => ({ ...r, rows: undefined }));
    await alternate("W1", "wide result", clients, { expect: n });
    log(
      `W1 without parameters (ours: one statement, so the extended protocol with binary results; pg: simple protocol, text results; postgres.js: unnamed statement)`,
    );
    await alternate(
      "W1simple",
      "wide result, no parameters",
      {
        ours: () => ours.w1simple(n),
        pg: () => pgc.w1simple(n),
        postgres: () => pjs.w1simple(n),
        // W1 with its parameter again, in the same alternation: the 5 % comparison needs both
        // measured under the same load.
        "ours-params": () => ours.w1(n),
      },
      { expect: n, reps: cfg.heavyReps },
    );
  }

  // W2 -------------------------------------------------------------------------------------
  if (want("W2")) {
    const n = cfg.w2N;
    log(`W2: ${n} sequential SELECT $1::int round trips`);
    const clients = { ours: () => ours.w2(n), pg: () => pgc.w2(n), postgres: () => pjs.w2(n) };
    if (libpq) clients.pgbench = () => libpq.pgbench("\\set x random(1, 1000000)\nSELECT :x::int;\n", n, "w2");
    await alternate("W2", "sequential round trips", clients, { expect: n });
  }

  // W3 -------------------------------------------------------------------------------------
  if (want("W3")) {
    const n = cfg.w3N;
    log(`W3: ${n} concurrent SELECT $1::int on one connection`);
    const clients = { ours: () => ours.w3(n), pg: () => pgc.w3(n), postgres: () => pjs.w3(n) };
    if (libpq) {
      const depth = 100;
      const script = `\\set x random(1, 1000000)\n\\startpipeline\n${"SELECT :x::int;\n".repeat(depth)}\\endpipeline\n`;
      clients.pgbench = () => libpq.pgbench(script, Math.ceil(n / depth), "w3");
    }
    await alternate("W3", "pipelined small queries", clients, { expect: n });
  }

  // W4 -------------------------------------------------------------------------------------
  if (want("W4")) {
    const n = cfg.w4CopyRows;
    const { chunks, bytes } = copyChunks(n);
    const file = path.join(tmp, "w4.copy");
    fs.writeFileSync(file, Buffer.concat(chunks));
    fs.chmodSync(tmp, 0o755);
    log(`W4 COPY: ${n} rows (${fmtMB(bytes)} in ${chunks.length} chunks) into an unlogged table`);
    const clients = { ours: () => ours.w4copy(chunks), postgres: () => pjs.w4copy(chunks) };
    if (libpq)
      clients.psql = () =>
        libpq
          .psqlTimed(`\\copy bench_w4 (a, b, c, d, e, f, g) from '${file}'`)
          .then((r) => ({ ...r, rows: undefined }));
    const truncate = () => pgc.client.query("TRUNCATE bench_w4");
    const line = await alternate("W4copy", "COPY FROM STDIN", clients, {
      reps: cfg.heavyReps,
      expect: n,
      before: truncate,
    });
    line.note = "pg: COPY needs pg-copy-streams (not a dependency here)";
    const count = Number((await pgc.client.query("SELECT count(*) FROM bench_w4")).rows[0].count);
    if (count !== n) throw new Error(`W4 COPY left ${count} rows, expected ${n}`);
    fs.rmSync(file, { force: true });

    const m = cfg.w4Many;
    log(`W4 executemany: ${m} INSERTs (pipelined, one transaction)`);
    const rows = manyRows(m);
    await alternate(
      "W4many",
      "executemany INSERT",
      { ours: () => ours.w4many(rows), pg: () => pgc.w4many(rows), postgres: () => pjs.w4many(rows) },
      { expect: m, before: () => pgc.client.query("TRUNCATE bench_w4m") },
    );
  }

  // W5 -------------------------------------------------------------------------------------
  if (want("W5")) {
    const n = cfg.w5Rows;
    log(`W5: ${n} rows × (int4, int8, float4, float8); ours run_columnar, peers row arrays`);
    const clients = {
      ours: () => ours.w5(n),
      pg: () => pgc.w5(n),
      postgres: () => pjs.w5(n),
      "ours-rows": () => ours.w5rows(n),
    };
    if (libpq)
      clients.psql = () =>
        libpq.psqlTimed(`SELECT a, b, c, d FROM bench_w5 LIMIT ${n}`).then((r) => ({ ...r, rows: undefined }));
    await alternate("W5", "numeric columns", clients, { reps: cfg.heavyReps, expect: n });
  }

  // W7 -------------------------------------------------------------------------------------
  if (want("W7")) {
    const bridge = await startChild("bridge-child.mjs", "BENCH_BRIDGE", { host: server.host, port: server.port });
    const relay = await startChild("relay-child.mjs", "BENCH_RELAY", { host: server.host, port: server.port });
    const viaBridge = await Ours.open(server, {
      bridge: { url: bridge.url, token: bridge.token, target: bridge.target },
    });
    const viaRelay = await Ours.open({ ...server, host: "127.0.0.1", port: relay.port });
    log(
      `W7: ours direct TCP vs through the bridge (${bridge.url}) and, as the floor of any extra hop, a plain TCP relay; both in processes of their own`,
    );
    const w7 = (fn) => ({ direct: () => fn(ours), bridge: () => fn(viaBridge), "tcp-relay": () => fn(viaRelay) });
    await alternate(
      "W7-W1",
      "W1 via bridge",
      w7((c) => c.w1(cfg.w1Rows)),
      { expect: cfg.w1Rows },
    );
    // W2 in blocks of ~1,000 round trips, the three paths interleaved, with the hops' own CPU.
    const clients = { direct: ours, bridge: viaBridge, "tcp-relay": viaRelay };
    record(
      await interleaved(
        "W7-W2",
        "W2 via bridge",
        { direct: undefined, bridge: bridge.pid, "tcp-relay": relay.pid },
        (name, n) => clients[name].w2(n),
        { size: cfg.w2N, blocks: Math.max(1, Math.round(cfg.w2N / 1000)), reps: cfg.reps },
      ),
    );
    await Promise.all([viaBridge.close(), viaRelay.close()]);
    bridge.stop();
    relay.stop();
  }

  // W10 ------------------------------------------------------------------------------------
  if (want("W10")) {
    const bridge = await startChild("bridge-child.mjs", "BENCH_BRIDGE", { host: server.host, port: server.port });
    const login = { user: server.user, password: server.password, database: server.database };
    const viaBridge = await Ours.open(server, {
      bridge: { url: bridge.url, token: bridge.token, target: bridge.target },
    });
    const b = await openBrowserBench(login, bridge, { log });
    if ("reason" in b) {
      log(`W10: skipped, ${b.reason}`);
      lines.push({ id: "W10-W1", title: "browser", unit: "ms", median: {}, samples: {}, note: `skipped: ${b.reason}` });
    } else {
      machine.chromium ??= b.engine;
      const { w10Rows: rows, w10N: n } = cfg;
      log(
        `W10: in Chromium, ours through the bridge vs @neondatabase/serverless through the bridge's raw relay; ours in Node through the bridge for reference`,
      );
      const w10 = (workload, size, node) => ({
        ours: () => b.run("ours", workload, size),
        neon: () => b.run("neon", workload, size),
        "ours-node": () => node(size),
      });
      await alternate(
        "W10-W1",
        `browser W1 (${rows} rows)`,
        w10("w1", rows, (k) => viaBridge.w1(k)),
        { expect: rows },
      );
      await alternate(
        "W10-W2",
        `browser W2 (${n} round trips)`,
        w10("w2", n, (k) => viaBridge.w2(k)),
        { expect: n },
      );
      await alternate(
        "W10-W3",
        `browser W3 (${n} concurrent)`,
        w10("w3", n, (k) => viaBridge.w3(k)),
        { expect: n },
      );
      await b.close();
    }
    await viaBridge.close();
    bridge.stop();
  }

  // W8 -------------------------------------------------------------------------------------
  if (want("W8")) {
    const pools = await openPools(server, 10);
    if (!("query" in pools)) {
      log(`W8: skipped, ${pools.reason}`);
      lines.push({ id: "W8", title: "pool", unit: "ms", median: {}, samples: {}, note: `skipped: ${pools.reason}` });
    } else {
      const { w8Callers: callers, w8PerCaller: per } = cfg;
      log(`W8: ${callers} concurrent callers × ${per} sequential SELECT $1::int each, pools of max 10`);
      const { clients, p99 } = poolClients(pools, callers, per);
      const line = await alternate("W8", "pool, max 10", clients, { expect: callers * per });
      await pools.close();
      // The first latency sample of each client is the warm-up round's.
      line.p99 = Object.fromEntries(Object.entries(p99).map(([k, v]) => [k, median(v.slice(1))]));
      line.queries = callers * per;
      log(
        `  W8 p99 latency ${Object.entries(line.p99)
          .map(([k, v]) => `${k} ${v.toFixed(2)} ms`)
          .join(" | ")}`,
      );
    }
  }

  // W9 -------------------------------------------------------------------------------------
  if (want("W9")) {
    const setup = connectSetup(server);
    if (setup.reason) {
      log(`W9: skipped, ${setup.reason}`);
      lines.push({ id: "W9", title: "connect", unit: "ms", median: {}, samples: {}, note: `skipped: ${setup.reason}` });
    } else {
      const n = cfg.w9N;
      log(`W9: ${n} × (connect + SCRAM-SHA-256 + SELECT 1 + close), sequential; TCP, then TLS (certificate verified)`);
      const opts = { expect: n, reps: cfg.heavyReps };
      // libpq: pgbench -C, a new connection per transaction, the same login and TLS settings.
      const withLibpq = (clients, ca) =>
        libpq ? { ...clients, pgbench: () => libpq.pgbenchConnect(n, server.scram, ca) } : clients;
      await alternate("W9tcp", "connect, TCP", withLibpq(connectClients(setup, false, n), undefined), opts);
      if (setup.tls)
        await alternate("W9tls", "connect, TLS", withLibpq(connectClients(setup, true, n), server.caCertPath), opts);
    }
  }

  await Promise.all([ours.close(), pgc.close(), pjs.close()]);

  // W6 -------------------------------------------------------------------------------------
  if (want("W6")) {
    log(
      `W6: stream ${cfg.w6Rows} rows (W1 shape, generate_series) in batches of 1000; peak RSS growth, child process each`,
    );
    const results = {};
    for (const driver of ["ours", "postgres", "pg"]) {
      const r = await w6Child(server, driver, cfg.w6Rows);
      results[driver] = r;
      log(
        `  W6 ${driver.padEnd(8)} growth ${fmtMB(r.growth)} (baseline ${fmtMB(r.baseline)}, peak ${fmtMB(r.peak)}), ${fmtMs(r.ms)}, ${(r.rows / (r.ms / 1000) / 1e6).toFixed(2)} M rows/s`,
      );
      if (r.rows !== cfg.w6Rows) throw new Error(`W6 ${driver}: streamed ${r.rows} rows, expected ${cfg.w6Rows}`);
    }
    const growth = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.growth]));
    lines.push({
      id: "W6",
      title: "stream rows: peak RSS growth",
      unit: "bytes",
      median: growth,
      detail: results,
      samples: {},
    });
    lines.push({
      id: "W6time",
      title: "stream rows: time",
      unit: "ms",
      median: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.ms])),
      samples: {},
      note: "pg: 'row' events (no portal, no backpressure): pg-cursor / pg-query-stream are not dependencies here",
    });
  }

  // codec microbenchmark ----------------------------------------------------------------------
  if (want("codec")) {
    const dir = path.join(tmp, "capture");
    const { captureW1 } = await import("./codec/capture.mjs");
    const caps = await captureW1(server, dir, cfg.w1Rows);
    log(
      `codec: captured W1 (${caps.map((c) => `${c.name} ${fmtMB(c.bytes)} in ${c.lengths.length} chunks`).join(", ")})`,
    );
    const iterations = quick ? 5 : 15;
    const node = await runJsonChild(process.execPath, [path.join(BENCH, "codec/node.mjs"), dir, String(iterations)]);
    lines.push(codecLine("codec-node", node));
    if (want("browser")) {
      try {
        const chromium = await runJsonChild(process.execPath, [
          path.join(BENCH, "codec/browser.mjs"),
          dir,
          String(iterations),
        ]);
        lines.push(codecLine("codec-chromium", chromium));
        machine.chromium = chromium.engine;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log(`codec: Chromium run failed: ${message}`);
        lines.push({
          id: "codec-chromium",
          title: "codec in Chromium",
          unit: "ms",
          median: {},
          samples: {},
          note: `failed: ${message.split("\n")[0]}`,
        });
      }
    }
  }
} finally {
  server.destroy();
}

machine.loadAfter = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(" ");
const report = buildReport();
fs.mkdirSync(outDir, { recursive: true });
const json = {
  date: new Date().toISOString(),
  quick,
  config: cfg,
  machine,
  lines,
  targets: report.targets,
  seconds: (Date.now() - started) / 1000,
};
fs.writeFileSync(path.join(outDir, quick ? "quick.json" : "latest.json"), `${JSON.stringify(json, null, 1)}\n`);
fs.writeFileSync(path.join(outDir, quick ? "quick.md" : "latest.md"), report.markdown);
log("");
log(report.markdown);
log(`results: ${path.join(outDir, quick ? "quick.json" : "latest.json")} (+ .md), ${elapsed()}`);
process.exit(0);

// ---- helpers ----------------------------------------------------------------------------------

/** The commit measured, and whether the working tree had changes (others work in it too). */
function gitState() {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "assembly", "bridge"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
    return dirty
      ? `${head} + uncommitted changes in ${dirty.split("\n").length} files of src/, assembly/, bridge/`
      : head;
  } catch {
    return "unknown (not a git checkout)";
  }
}

function versions() {
  const v = {};
  for (const name of ["pg", "postgres", "pg-protocol", "playwright-core"]) {
    try {
      v[name] = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
    } catch {
      v[name] = "missing";
    }
  }
  return v;
}

function spawnTracked(file, args, env) {
  const child = spawn(file, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  return child;
}

/** Runs a node child that prints progress on stderr and one JSON line last on stdout. */
function runJsonChild(file, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(file, args, env);
    child.stdin.end();
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => {
      err += d;
      for (const l of d.split("\n")) if (l.trim()) log(`  ${l}`);
    });
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop();
      if (code !== 0 || !last)
        return reject(new Error(`${path.basename(args[0])} exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(last));
      } catch (e) {
        reject(new Error(`${path.basename(args[0])}: bad output ${last}: ${e instanceof Error ? e.message : e}`));
      }
    });
  });
}

function w6Child(server, driver, rows) {
  return runJsonChild(process.execPath, [path.join(BENCH, "lib/w6-child.mjs")], {
    BENCH_W6: JSON.stringify({ server, driver, rows, batch: 1000 }),
  });
}

/** A helper process that prints one JSON line when ready and runs until its stdin closes. */
async function startChild(script, envName, config) {
  const child = spawnTracked(process.execPath, [path.join(BENCH, "lib", script)], {
    [envName]: JSON.stringify(config),
  });
  child.stderr.setEncoding("utf8").on("data", (d) => process.stderr.write(d));
  const info = await new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      buf += d;
      if (buf.includes("\n")) resolve(JSON.parse(buf.split("\n")[0]));
    });
    child.on("close", (code) => reject(new Error(`${script} exited ${code}`)));
  });
  return { ...info, pid: child.pid, stop: () => child.stdin.end() };
}

function codecLine(id, r) {
  const median = Object.fromEntries(Object.entries(r.results).map(([k, v]) => [k, v.ms]));
  return {
    id,
    title: `codec microbenchmark, ${r.engine}`,
    unit: "ms",
    median,
    detail: r.results,
    engine: r.engine,
    samples: {},
  };
}

// ---- the table --------------------------------------------------------------------------------

function buildReport() {
  const get = (id) => lines.find((l) => l.id === id);
  const faster = (m) => Math.min(m.pg ?? Infinity, m.postgres ?? Infinity);
  const targets = [];
  /** value(m) computes the target's number from a map of medians (wall, then client CPU). */
  const target = (id, text, l, value, limit, cmp, { cpu = true } = {}) => {
    if (!l) return;
    const wallValue = value(l.median);
    if (!Number.isFinite(wallValue)) return;
    const cpuValue = cpu && l.cpuMedian ? value(l.cpuMedian) : NaN;
    const ok = (v) => (cmp === "le" ? v <= limit : cmp === "lt" ? v < limit : v >= limit);
    targets.push({
      id,
      text,
      value: wallValue,
      cpuValue: Number.isFinite(cpuValue) ? cpuValue : null,
      limit,
      met: ok(wallValue),
      metOnCpu: Number.isFinite(cpuValue) ? ok(cpuValue) : null,
    });
  };
  const w1 = get("W1");
  target("W1", "ours ≤ 0.7× the faster peer", w1, (m) => m.ours / faster(m), 0.7, "le");
  target("W1", "ours ≤ 1.3× psql", w1, (m) => m.ours / m.psql, 1.3, "le", { cpu: false });
  const w1simple = get("W1simple");
  target("W1", "no parameters: ours ≤ 0.6× the faster peer", w1simple, (m) => m.ours / faster(m), 0.6, "le");
  target(
    "W1",
    "no parameters: ours within 5 % of ours with them",
    w1simple,
    (m) => m.ours / m["ours-params"],
    1.05,
    "le",
  );
  const w2 = get("W2");
  target("W2", "ours ≤ 0.9× the faster peer", w2, (m) => m.ours / faster(m), 0.9, "le");
  const w3 = get("W3");
  target("W3", "ours ≤ 1.0× postgres.js", w3, (m) => m.ours / m.postgres, 1.0, "le");
  const w4 = get("W4copy");
  target("W4", "COPY ours ≤ 1.2× psql \\copy", w4, (m) => m.ours / m.psql, 1.2, "le", { cpu: false });
  const w5 = get("W5");
  target("W5", "ours ≥ 3× faster than the faster peer", w5, (m) => faster(m) / m.ours, 3, "ge");
  const w6 = get("W6");
  target("W6", "peak RSS growth < 100 MB", w6, (m) => m.ours / 1048576, 100, "lt", { cpu: false });
  const w7a = get("W7-W2");
  // W7's CPU value: this process plus the hop's process (bridge or relay), i.e. all the CPU
  // spent per round trip outside PostgreSQL.
  const w7chain = w7a?.hopCpuMedian
    ? {
        ...w7a,
        cpuMedian: Object.fromEntries(Object.keys(w7a.median).map((k) => [k, w7a.cpuMedian[k] + w7a.hopCpuMedian[k]])),
      }
    : w7a;
  target("W7", "bridge ≤ 1.5× direct on W2", w7chain, (m) => m.bridge / m.direct, 1.5, "le", { cpu: false });
  target("W7", "bridge ≤ 1.1× the plain TCP relay on W2", w7chain, (m) => m.bridge / m["tcp-relay"], 1.1, "le", {
    cpu: w7chain !== w7a,
  });
  const w7b = get("W7-W1");
  target("W7", "bridge ≤ 1.2× direct on W1", w7b, (m) => m.bridge / m.direct, 1.2, "le", { cpu: false });
  const w10a = get("W10-W1");
  const w10c = get("W10-W3");
  target("W10", "browser W1 ours ≤ 0.6× Neon's client", w10a, (m) => m.ours / m.neon, 0.6, "le", { cpu: false });
  target("W10", "browser W3 ours ≤ 0.5× Neon's client", w10c, (m) => m.ours / m.neon, 0.5, "le", { cpu: false });
  const w8 = get("W8");
  target("W8", "pool throughput ≥ 1.2× the faster peer", w8, (m) => faster(m) / m.ours, 1.2, "ge");
  const w9tcp = get("W9tcp");
  const w9tls = get("W9tls");
  target("W9", "connect (TCP) ≤ 0.9× the faster peer", w9tcp, (m) => m.ours / faster(m), 0.9, "le");
  target("W9", "connect (TLS) ≤ 0.9× the faster peer", w9tls, (m) => m.ours / faster(m), 0.9, "le");

  const md = [];
  md.push(
    `Medians of ${cfg.reps} alternating runs (${cfg.heavyReps} for W1 without parameters, W4 COPY and W5) after one warm-up round; lower is better. Ratios are ours ÷ the other (below 1× = ours faster). libpq = psql's own \\timing (fetch or \\copy) or pgbench's tps without connection time.`,
  );
  md.push("");
  md.push("| workload | ours | pg | postgres | libpq | ours÷pg | ours÷postgres | ours÷libpq |");
  md.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  const row = (label, l, libpqKey, oursKey = "ours") => {
    if (!l) return;
    const m = l.median;
    const f = l.unit === "bytes" ? fmtMB : fmtMs;
    const lib = libpqKey === "psql-from-W1" ? w1?.median.psql : libpqKey ? m[libpqKey] : undefined;
    md.push(
      `| ${label} | ${f(m[oursKey])} | ${f(m.pg)} | ${f(m.postgres)} | ${lib === undefined ? "–" : f(lib)} | ${fmtRatio(m[oursKey] / m.pg)} | ${fmtRatio(m[oursKey] / m.postgres)} | ${lib === undefined ? "–" : fmtRatio(m[oursKey] / lib)} |`,
    );
  };
  row(`W1 ${cfg.w1Rows.toLocaleString("en")} rows × 7 cols`, w1, "psql");
  row(`W1 floor: the same JS values made without a driver`, w1, "psql", "js-floor");
  row(`W1 same, no parameters`, w1simple, "psql-from-W1");
  row(`W2 ${cfg.w2N.toLocaleString("en")} sequential round trips`, w2, "pgbench");
  row(`W3 ${cfg.w3N.toLocaleString("en")} pipelined queries`, w3, "pgbench");
  row(`W4 COPY ${cfg.w4CopyRows.toLocaleString("en")} rows (pg: n/a)`, w4, "psql");
  row(`W4 executemany ${cfg.w4Many.toLocaleString("en")} INSERTs`, get("W4many"));
  row(`W5 ${cfg.w5Rows.toLocaleString("en")} rows × 4 numeric, ours run_columnar`, w5, "psql");
  row(`W5 same, ours run() rows`, w5, "psql", "ours-rows");
  row(`W6 stream ${cfg.w6Rows.toLocaleString("en")} rows: peak RSS growth`, w6);
  row(`W6 stream ${cfg.w6Rows.toLocaleString("en")} rows: time`, get("W6time"));
  row(`W8 pool max 10: ${cfg.w8Callers} callers × ${cfg.w8PerCaller} queries`, w8);
  row(`W9 ${cfg.w9N} × connect + SCRAM + query + close, TCP`, w9tcp, "pgbench");
  row(`W9 same, TLS`, w9tls, "pgbench");
  md.push("");
  if (w8?.p99) {
    const qps = (k) => `${Math.round(w8.queries / (w8.median[k] / 1000)).toLocaleString("en")}/s`;
    const p = (k) => `${w8.p99[k].toFixed(2)} ms`;
    md.push("| W8 pool | ours | pg | postgres |");
    md.push("|---|---:|---:|---:|");
    md.push(`| throughput (queries/s) | ${qps("ours")} | ${qps("pg")} | ${qps("postgres")} |`);
    md.push(`| p99 latency per query (median over runs) | ${p("ours")} | ${p("pg")} | ${p("postgres")} |`);
    md.push("");
  }
  md.push(
    "Client CPU time (user + system of the benchmark process, all threads) per run, medians: what each client itself costs, far less disturbed than wall time by other load on the machine.",
  );
  md.push("");
  md.push("| workload | ours | pg | postgres | ours÷pg | ours÷postgres |");
  md.push("|---|---:|---:|---:|---:|---:|");
  for (const [label, l, key] of [
    ["W1", w1, "ours"],
    ["W1 no parameters", w1simple, "ours"],
    ["W2", w2, "ours"],
    ["W3", w3, "ours"],
    ["W4 COPY", w4, "ours"],
    ["W4 executemany", get("W4many"), "ours"],
    ["W5 (ours run_columnar)", w5, "ours"],
    ["W5 (ours run() rows)", w5, "ours-rows"],
    ["W8 pool", w8, "ours"],
    ["W9 connect, TCP", w9tcp, "ours"],
    ["W9 connect, TLS", w9tls, "ours"],
  ]) {
    if (!l?.cpuMedian) continue;
    const m = l.cpuMedian;
    md.push(
      `| ${label} | ${fmtMs(m[key])} | ${fmtMs(m.pg)} | ${fmtMs(m.postgres)} | ${fmtRatio(m[key] / m.pg)} | ${fmtRatio(m[key] / m.postgres)} |`,
    );
  }
  md.push("");
  if (w7a || w7b) {
    md.push(
      "| W7 (ours) | direct TCP | through the bridge | bridge ÷ direct | plain TCP relay (floor) | relay ÷ direct | bridge ÷ relay |",
    );
    md.push("|---|---:|---:|---:|---:|---:|---:|");
    const w7row = (label, m) =>
      md.push(
        `| ${label} | ${fmtMs(m.direct)} | ${fmtMs(m.bridge)} | ${fmtRatio(m.bridge / m.direct)} | ${fmtMs(m["tcp-relay"])} | ${fmtRatio(m["tcp-relay"] / m.direct)} | ${fmtRatio(m.bridge / m["tcp-relay"])} |`,
      );
    if (w7b) w7row("W1", w7b.median);
    if (w7a) w7row("W2", w7a.median);
    if (w7a?.hopCpuMedian && w7chain !== w7a) {
      w7row("W2 CPU, client", w7a.cpuMedian);
      w7row("W2 CPU, hop process", { ...w7a.hopCpuMedian, direct: NaN });
      w7row("W2 CPU, client + hop", w7chain.cpuMedian);
    }
    md.push("");
    if (w7a?.blocks) {
      md.push(
        `W7's W2: the three paths interleaved in ${w7a.blocks} blocks of ${(w7a.size / w7a.blocks).toLocaleString("en")} round trips per run (order rotating), so that they share the machine's load; CPU rows are medians per run of this process's CPU and of the hop's own process (bridge or relay, from /proc).`,
      );
      md.push("");
    }
  }
  if (w10a) {
    md.push(
      "| W10 (Chromium) | ours, through the bridge | Neon's client, through the raw relay | ours ÷ Neon | ours in Node, through the bridge | browser ÷ Node |",
    );
    md.push("|---|---:|---:|---:|---:|---:|");
    for (const id of ["W10-W1", "W10-W2", "W10-W3"]) {
      const l = get(id);
      if (!l?.median.ours) continue;
      const m = l.median;
      md.push(
        `| ${l.title.replace("browser ", "")} | ${fmtMs(m.ours)} | ${fmtMs(m.neon)} | ${fmtRatio(m.ours / m.neon)} | ${fmtMs(m["ours-node"])} | ${fmtRatio(m.ours / m["ours-node"])} |`,
      );
    }
    md.push("");
  }
  for (const id of ["codec-node", "codec-chromium"]) {
    const l = get(id);
    if (!l?.detail) {
      if (l?.note) md.push(`${id}: ${l.note}`, "");
      continue;
    }
    const d = l.detail;
    md.push(
      `Codec microbenchmark, ${l.engine}: W1's captured bytes replayed from memory (ms per pass, MB/s of wire bytes).`,
    );
    md.push("");
    md.push("| capture | level | ours (WASM codec + RowDecoder) | pg-protocol (+ pg Result) | ours ÷ pg |");
    md.push("|---|---|---:|---:|---:|");
    for (const cap of ["text", "binary"]) {
      for (const level of ["frame", "rows"]) {
        const o = d[`ours/${cap}/${level}`];
        const p = d[`pg/${cap}/${level}`];
        if (!o && !p) continue;
        const cell = (x) => (x ? `${fmtMs(x.ms)} (${x.mbps.toFixed(0)} MB/s)` : "n/a");
        md.push(`| ${cap} | ${level} | ${cell(o)} | ${cell(p)} | ${o && p ? fmtRatio(o.ms / p.ms) : "–"} |`);
      }
    }
    const own = d["ours/binary/rows"];
    const theirs = d["pg/text/rows"];
    if (own && theirs)
      md.push(
        `| each its own wire format | rows | ${fmtMs(own.ms)} | ${fmtMs(theirs.ms)} | ${fmtRatio(own.ms / theirs.ms)} |`,
      );
    md.push("");
  }
  if (targets.length) {
    md.push("| target | value (wall) | met | value (client CPU) | met on CPU |");
    md.push("|---|---:|:---:|---:|:---:|");
    for (const t of targets) {
      const v = t.text.includes("MB") ? `${t.value.toFixed(1)} MB` : fmtRatio(t.value);
      const yes = (b) => (b === null ? "–" : b ? "yes" : "**no**");
      md.push(
        `| ${t.id}: ${t.text} | ${v} | ${yes(t.met)} | ${t.cpuValue === null ? "–" : fmtRatio(t.cpuValue)} | ${yes(t.metOnCpu)} |`,
      );
    }
    md.push("");
  }
  for (const l of lines) if (l.note) md.push(`- ${l.id}: ${l.note}`);
  md.push("");
  if (cfg.spin)
    md.push("Run with --spin: a nice-19 busy loop per core kept the vCPUs from halting between round trips.", "");
  md.push(`Load average (1, 5, 15 min) before the run: ${machine.loadBefore}; after: ${machine.loadAfter}.`);
  md.push("");
  md.push(`Code measured: ${machine.tree}.`);
  md.push("");
  md.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory}, ${machine.kernel}; Node ${machine.node}; ${machine.postgres ?? ""}; ${machine.connection}; pg ${machine.versions.pg}, postgres ${machine.versions.postgres}, pg-protocol ${machine.versions["pg-protocol"]}${machine.chromium ? `; ${machine.chromium}` : ""}.`,
  );
  md.push("");
  return { markdown: md.join("\n"), targets };
}
