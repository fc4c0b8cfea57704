// The Pool in real Chromium, through a real bridge to the test cluster: the page (pool-page/,
// bundled by Vite from the TypeScript sources) runs concurrent queries, transactions and an
// acquire timeout, and reports what it saw.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, defaultClientConditions } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bridge, createBridge } from "../../bridge/index.js";
import { clusterInfo } from "../tools/cluster-info.js";
import { type Browser, ensureChromium, launchChromium, type StaticServer, serveStatic } from "./harness.js";
import type { PoolCheckResults } from "./pool-page/main.js";

const cluster = clusterInfo();
const TOKEN = "pool-browser-test-token-0123456789";
let outDir: string;
let server: StaticServer;
let bridge: Bridge;
let browser: Browser;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "pg8000-pool-page-"));
  const [chromium] = await Promise.all([
    ensureChromium(),
    build({
      configFile: false,
      root: join(import.meta.dirname, "pool-page"),
      base: "./",
      logLevel: "silent",
      // package.json "imports" (#node-transport, #codec-wasm) resolve to the sources, as for the notebook.
      resolve: { conditions: ["pg8000-source", ...defaultClientConditions] },
      build: {
        outDir,
        emptyOutDir: true,
        target: "es2022",
        assetsInlineLimit: (file: string) => (file.endsWith(".wasm") ? false : undefined),
      },
    }),
  ]);
  server = await serveStatic(outDir);
  bridge = await createBridge({
    listen: { host: "127.0.0.1", port: 0 },
    targets: { main: { host: cluster.host, port: cluster.port } },
    tokens: [TOKEN],
    origins: [server.origin],
  });
  browser = await launchChromium(chromium);
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await server?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe("Pool in Chromium through the bridge", () => {
  it("concurrent callers, transactions, acquire_timeout and close()", async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${server.origin}/index.html`);
    await expect.poll(() => page.textContent("#ready")).toBe("ready");
    const options = {
      user: cluster.users.trust.user,
      database: cluster.database,
      bridge: { url: bridge.url, token: TOKEN, target: "main" },
    };
    const results: PoolCheckResults = await page.evaluate((o) => window.poolChecks(o), options);
    expect(results).toEqual({
      exact: true,
      most: 3,
      // One-shot statements share connections: those open first may answer all 60.
      sessions: expect.toSatisfy((n: number) => n >= 1 && n <= 3),
      committed: [[1]],
      rolledBack: [[1]],
      rollbackError: "undo",
      timeoutError: "OperationalError",
      loanBackendPidSame: true,
      afterClose: 0,
    });
    expect(problems).toEqual([]);
    await page.close();
  });
});
