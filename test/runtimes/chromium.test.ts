// pg8000/native from the installed tarball, bundled by Vite, in real Chromium: in a page, in a
// module Web Worker, and in a page whose CSP forbids compiling WebAssembly (the codec compiled
// by a worker and passed as connect({ codec })). Each queries the test cluster through the bridge.

import { cpSync } from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bridge, createBridge } from "../../bridge/index.js";
import { type Browser, ensureChromium, launchChromium } from "../browser/harness.js";
import { installPacked, type PackedProject } from "../package/packed.js";
import { type ViteBuild, viteBuild } from "../package/vite-build.js";
import { clusterInfo } from "../setup/cluster-info.js";
import { type Served, serve } from "./serve.js";

const cluster = clusterInfo();
const TOKEN = "chromium-runtime-test";
let options: { user: string; database: string; bridge: { url: string; token: string; target: string } };
const sql = "SELECT 'héllo' AS greeting, 6 * 7 AS answer, ARRAY[1.5, 2.5]::float8[] AS xs";
const expected = [["héllo", 42, [1.5, 2.5]]];
// The page's own scripts only: no eval, no WebAssembly compilation ('wasm-unsafe-eval').
const STRICT_CSP = "default-src 'self'; script-src 'self'; connect-src 'self' ws://127.0.0.1:*";

let project: PackedProject;
let app: ViteBuild;
let server: Served;
let browser: Browser;
let bridge: Bridge;

beforeAll(async () => {
  const chromium = await ensureChromium();
  project = installPacked();
  cpSync(path.join(import.meta.dirname, "browser-app"), project.dir, { recursive: true });
  app = await viteBuild(project.dir, ["index.html", "strict.html"], { worker: { format: "es" } });
  server = await serve(app.outDir, { "/strict.html": { "content-security-policy": STRICT_CSP } });
  // A bridge of its own: it must admit the origin the app is served from.
  bridge = await createBridge({
    listen: { host: "127.0.0.1", port: 0 },
    targets: { cluster: { host: cluster.host, port: cluster.port } },
    tokens: [TOKEN],
    origins: [server.origin],
    log: () => {},
  });
  options = {
    user: cluster.users.trust.user,
    database: cluster.database,
    bridge: { url: bridge.url, token: TOKEN, target: "cluster" },
  };
  browser = await launchChromium(chromium);
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await bridge?.close();
  project?.remove();
});

async function open(page: string): Promise<{ page: Page; problems: string[] }> {
  const tab = await browser.context.newPage();
  const problems: string[] = [];
  tab.on("pageerror", (e) => problems.push(e.message));
  await tab.goto(`${server.origin}/${page}`);
  await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, null, { timeout: 30_000 });
  return { page: tab, problems };
}

describe("Chromium", () => {
  it("the Vite build has no warnings", () => {
    expect(app.warnings).toEqual([]);
    expect(app.nodeImports).toEqual([]);
  });

  it("runs a query in a page", async () => {
    const { page, problems } = await open("index.html");
    const rows = await page.evaluate(
      ([o, q]) => (window as unknown as { queryInPage: (o: unknown, q: string) => Promise<unknown> }).queryInPage(o, q),
      [options, sql] as const,
    );
    expect(rows).toEqual(expected);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("runs a query in a module Web Worker", async () => {
    const { page, problems } = await open("index.html");
    const rows = await page.evaluate(
      ([o, q]) =>
        (window as unknown as { queryInWorker: (o: unknown, q: string) => Promise<unknown> }).queryInWorker(o, q),
      [options, sql] as const,
    );
    expect(rows).toEqual(expected);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("under a CSP without 'wasm-unsafe-eval', says what to do instead of connecting", async () => {
    const { page } = await open("strict.html");
    const outcome = await page.evaluate(
      (o) => (window as unknown as { connectPlainly: (o: unknown) => Promise<string> }).connectPlainly(o),
      options,
    );
    expect(outcome).toMatch(/^InterfaceError: cannot load the WASM codec/);
    expect(outcome).toContain("add 'wasm-unsafe-eval' to its script-src, or pass a WebAssembly.Module");
    await page.close();
  });

  it("under that CSP, runs a query with a codec module compiled by a worker and passed as connect({ codec })", async () => {
    const { page, problems } = await open("strict.html");
    const rows = await page.evaluate(
      ([o, q]) =>
        (window as unknown as { queryWithCodec: (o: unknown, q: string) => Promise<unknown> }).queryWithCodec(o, q),
      [options, sql] as const,
    );
    expect(rows).toEqual(expected);
    expect(problems).toEqual([]);
    await page.close();
  });
});
