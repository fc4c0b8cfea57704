// The notebook end to end, started as `npm start` starts it (web-demo/start.mjs), in real
// Chromium: once on the embedded PostgreSQL, once on the test cluster through DATABASE_URL
// (SCRAM login typed into the connection panel). Every feature, as a user sees it.

import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/native/index.js";
import { clusterInfo } from "../tools/cluster-info.js";
import { type Browser, ensureChromium, launchChromium } from "./harness.js";
import { type Launcher, startLauncher } from "./launcher.js";
import { cellAt, readResults, runCell, setSql, typeAndRun, waitCell, waitConnected } from "./notebook-page.js";

const cluster = clusterInfo();
const login = cluster.users.scram;
// The README's screenshot; refreshed only when asked, so a test run leaves the checkout as it was.
const screenshotPath = process.env.PG8000_UPDATE_SCREENSHOT
  ? path.resolve(import.meta.dirname, "../../web-demo/screenshot.png")
  : path.join(tmpdir(), `pg8000-notebook-screenshot-${process.pid}.png`);

interface Target {
  name: string;
  launcher: Launcher;
  browser: Browser;
  /** Opens the printed address and waits until connected (typing the password where needed). */
  open(): Promise<Page>;
}

const targets: Record<string, Target> = {};
const dataDir = mkdtempSync(path.join(tmpdir(), "pg8000-e2e-"));
let problems: string[] = [];
const suffix = Date.now().toString(36);

beforeAll(async () => {
  chmodSync(dataDir, 0o755);
  const chromium = await ensureChromium();
  const url = `postgresql://${login.user}:${encodeURIComponent(login.password)}@${cluster.host}:${cluster.port}/${cluster.database}`;
  const started = await Promise.allSettled([
    startLauncher(["--data-dir", dataDir]),
    startLauncher([], { DATABASE_URL: url }),
  ]);
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    // Stop the one that did start before giving up.
    for (const s of started) if (s.status === "fulfilled") await s.value.stop();
    throw failed.reason;
  }
  const [embedded, clustered] = started.map((s) => (s as PromiseFulfilledResult<Launcher>).value) as [
    Launcher,
    Launcher,
  ];
  for (const [name, launcher, password] of [
    ["embedded", embedded, null],
    ["cluster", clustered, login.password],
  ] as const) {
    const browser = await launchChromium(chromium);
    targets[name] = {
      name,
      launcher,
      browser,
      async open() {
        const page = await browser.context.newPage();
        page.on("pageerror", (err) => problems.push(`${name}: uncaught: ${err.message}`));
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(launcher.address);
        if (password !== null) {
          await page.fill("input[name=password]", password);
          await page.click('[data-testid="connect"]');
        }
        await waitConnected(page);
        return page;
      },
    };
  }
}, 15 * 60_000);

afterAll(async () => {
  for (const target of Object.values(targets)) {
    await target.browser.close();
    await target.launcher.stop();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  const seen = problems;
  problems = [];
  expect(seen).toEqual([]);
});

const names = ["embedded", "cluster"] as const;

describe.each(names)("the notebook on the %s server", (name) => {
  const target = (): Target => targets[name]!;

  it("runs each statement of a cell into its own result, with type names and psql-like values", async () => {
    const page = await target().open();
    const results = await typeAndRun(
      page,
      0,
      "SELECT 1 AS a;\nSELECT 'x' AS b, 'y' AS c;\n" +
        "SELECT NULL::text AS missing, 'NULL' AS word, 42::int4 AS n, 2.5::numeric AS num, '\\xdeadbeef'::bytea AS raw, " +
        `'{"k": [1, null], "s": "t"}'::jsonb AS doc, E'two\\nlines' AS multi, '2024-02-29'::date AS d`,
    );
    expect(results.map((r) => r.columns)).toEqual([
      [{ name: "a", type: "int4" }],
      [
        { name: "b", type: "text" },
        { name: "c", type: "text" },
      ],
      [
        { name: "missing", type: "text" },
        { name: "word", type: "text" },
        { name: "n", type: "int4" },
        { name: "num", type: "numeric" },
        { name: "raw", type: "bytea" },
        { name: "doc", type: "jsonb" },
        { name: "multi", type: "text" },
        { name: "d", type: "date" },
      ],
    ]);
    expect(results.map((r) => r.rows)).toEqual([
      [["1"]],
      [["x", "y"]],
      [["NULL", "NULL", "42", "2.5", "\\xdeadbeef", '{"k": [1, null], "s": "t"}', "two↵lines", "2024-02-29"]],
    ]);
    const third = cellAt(page, 0).locator('[data-testid="result"]').nth(2);
    const cells = third.locator('[data-testid="result-row"] .grid-cell');
    // NULL is told apart from the text 'NULL'; numbers are right-aligned, text is not.
    expect(await cells.nth(0).getAttribute("class")).toContain("null");
    expect(await cells.nth(1).getAttribute("class")).not.toContain("null");
    const align = (i: number) => cells.nth(i).evaluate((e) => getComputedStyle(e).textAlign);
    expect([await align(2), await align(3), await align(1)]).toEqual(["right", "right", "start"]);
    // A click shows the whole value: JSON pretty-printed, line breaks kept.
    await cells.nth(5).click();
    expect(await third.locator('[data-testid="result-detail"]').textContent()).toBe(
      'doc (row 1):\n{\n  "k": [\n    1,\n    null\n  ],\n  "s": "t"\n}',
    );
    await cells.nth(6).click();
    expect(await third.locator('[data-testid="result-detail"]').textContent()).toBe("multi (row 1):\ntwo\nlines");
    await page.close();
  });

  it("errors: class, SQLSTATE, message, detail and hint, the position marked in the editor", async () => {
    const page = await target().open();
    const results = await typeAndRun(
      page,
      0,
      "SELECT 1 AS fine;\nSELECT g, nope\n  FROM generate_series(1, 2) g;\nSELECT 3",
    );
    // The first statement ran; the second failed; the third did not run.
    expect(results.length).toBe(2);
    expect(results[1]!.error).toEqual({
      sqlstate: "42703",
      text: 'ProgrammingError · 42703 (syntax error or access rule violation)column "nope" does not exist',
    });
    expect(await cellAt(page, 0).locator('[data-testid="error-marker"]').textContent()).toBe("nope");
    expect(await cellAt(page, 0).locator('[data-testid="cell-status"]').textContent()).toMatch(/^failed in /);
    const [hinted] = await typeAndRun(page, 0, "SELECT no_such_function(1)");
    expect(hinted!.error!.text).toMatch(
      /^ProgrammingError · 42883 .*function no_such_function\(integer\) does not exist.*HINT: No function matches/,
    );
    expect(await cellAt(page, 0).locator('[data-testid="error-marker"]').textContent()).toBe("no_such_function");
    const table = `dup_${suffix}`;
    const withDetail = await typeAndRun(
      page,
      0,
      `CREATE TEMP TABLE ${table} (id int PRIMARY KEY); INSERT INTO ${table} VALUES (1); INSERT INTO ${table} VALUES (1)`,
    );
    expect(withDetail[2]!.error!.text).toMatch(
      /^IntegrityError · 23505 \(integrity constraint violation\)duplicate key value .*DETAIL: Key \(id\)=\(1\) already exists\.$/,
    );
    await page.close();
  });

  it("notices show under the cell; the transaction status shows a failed transaction", async () => {
    const page = await target().open();
    await typeAndRun(
      page,
      0,
      `DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$;\nDROP TABLE IF EXISTS surely_not_here_${suffix}`,
    );
    expect(await cellAt(page, 0).locator('[data-testid="notice"]').allTextContents()).toEqual([
      "NOTICE: hello 42",
      `NOTICE: table "surely_not_here_${suffix}" does not exist, skipping`,
    ]);
    const tx = page.locator('[data-testid="transaction-status"]');
    expect(await tx.textContent()).toBe("idle (autocommit)");
    await typeAndRun(page, 0, "BEGIN");
    expect(await tx.textContent()).toBe("in a transaction (COMMIT or ROLLBACK ends it)");
    const [failed] = await typeAndRun(page, 0, "SELECT 1/0");
    expect(failed!.error!.sqlstate).toBe("22012");
    expect(await tx.textContent()).toBe("failed transaction: ROLLBACK to go on");
    const [refused] = await typeAndRun(page, 0, "SELECT 1");
    expect(refused!.error!.sqlstate).toBe("25P02");
    await typeAndRun(page, 0, "ROLLBACK");
    expect(await tx.textContent()).toBe("idle (autocommit)");
    await page.close();
  });

  it("Cancel stops the running cell with 57014; the session goes on", async () => {
    const page = await target().open();
    await setSql(page, 0, "SELECT 1 AS before; SELECT pg_sleep(30)");
    const started = Date.now();
    await cellAt(page, 0).locator('[data-testid="cell-run"]').click();
    await expect.poll(() => cellAt(page, 0).locator('[data-testid="result"]').count()).toBe(2);
    // The columns show while the query runs, before any row.
    await expect
      .poll(async () => (await readResults(page, 0))[1]?.columns)
      .toEqual([{ name: "pg_sleep", type: "void" }]);
    await cellAt(page, 0).locator('[data-testid="cell-cancel"]').click();
    expect(await waitCell(page, 0)).toMatch(/^cancelled in /);
    expect(Date.now() - started).toBeLessThan(10_000);
    const results = await readResults(page, 0);
    expect(results[0]!.rows).toEqual([["1"]]);
    expect(results[1]!.error).toEqual({
      sqlstate: "57014",
      text: "OperationalError · 57014 (operator intervention)canceling statement due to user request",
    });
    const [after] = await typeAndRun(page, 0, "SELECT 'after cancel' AS s");
    expect(after!.rows).toEqual([["after cancel"]]);
    await page.close();
  });

  it("streams a large result into a virtualised grid: all rows counted, few in the DOM, the last reachable", async () => {
    const page = await target().open();
    const [big] = await typeAndRun(page, 0, "SELECT i, md5(i::text) AS hash FROM generate_series(1, 200000) i");
    expect(big!.rowcount).toBe("200,000");
    expect(big!.summary).toMatch(/^200,000 rows in /);
    const rendered = await cellAt(page, 0).locator('[data-testid="result-row"]').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);
    await cellAt(page, 0)
      .locator(".grid-scroll")
      .evaluate((e) => e.scrollTo(0, e.scrollHeight));
    await expect
      .poll(async () => (await readResults(page, 0))[0]!.rows.at(-1))
      .toEqual(["200000", "03e6c61603f6c550ab49ab6a2d83f793"]);
    await page.close();
  });

  it("charts a result: line, bar and scatter, x and y picked", async () => {
    const page = await target().open();
    await typeAndRun(page, 0, "SELECT g AS x, sin(g / 10.0) AS y, g * 2 AS twice FROM generate_series(1, 500) g");
    const result = cellAt(page, 0).locator('[data-testid="result"]');
    await result.locator('[data-testid="result-chart-toggle"]').click();
    const chart = result.locator('[data-testid="result-chart"]');
    await expect.poll(() => chart.locator("canvas").count()).toBe(1);
    expect(await result.locator(".chart-status").textContent()).toMatch(
      /^500 points: columns built from the grid's 500 rows in .*, drawn in /,
    );
    for (const kind of ["bar", "scatter", "line"]) {
      await result.locator('[data-testid="chart-kind"]').selectOption(kind);
      await expect.poll(() => chart.locator("canvas").count()).toBe(1);
    }
    await result.locator('[data-testid="chart-y"]').selectOption({ label: "twice" });
    expect(await chart.locator(".u-legend").textContent()).toContain("twice");
    // Back to the grid.
    await result.locator('[data-testid="result-chart-toggle"]').click();
    expect(await result.locator(".grid").isVisible()).toBe(true);
    await page.close();
  });

  it("charts the rows the grid holds; a result cut short is fetched again, its chartable columns only", async () => {
    const page = await target().open();
    // nextval() tells a second run of the statement from the first.
    await typeAndRun(page, 0, "CREATE TEMP SEQUENCE run_count");
    await typeAndRun(page, 0, "SELECT nextval('run_count') AS x, 1 AS y FROM generate_series(1, 10)");
    const result = cellAt(page, 0).locator('[data-testid="result"]');
    await result.locator('[data-testid="result-chart-toggle"]').click();
    const chart = result.locator('[data-testid="result-chart"]');
    await expect.poll(() => chart.locator("canvas").count()).toBe(1);
    expect(await chart.getAttribute("data-x-range")).toBe("1 – 10");
    // Fails at its third row the first time only: the grid's rows are not all there, the chart runs it again.
    await setSql(
      page,
      0,
      "SELECT g AS x, g * 2 AS y, md5(g::text) AS t, CASE WHEN g = 3 AND nextval('run_count') = 11 THEN 1 / (g - 3) ELSE 0 END AS z FROM generate_series(1, 5) g",
    );
    expect(await runCell(page, 0)).toMatch(/^failed/);
    const [cut] = await readResults(page, 0);
    expect(cut!.error?.sqlstate).toBe("22012");
    // The rows that came before the error stay in the grid, and the summary says so.
    expect(cut!.rows.map((r) => r.slice(0, 2))).toEqual([
      ["1", "2"],
      ["2", "4"],
    ]);
    expect(cut!.summary).toBe("2 rows received before the error");
    await result.locator('[data-testid="result-chart-toggle"]').click();
    await expect.poll(() => result.locator(".chart-status").textContent()).toMatch(/points|failed/);
    await expect.poll(() => chart.locator("canvas").count()).toBe(1);
    expect(await result.locator(".chart-status").textContent()).toMatch(/^5 points: columns fetched in /);
    expect(await chart.getAttribute("data-x-range")).toBe("1 – 5");
    expect(await result.locator('[data-testid="chart-y"] option').allTextContents()).toEqual(["x", "y", "z"]);
    await page.close();
  });

  it("exports a result as CSV (NULL empty, quoting as COPY reads it)", async () => {
    const page = await target().open();
    await typeAndRun(
      page,
      0,
      `SELECT 1 AS id, 'plain' AS t UNION ALL SELECT 2, NULL UNION ALL SELECT 3, 'a, "quoted"\nline'`,
    );
    const download = page.waitForEvent("download");
    await cellAt(page, 0).locator('[data-testid="result-export-csv"]').click();
    const file = await (await download).path();
    expect(readFileSync(file, "utf8")).toBe('id,t\r\n1,plain\r\n2,\r\n3,"a, ""quoted""\nline"\r\n');
    await page.close();
  });

  it("imports a CSV file through COPY FROM STDIN with progress, into a new table, then the schema browser shows it", async () => {
    const page = await target().open();
    const table = `imported_${suffix}`;
    const csv = `city,visits\r\nOslo,3\r\n"Buenos Aires, AR",5\r\nCairo,\r\n`;
    await page.setInputFiles('[data-testid="import-file"]', {
      name: "visits.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csv),
    });
    await page.fill('[data-testid="import-table"]', table);
    await page.click('[data-testid="import-start"]');
    await expect
      .poll(() => page.textContent('[data-testid="import-done"]'), { timeout: 15_000 })
      .toMatch(new RegExp(`^Imported 3 rows into ${table} \\(new table, text columns\\) in `));
    const progress = page.locator('[data-testid="import-progress"]');
    expect(await progress.evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([csv.length, csv.length]);
    const [rows] = await typeAndRun(page, 0, `SELECT city, visits FROM ${table} ORDER BY city`);
    expect(rows!.rows).toEqual([
      ["Buenos Aires, AR", "5"],
      ["Cairo", "NULL"],
      ["Oslo", "3"],
    ]);
    // Into the existing table again: appended.
    await page.click('[data-testid="import-start"]');
    await expect
      .poll(() => page.textContent('[data-testid="import-done"]'), { timeout: 15_000 })
      .toMatch(new RegExp(`^Imported 3 rows into ${table} in `));
    const browserTables = page.locator('[data-testid="schema-browser"] [data-testid="schema-table"]');
    await expect.poll(() => browserTables.allTextContents()).toContain(table);
    // A click on a table inserts its name into the cell being edited.
    await setSql(page, 0, "SELECT count(*) FROM ");
    await browserTables.filter({ hasText: new RegExp(`^${table}$`) }).click();
    expect(await cellAt(page, 0).locator('[data-testid="cell-editor"]').textContent()).toBe(
      `SELECT count(*) FROM ${table}`,
    );
    expect((await readResults(page, 0)).length).toBe(1);
    await runCell(page, 0);
    expect((await readResults(page, 0))[0]!.rows).toEqual([["6"]]);
    await typeAndRun(page, 0, `DROP TABLE ${table}`);
    await page.close();
  });

  it("completes table and column names from the schema", async () => {
    const page = await target().open();
    const table = `completion_${suffix}`;
    await typeAndRun(page, 0, `CREATE TABLE ${table} (zebra_count int)`);
    await expect.poll(() => page.locator('[data-testid="schema-table"]').allTextContents()).toContain(table);
    await setSql(page, 0, "SELECT * FROM completion_");
    await page.keyboard.press("Control+Space");
    const options = page.locator(".cm-tooltip-autocomplete li");
    await expect.poll(() => options.allTextContents()).toContain(table);
    await options.filter({ hasText: new RegExp(`^${table}`) }).click();
    expect(await cellAt(page, 0).locator('[data-testid="cell-editor"]').textContent()).toBe(`SELECT * FROM ${table}`);
    // A list still open when the cell runs (Ctrl+Enter, or the Run button) closes: it would cover the result.
    await page.keyboard.type(` WHERE ${table}.zebra_count IS NULL OR ${table}.`);
    await page.keyboard.press("Control+Space");
    await expect.poll(() => options.allTextContents()).toContain("zebra_count");
    await page.keyboard.press("Control+Enter"); // runs the text as it is: the trailing "." is a syntax error
    await waitCell(page, 0);
    expect(await page.locator(".cm-tooltip-autocomplete").count()).toBe(0);
    await typeAndRun(page, 0, `DROP TABLE ${table}`);
    await page.close();
  });

  it("two tabs at once: separate sessions, and a NOTIFY from one appears live in the other's LISTEN panel", async () => {
    const [a, b] = [await target().open(), await target().open()];
    const channel = `tabs_${suffix}`;
    await a.fill('[data-testid="listen-channel"]', channel);
    await a.click('[data-testid="listen-start"]');
    await expect.poll(() => a.textContent(".channels")).toBe(`Listening to: ${channel}`);
    // Both tabs run at the same time.
    await setSql(a, 0, "SELECT pg_backend_pid() AS pid, pg_sleep(1) IS NULL AS slept");
    await setSql(b, 0, "SELECT pg_backend_pid() AS pid, pg_sleep(1) IS NULL AS slept");
    await Promise.all([a, b].map((p) => cellAt(p, 0).locator('[data-testid="cell-run"]').click()));
    await Promise.all([waitCell(a, 0), waitCell(b, 0)]);
    // Background tabs draw nothing (no animation frames): look at each in turn.
    const pidShown = async (p: Page): Promise<string | undefined> => {
      await p.bringToFront();
      await expect.poll(async () => (await readResults(p, 0))[0]?.rows.length).toBe(1);
      return (await readResults(p, 0))[0]!.rows[0]![0];
    };
    const pa = await pidShown(a);
    const pb = await pidShown(b);
    expect(pa).toMatch(/^\d+$/);
    expect(pb).not.toBe(pa);
    await typeAndRun(b, 0, `NOTIFY ${channel}, 'from the other tab'`);
    await a.bringToFront();
    await expect
      .poll(() => a.locator('[data-testid="notification"]').allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringMatching(new RegExp(`^\\S+ ${channel}: from the other tab \\(from backend ${pb}\\)$`))]);
    await a.close();
    await b.close();
  });

  it("cells: add, move, delete, Shift+Enter, run selection, run all; kept over a reload; .sql export and import", async () => {
    const page = await target().open();
    // Reloaded: connected again (typing the password where the server needs one).
    const reloaded = async (): Promise<void> => {
      await page.reload();
      if (name === "cluster") {
        await page.fill("input[name=password]", login.password);
        await page.click('[data-testid="connect"]');
      }
      await waitConnected(page);
    };
    // Nothing kept: the notebook starts from its example cells.
    await page.evaluate(() => localStorage.clear());
    await reloaded();
    const cells = page.locator('[data-testid="cell"]');
    const editors = page.locator('[data-testid="cell-editor"]');
    const count = await cells.count();
    for (let i = count - 1; i > 0; i--) await cellAt(page, i).locator('[data-testid="cell-delete"]').click();
    await setSql(page, 0, "SELECT 'one' AS first");
    await page.click('[data-testid="add-cell"]');
    await page.keyboard.insertText("SELECT 'two' AS second");
    expect(await editors.allTextContents()).toEqual(["SELECT 'one' AS first", "SELECT 'two' AS second"]);
    await cellAt(page, 1).locator('[data-testid="cell-move-up"]').click();
    expect(await editors.allTextContents()).toEqual(["SELECT 'two' AS second", "SELECT 'one' AS first"]);
    // Shift+Enter runs the cell and moves to the next one (a new cell after the last).
    await editors.nth(1).click();
    await page.keyboard.press("Shift+Enter");
    await waitCell(page, 1);
    expect(await cells.count()).toBe(3);
    await page.keyboard.insertText("SELECT 1 AS a;\nSELECT 2 AS b");
    // Run selection: only the selected second line.
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await cellAt(page, 2).locator('[data-testid="cell-run-selection"]').click();
    await waitCell(page, 2);
    expect((await readResults(page, 2)).map((r) => r.columns.map((c) => c.name))).toEqual([["b"]]);
    await page.click('[data-testid="run-all"]');
    await expect.poll(async () => (await readResults(page, 2)).length).toBe(2);
    expect((await readResults(page, 0))[0]!.rows).toEqual([["two"]]);
    expect((await readResults(page, 1))[0]!.rows).toEqual([["one"]]);
    // Reload: the cells come back.
    await reloaded();
    expect(await editors.allTextContents()).toEqual([
      "SELECT 'two' AS second",
      "SELECT 'one' AS first",
      "SELECT 1 AS a;SELECT 2 AS b",
    ]);
    // Export as .sql, delete a cell, import the file back.
    const download = page.waitForEvent("download");
    await page.click('[data-testid="notebook-export"]');
    const exported = readFileSync(await (await download).path(), "utf8");
    expect(exported).toBe(
      "-- %%\nSELECT 'two' AS second\n\n-- %%\nSELECT 'one' AS first\n\n-- %%\nSELECT 1 AS a;\nSELECT 2 AS b\n",
    );
    await cellAt(page, 0).locator('[data-testid="cell-delete"]').click();
    expect(await cells.count()).toBe(2);
    await page.setInputFiles('[data-testid="notebook-import"]', {
      name: "notebook.sql",
      mimeType: "application/sql",
      buffer: Buffer.from(exported),
    });
    await expect.poll(() => cells.count()).toBe(3);
    expect(await editors.nth(2).textContent()).toBe("SELECT 1 AS a;SELECT 2 AS b");
    if (name === "embedded") {
      await setSql(page, 0, "SELECT day, temp_max, temp_min FROM weather WHERE city_id = 2 ORDER BY day");
      await runCell(page, 0);
      await cellAt(page, 0).locator('[data-testid="result-chart-toggle"]').click();
      await expect.poll(() => cellAt(page, 0).locator('[data-testid="result-chart"] canvas').count()).toBe(1);
      // Dates on a time axis: the sample's three years, not the 1970s.
      expect(await cellAt(page, 0).locator('[data-testid="result-chart"]').getAttribute("data-x-range")).toBe(
        "2023-01-01 – 2025-12-31",
      );
      await page.screenshot({ path: screenshotPath });
      expect(readFileSync(screenshotPath).subarray(1, 4).toString()).toBe("PNG");
      if (!process.env.PG8000_UPDATE_SCREENSHOT) rmSync(screenshotPath);
    }
    await page.close();
  });

  it("connecting can be aborted", async () => {
    // A "bridge" that accepts TCP connections and never answers the WebSocket handshake.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const page = await target().open();
      await page.click('[data-testid="disconnect"]');
      await page.fill("input[name=bridge]", `ws://127.0.0.1:${port}/`);
      await page.click('[data-testid="connect"]');
      const status = page.locator('[data-testid="connection-status"]');
      await expect.poll(() => status.textContent()).toBe("Connecting…");
      expect(await page.textContent('[data-testid="connect"]')).toBe("Abort");
      await page.click('[data-testid="connect"]');
      await expect.poll(() => status.textContent()).toBe("Not connected: Connecting was aborted.");
      expect(await page.textContent('[data-testid="connect"]')).toBe("Connect");
      await page.close();
    } finally {
      silent.close();
    }
  });
});

describe("stopping npm start in front of your own server", () => {
  it("SIGTERM with a query running: the launcher cancels it on the server and exits within 5 s", async () => {
    const target = targets.cluster!;
    const page = await target.open();
    const marker = `stop_${suffix}`;
    await setSql(page, 0, `SELECT pg_sleep(60) AS ${marker}`);
    await cellAt(page, 0).locator('[data-testid="cell-run"]').click();
    const direct = await connect({ ...login, host: cluster.host, port: cluster.port, database: cluster.database });
    const running = async (): Promise<number> =>
      (
        await direct.run(
          "SELECT count(*)::int FROM pg_stat_activity WHERE state = 'active' AND query LIKE :q AND pid <> pg_backend_pid()",
          { q: `%${marker}%` },
        )
      )?.[0]?.[0] as number;
    try {
      await expect.poll(running, { timeout: 10_000 }).toBe(1);
      const { code, ms } = await target.launcher.stop("SIGTERM");
      expect(code).toBe(0);
      expect(ms).toBeLessThan(5000);
      // Without the cancel, the server would sleep on for a minute after the bridge closed.
      await expect.poll(running, { timeout: 3000 }).toBe(0);
    } finally {
      await direct.close();
      await page.close();
    }
  });
});
