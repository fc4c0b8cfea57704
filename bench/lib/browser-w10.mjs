// W10's browser side: Vite builds bench/browser/ (pg8000/native from the sources, as the notebook
// is built, and @neondatabase/serverless from node_modules) into a temp dir, a static server
// serves it on 127.0.0.1, and Debian's Chromium (headless, playwright-core) opens it. The
// harness then calls run(client, workload, n) once per timed run, so the clients alternate.

import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

async function buildPage() {
  const vite = await import("vite");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg8000-bench-w10-"));
  const conditions = /** @type {any} */ (vite).defaultClientConditions;
  await vite.build({
    configFile: false,
    root: path.join(ROOT, "bench/browser"),
    base: "./",
    logLevel: "silent",
    resolve: {
      alias: { "pg8000/native": path.join(ROOT, "src/native/index.ts") },
      ...(conditions ? { conditions: ["pg8000-source", ...conditions] } : {}),
    },
    build: {
      outDir: dir,
      emptyOutDir: true,
      target: "es2022",
      assetsInlineLimit: (file) => (file.endsWith(".wasm") ? false : undefined),
    },
  });
  return dir;
}

function serve(dir) {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = path.join(dir, url === "/" ? "index.html" : url);
    if (!file.startsWith(dir) || !fs.existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/**
 * @param {{ user: string, password?: string, database: string }} login
 * @param {{ url: string, token: string, target: string, rawUrl: string }} bridge
 */
export async function openBrowserBench(login, bridge, { log = console.log } = {}) {
  const { chromium } = await import("playwright-core");
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) return { reason: `no Chromium at ${executablePath}` };
  const dir = await buildPage();
  const server = /** @type {http.Server} */ (await serve(dir));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--js-flags=--expose-gc"],
  });
  const page = await browser.newPage();
  page.on("pageerror", (e) => log(`  W10 page error: ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => /** @type {any} */ (window).benchReady, null, { timeout: 60_000 });
  const raw = new URL(bridge.rawUrl);
  const cfg = {
    user: login.user,
    password: login.password,
    database: login.database,
    bridgeUrl: bridge.url,
    token: bridge.token,
    target: bridge.target,
    rawRelay: `${raw.host}${raw.pathname}?token=${encodeURIComponent(bridge.token)}`,
  };
  const engine = await page.evaluate((c) => /** @type {any} */ (window).bench.open(c), cfg);
  return {
    engine,
    page,
    cdp: () => page.context().newCDPSession(page),
    /** @returns {Promise<{ ms: number, rows: number }>} */
    run: (client, workload, n) =>
      page.evaluate(([c, w, k]) => /** @type {any} */ (window).bench.run(c, w, k), [client, workload, n]),
    async close() {
      await page.evaluate(() => /** @type {any} */ (window).bench.close()).catch(() => undefined);
      await browser.close();
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
