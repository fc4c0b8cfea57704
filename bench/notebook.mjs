// The notebook's responsiveness in Chromium (issue 10), started as `npm start` starts it:
// a 1,000,000-row result (first rows visible, all rows, longest main-thread task, JS heap) and a
// 1,000,000-point chart; plus the page's bundle sizes (raw and gzip), and the CPU seconds of the
// page, of Chromium, of start.mjs (the bridge) and of PostgreSQL during the rows runs.
//
//   node bench/notebook.mjs [--reps N] [--rows N] [--out FILE] [--profile FILE.cpuprofile] [--playwright]
//   (after npm run build)
// Targets: first rows < 1 s, all rows < 5 s, longest task < 200 ms, chart < 1 s.

import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { launchChromium } from "./lib/raw-cdp.mjs";

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
    /**
     * Drives Chromium through Playwright instead of the DevTools protocol directly: Playwright
     * has Chromium copy every WebSocket frame to it, which costs more CPU than the page's own
     * work (to compare; not what a user's browser does).
     */
    playwright: { type: "boolean", default: false },
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
  return { address, stop, pid: child.pid };
}

/**
 * CPU seconds (user + system) used so far by the processes this benchmark started, from /proc
 * (Linux; zeros elsewhere): start.mjs itself (the bridge and the page's server), the processes
 * it started (PostgreSQL), and Chromium (browser, renderer, GPU, network service).
 */
function cpuTimes(notebookPid) {
  const tick = 100; // USER_HZ on Linux
  const procs = new Map();
  let entries = [];
  try {
    entries = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return { bridge: 0, postgres: 0, chromium: 0 };
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      procs.set(Number(pid), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / tick });
    } catch {
      // the process ended meanwhile
    }
  }
  const children = new Map();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const tree = (root) => {
    let sum = 0;
    for (const pid of children.get(root) ?? []) sum += (procs.get(pid)?.cpu ?? 0) + tree(pid);
    return sum;
  };
  const bridge = procs.get(notebookPid)?.cpu ?? 0;
  const postgres = tree(notebookPid);
  const chromium = tree(process.pid) - bridge - postgres;
  return { bridge, postgres, chromium };
}

/** Runs the first cell from inside the page and times what the user sees. */
async function timeRows(page, sql, heapBaseline) {
  await setSql(page, sql);
  const cpuBefore = cpuTimes(notebook.pid);
  const pageBefore = await pageCpu(page);
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
  const cpuAfter = cpuTimes(notebook.pid);
  const pageAfter = await pageCpu(page);
  const cpu = {
    pageMainThread: pageAfter.thread - pageBefore.thread,
    renderer: pageAfter.process - pageBefore.process,
    ...Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, cpuAfter[k] - cpuBefore[k]])),
  };
  await page.send("HeapProfiler.collectGarbage");
  const heapWith = await heapUsed(page);
  return { ...timing, heapMB: (heapWith - heapBaseline) / 2 ** 20, cpu };
}

async function timeChart(page, sql) {
  await setSql(page, sql);
  await page.evaluate(() => document.querySelector('[data-testid="cell-run"]').click());
  await page.waitFor(() => /^done/.test(document.querySelector('[data-testid="cell-status"]').textContent));
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

/** Replaces the first cell's SQL as a user does: focus, select all, type (CodeMirror handles the input). */
async function setSql(page, sql) {
  await page.evaluate(() => document.querySelector('[data-testid="cell-editor"]').focus());
  const key = (type, key, code, keyCode, modifiers = 0) =>
    page.send("Input.dispatchKeyEvent", { type, key, code, windowsVirtualKeyCode: keyCode, modifiers });
  await key("rawKeyDown", "a", "KeyA", 65, 2); // Ctrl+A
  await key("keyUp", "a", "KeyA", 65, 2);
  await page.send("Input.insertText", { text: sql });
  await key("rawKeyDown", "Escape", "Escape", 27); // closes the completion list
  await key("keyUp", "Escape", "Escape", 27);
  const text = await page.evaluate(() => document.querySelector('[data-testid="cell-editor"]').textContent);
  if (text !== sql) throw new Error(`the editor holds ${JSON.stringify(text)}, not the benchmark's SQL`);
}

/** CPU seconds of the page's main thread and of its renderer process (Chromium's own counters). */
async function pageCpu(page) {
  const { metrics } = await page.send("Performance.getMetrics");
  const get = (name) => metrics.find((m) => m.name === name)?.value ?? 0;
  return { thread: get("ThreadTime"), process: get("ProcessTime") };
}

async function heapUsed(page) {
  const { metrics } = await page.send("Performance.getMetrics");
  return metrics.find((m) => m.name === "JSHeapUsedSize").value;
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "pg8000-bench-notebook-"));
chmodSync(dataDir, 0o755);
const sizes = await bundleSizes();
const notebook = await startNotebook(dataDir);
const executablePath = process.env.PG8000_TEST_CHROMIUM ?? "/usr/bin/chromium";
/** The page, the same way whichever drives Chromium: evaluate, waitFor, send (a CDP command). */
let page;
let closeBrowser;
if (flags.playwright) {
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--headless", "--disable-gpu"] });
  const pwPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const cdp = await pwPage.context().newCDPSession(pwPage);
  page = {
    evaluate: (fn, arg) => pwPage.evaluate(fn, arg),
    waitFor: (fn, arg) => pwPage.waitForFunction(fn, arg, { timeout: 60_000 }),
    send: (method, params) => cdp.send(method, params),
    goto: (url) => pwPage.goto(url),
  };
  closeBrowser = () => browser.close();
} else {
  const browser = await launchChromium(executablePath);
  page = {
    ...browser.session,
    evaluate: browser.session.evaluate,
    waitFor: browser.session.waitFor,
    goto: (url) => browser.session.send("Page.navigate", { url }),
  };
  closeBrowser = () => browser.close();
}
const results = { rows: [], chart: [] };
/** Asset files the page fetched (at start, then for the first chart). */
const fetchedAssets = () =>
  page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname.split("/").pop()));
let requestedAtStart = [];
let requested = [];
try {
  await page.send("Performance.enable");
  await page.goto(notebook.address);
  await page.waitFor(() =>
    document.querySelector('[data-testid="connection-status"]')?.textContent.startsWith("Connected"),
  );
  requestedAtStart = (await fetchedAssets()).filter((name) => sizes.has(name));
  const rowsSql = `select i, md5(i::text) from generate_series(1,${ROWS}) i`;
  const chartSql = `select i::float8 as x, sin(i / 5000.0) + random() / 10 as y from generate_series(1,${ROWS}) i`;
  await page.send("HeapProfiler.collectGarbage");
  const heapBaseline = await heapUsed(page);
  for (let r = 0; r < REPS; r++) {
    const profiling = r === 0 && flags.profile;
    if (profiling) {
      await page.send("Profiler.enable");
      await page.send("Profiler.start");
    }
    results.rows.push(await timeRows(page, rowsSql, heapBaseline));
    if (profiling) writeFileSync(flags.profile, JSON.stringify((await page.send("Profiler.stop")).profile));
    console.error(`rows rep ${r + 1}: ${JSON.stringify(results.rows.at(-1))}`);
  }
  for (let r = 0; r < REPS; r++) {
    results.chart.push(await timeChart(page, chartSql));
    console.error(`chart rep ${r + 1}: ${JSON.stringify(results.chart.at(-1))}`);
  }
  requested = (await fetchedAssets()).filter((name) => sizes.has(name));
} finally {
  // Each step on its own: a browser that fails to close must not leave the server running.
  await closeBrowser().catch((err) => console.error(`closing Chromium: ${err.message}`));
  await notebook.stop();
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
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
const cpuPick = (key) => median(results.rows.map((x) => x.cpu[key])).toFixed(2);
const lines = [
  `Notebook in Chromium${flags.playwright ? " driven by Playwright" : ""} (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "?"}), median of ${REPS}, embedded PostgreSQL via start.mjs`,
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
  `  CPU seconds during the run: page main thread ${cpuPick("pageMainThread")}, renderer process ${cpuPick("renderer")}, all Chromium ${cpuPick("chromium")}, start.mjs (bridge) ${cpuPick("bridge")}, PostgreSQL ${cpuPick("postgres")}`,
  `  JS heap with the result shown (after GC, over the page's own) ${pick(results.rows, "heapMB").toFixed(0)} MB; DOM rows ${pick(results.rows, "domRows")}`,
  "",
  `${ROWS.toLocaleString("en-US")}-point chart (the grid's typed columns → uPlot line):`,
  `  click to drawn         ${ms(pick(results.chart, "clickToDrawn"))}   (target < 1000 ms)`,
  `    of which getting the columns (joined from the grid's, or fetched again) ${ms(pick(results.chart, "fetch"))}, drawing ${ms(pick(results.chart, "draw"))}`,
  `  longest main-thread task ${ms(pick(results.chart, "longestTask"))}`,
  "",
  "Bundle (vite build of web-demo/), what the page fetched:",
  ...bundleLines("at start", requestedAtStart),
  ...bundleLines(
    "for the first chart",
    [...new Set(requested)].filter((f) => !requestedAtStart.includes(f)),
  ),
];
console.log(lines.join("\n"));
if (flags.out) writeFileSync(flags.out, JSON.stringify({ sizes: Object.fromEntries(sizes), results }, null, 2));
