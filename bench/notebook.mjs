// The notebook's responsiveness in Chromium (issue 10), started as `npm start` starts it:
// a 1,000,000-row result (first rows visible, all rows, longest main-thread task, JS heap) and a
// 1,000,000-point chart; plus the page's bundle sizes (raw and gzip).
//
//   node bench/notebook.mjs [--reps N] [--rows N] [--out FILE]     (after npm run build)
// Targets: first rows < 1 s, all rows < 5 s, longest task < 200 ms, chart < 1 s.

import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
if ((process.env.BENCH_SKIP ?? "").split(",").includes("notebook")) process.exit(0);
const loadBefore = os
  .loadavg()
  .map((x) => x.toFixed(1))
  .join(", ");
const { values: flags } = parseArgs({
  options: {
    reps: { type: "string", default: "3" },
    rows: { type: "string", default: "1000000" },
    out: { type: "string" },
    /** Writes a CPU profile (.cpuprofile, for Chrome DevTools) of the page during the first rows run. */
    profile: { type: "string" },
    /** Writes a Chromium trace (chrome://tracing / DevTools Performance JSON) of the first rows run. */
    trace: { type: "string" },
  },
});
const REPS = Number(flags.reps);
const ROWS = Number(flags.rows);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bundleSizes() {
  const { build } = await import("vite");
  const dir = mkdtempSync(path.join(os.tmpdir(), "pg8000-bench-page-"));
  try {
    await build({
      configFile: path.join(ROOT, "web-demo/vite.config.ts"),
      logLevel: "silent",
      build: { outDir: dir, emptyOutDir: true },
    });
    const sizes = new Map();
    for (const name of readdirSync(path.join(dir, "assets"))) {
      const bytes = readFileSync(path.join(dir, "assets", name));
      sizes.set(name, { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
    }
    return sizes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startNotebook(dataDir) {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "web-demo/start.mjs"), "--http-port", "0", "--data-dir", dataDir],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: "" },
    },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const address = await new Promise((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /SQL notebook → (\S+)/.exec(output);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`start.mjs exited with ${code}:\n${output}`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGINT");
    });
  return { address, stop };
}

/** Runs the first cell from inside the page and times what the user sees. */
async function timeRows(page, cdp, sql, heapBaseline) {
  await setSql(page, sql);
  const timing = await page.evaluate(async () => {
    const cell = document.querySelector('[data-testid="cell"]');
    const longest = { ms: 0 };
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longest.ms = Math.max(longest.ms, e.duration);
    });
    observer.observe({ type: "longtask", buffered: false });
    // Frames: the longest gap between two animation frames is what a user feels as jank.
    let lastFrame = performance.now();
    let worstFrame = 0;
    let framing = true;
    const frame = (t) => {
      worstFrame = Math.max(worstFrame, t - lastFrame);
      lastFrame = t;
      if (framing) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    const t0 = performance.now();
    let firstRow = 0;
    const seen = new MutationObserver(() => {
      if (!firstRow && cell.querySelector('[data-testid="result-row"]')) firstRow = performance.now() - t0;
    });
    seen.observe(cell, { childList: true, subtree: true });
    cell.querySelector('[data-testid="cell-run"]').click();
    const status = cell.querySelector('[data-testid="cell-status"]');
    await new Promise((resolve) => {
      const check = () => (/^(done|failed)/.test(status.textContent) ? resolve() : setTimeout(check, 5));
      check();
    });
    const allRows = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
    framing = false;
    seen.disconnect();
    observer.disconnect();
    return {
      firstRow,
      allRows,
      longestTask: longest.ms,
      worstFrameGap: worstFrame,
      status: status.textContent,
      rowcount: cell.querySelector('[data-testid="result-rowcount"]')?.textContent,
      domRows: cell.querySelectorAll('[data-testid="result-row"]').length,
    };
  });
  await cdp.send("HeapProfiler.collectGarbage");
  const heapWith = await heapUsed(cdp);
  return { ...timing, heapMB: (heapWith - heapBaseline) / 2 ** 20 };
}

async function timeChart(page, sql) {
  await setSql(page, sql);
  await page.click('[data-testid="cell-run"]');
  await page.waitForFunction(() => /^done/.test(document.querySelector('[data-testid="cell-status"]').textContent));
  return page.evaluate(async () => {
    const longest = { ms: 0 };
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longest.ms = Math.max(longest.ms, e.duration);
    });
    observer.observe({ type: "longtask", buffered: false });
    const cell = document.querySelector('[data-testid="cell"]');
    const t0 = performance.now();
    cell.querySelector('[data-testid="result-chart-toggle"]').click();
    const chart = await new Promise((resolve) => {
      const check = () => {
        const c = cell.querySelector('[data-testid="result-chart"]');
        return c?.dataset.drawMs ? resolve(c) : setTimeout(check, 5);
      };
      check();
    });
    const total = performance.now() - t0;
    observer.disconnect();
    return {
      clickToDrawn: total,
      fetch: Number(chart.dataset.fetchMs),
      draw: Number(chart.dataset.drawMs),
      prepare: Number(chart.dataset.prepareMs),
      longestTask: longest.ms,
      points: cell.querySelector(".chart-status").textContent,
    };
  });
}

async function setSql(page, sql) {
  await page.locator('[data-testid="cell-editor"]').first().click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(sql);
  await page.keyboard.press("Escape");
}

async function heapUsed(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return metrics.find((m) => m.name === "JSHeapUsedSize").value;
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "pg8000-bench-notebook-"));
chmodSync(dataDir, 0o755);
const sizes = await bundleSizes();
const notebook = await startNotebook(dataDir);
const browser = await chromium.launch({
  executablePath: process.env.PG8000_TEST_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu"],
});
const results = { rows: [], chart: [] };
/** Asset files the page fetched (at start, then for the first chart). */
const requested = new Set();
let requestedAtStart = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  page.on("request", (r) => {
    const name = new URL(r.url()).pathname.split("/").pop();
    if (sizes.has(name)) requested.add(name);
  });
  await page.goto(notebook.address);
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="connection-status"]').textContent.startsWith("Connected"),
  );
  requestedAtStart = [...requested];
  const rowsSql = `select i, md5(i::text) from generate_series(1,${ROWS}) i`;
  const chartSql = `select i::float8 as x, sin(i / 5000.0) + random() / 10 as y from generate_series(1,${ROWS}) i`;
  await cdp.send("HeapProfiler.collectGarbage");
  const heapBaseline = await heapUsed(cdp);
  for (let r = 0; r < REPS; r++) {
    const profiling = r === 0 && flags.profile;
    if (profiling) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.start");
    }
    const tracing = r === 0 && flags.trace;
    if (tracing) await browser.startTracing(page, { path: flags.trace, screenshots: false });
    results.rows.push(await timeRows(page, cdp, rowsSql, heapBaseline));
    if (tracing) await browser.stopTracing();
    if (profiling) writeFileSync(flags.profile, JSON.stringify((await cdp.send("Profiler.stop")).profile));
    console.error(`rows rep ${r + 1}: ${JSON.stringify(results.rows.at(-1))}`);
  }
  for (let r = 0; r < REPS; r++) {
    results.chart.push(await timeChart(page, chartSql));
    console.error(`chart rep ${r + 1}: ${JSON.stringify(results.chart.at(-1))}`);
  }
} finally {
  await browser.close();
  await notebook.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

function bundleLines(when, files) {
  const total = (ext) =>
    files
      .filter((f) => f.endsWith(ext))
      .reduce((t, f) => ({ raw: t.raw + sizes.get(f).raw, gzip: t.gzip + sizes.get(f).gzip }), { raw: 0, gzip: 0 });
  return [".js", ".wasm", ".css"]
    .map((ext) => [ext, total(ext)])
    .filter(([, t]) => t.raw > 0)
    .map(([ext, t]) => `  ${when}: ${ext.slice(1).toUpperCase()} ${kb(t.raw)} raw, ${kb(t.gzip)} gzip`);
}
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const ms = (n) => `${Math.round(n)} ms`;
const pick = (list, key) => median(list.map((x) => x[key]));
const lines = [
  `Notebook in Chromium (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "?"}), median of ${REPS}, embedded PostgreSQL via start.mjs`,
  `Load average (1, 5, 15 min) before: ${loadBefore}; after: ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(", ")}`,
  "",
  `${ROWS.toLocaleString("en-US")}-row result (select i, md5(i::text) from generate_series(1,${ROWS}) i):`,
  `  first rows visible     ${ms(pick(results.rows, "firstRow"))}   (target < 1000 ms)`,
  `  all rows               ${ms(pick(results.rows, "allRows"))}   (target < 5000 ms)`,
  `  longest main-thread task ${ms(pick(results.rows, "longestTask"))}   (target < 200 ms)`,
  `  longest gap between frames ${ms(pick(results.rows, "worstFrameGap"))}`,
  `  JS heap with the result shown (after GC, over the page's own) ${pick(results.rows, "heapMB").toFixed(0)} MB; DOM rows ${pick(results.rows, "domRows")}`,
  "",
  `${ROWS.toLocaleString("en-US")}-point chart (typed arrays from the grid's rows → uPlot line):`,
  `  click to drawn         ${ms(pick(results.chart, "clickToDrawn"))}   (target < 1000 ms)`,
  `    of which getting the columns (from the grid's rows, or fetched again) ${ms(pick(results.chart, "fetch"))}, drawing ${ms(pick(results.chart, "draw"))}`,
  `  longest main-thread task ${ms(pick(results.chart, "longestTask"))}`,
  "",
  "Bundle (vite build of web-demo/), what the page fetched:",
  ...bundleLines("at start", requestedAtStart),
  ...bundleLines(
    "for the first chart",
    [...requested].filter((f) => !requestedAtStart.includes(f)),
  ),
];
console.log(lines.join("\n"));
if (flags.out) writeFileSync(flags.out, JSON.stringify({ sizes: Object.fromEntries(sizes), results }, null, 2));
