// `npm start` as a newcomer runs it (after `npm run build`, which `npm test` has done): the
// launcher starts an embedded PostgreSQL (PGlite), the bridge and the notebook page; the
// address it prints opens a connected notebook in real Chromium that runs SQL.

import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, ensureChromium, launchChromium } from "./harness.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "../..");
let launcher: ChildProcess;
let address: string;
let output = "";
let browser: Browser;
const dataDir = mkdtempSync(path.join(tmpdir(), "pg8000-start-"));

beforeAll(async () => {
  chmodSync(dataDir, 0o755);
  const chromium = await ensureChromium();
  const env = { ...process.env };
  delete env.DATABASE_URL;
  launcher = spawn(
    process.execPath,
    [path.join(root, "web-demo/start.mjs"), "--http-port", "0", "--data-dir", dataDir],
    { env, cwd: root },
  );
  launcher.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no address within 90 s:\n${output}`)), 90_000);
    launcher.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      const m = /SQL notebook → (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    launcher.once("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  browser = await launchChromium(chromium);
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
  if (launcher && launcher.exitCode === null) {
    const exited = new Promise((resolve) => launcher.once("exit", resolve));
    launcher.kill("SIGINT");
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("says it runs an embedded PostgreSQL and prints a local notebook address", () => {
    expect(output).toMatch(/embedded PostgreSQL 18/);
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#bridge=ws/);
  });

  it("the printed address opens a connected notebook that runs SQL against the sample data", async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(address);
    await page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Connected"), null, {
      timeout: 30_000,
    });
    expect(await page.textContent("#status")).toMatch(/Connected to PostgreSQL 18/);
    await page.fill("#sql", "SELECT title, price FROM book WHERE price > 10 ORDER BY title");
    await page.click("#run");
    await page.waitForFunction(() => document.querySelector("#summary")?.textContent?.includes("rows"), null, {
      timeout: 30_000,
    });
    const cells = await page.$$eval("#rows tbody tr", (rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)),
    );
    expect(cells).toEqual([
      ["Finnegans Wake", "18.00"],
      ["Mrs Dalloway", "11.25"],
      ["Ulysses", "14.99"],
    ]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
