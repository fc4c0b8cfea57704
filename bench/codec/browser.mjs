// Codec microbenchmark in Chromium: `node bench/codec/browser.mjs <capture dir> [iterations]`.
// Serves the repository's dist/, build/, bench/codec/ and node_modules/ plus the capture over
// HTTP on 127.0.0.1, drives Debian's /usr/bin/chromium headless with playwright-core, and prints
// the page's results as one JSON line on stdout (progress on stderr).

import * as fs from "node:fs/promises";
import * as http from "node:http";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const captureDir = path.resolve(process.argv[2]);
const iterations = Number(process.argv[3] ?? 15);
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const TYPES = {
  ".html": "text/html",
  ".mjs": "text/javascript",
  ".js": "text/javascript",
  ".json": "application/json",
  ".wasm": "application/wasm",
};
const SERVED = ["dist/", "build/", "bench/codec/", "node_modules/"];

const server = http.createServer(async (req, res) => {
  try {
    const url = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file;
    if (url.startsWith("/capture/")) file = path.join(captureDir, path.basename(url));
    else if (SERVED.some((p) => url.slice(1).startsWith(p)) && !url.includes("..")) file = path.join(ROOT, url);
    if (!file) throw new Error("not served");
    const body = await fs.readFile(file);
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
let browser;
try {
  await fs.access(executablePath);
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      "--js-flags=--expose-gc",
    ],
  });
  const page = await browser.newPage();
  page.on("console", (m) => {
    // The CommonJS loader probes x, x.js, x/index.js: its misses are expected.
    if (!m.text().startsWith("Failed to load resource")) process.stderr.write(`${m.text()}\n`);
  });
  page.on("pageerror", (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(`http://127.0.0.1:${port}/bench/codec/page.html?iterations=${iterations}`);
  await page.waitForFunction(() => /** @type {any} */ (window).__results, null, { timeout: 600_000, polling: 250 });
  const r = await page.evaluate(() => /** @type {any} */ (window).__results);
  if (r.error) throw new Error(r.error);
  process.stdout.write(`${JSON.stringify(r)}\n`);
} finally {
  await browser?.close();
  server.close();
}
