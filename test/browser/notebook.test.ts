// The SQL notebook (web-demo/) built by Vite, in real Chromium, through a real bridge, to the
// real cluster with SCRAM: queries, types, COPY, LISTEN/NOTIFY, cancel, refusals.

import { readFileSync, rmSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Bridge, type BridgeLogEvent, createBridge, mintToken } from "../../bridge/index.js";
import { connect } from "../../src/native/index.js";
import { clusterInfo } from "../tools/cluster-info.js";
import {
  type Browser,
  buildNotebook,
  ensureChromium,
  launchChromium,
  type NotebookBuild,
  type StaticServer,
  selfSignedCertificate,
  serveStatic,
} from "./harness.js";
import { readResults, type ShownResult, setSql, typeAndRun, waitConnected } from "./notebook-page.js";

const cluster = clusterInfo();
const SECRET = "browser-test-secret-0123456789abcdef0123456789";
const login = cluster.users.scram;

let notebook: NotebookBuild;
let server: StaticServer;
let bridge: Bridge;
const bridgeLogs: BridgeLogEvent[] = [];
let browser: Browser;
/** Uncaught exceptions and console errors of every page, checked after each test. */
let pageProblems: string[] = [];

beforeAll(async () => {
  const [chromium, built] = await Promise.all([ensureChromium(), buildNotebook()]);
  notebook = built;
  server = await serveStatic(notebook.dir);
  bridge = await createBridge({
    listen: { host: "127.0.0.1", port: 0 },
    targets: {
      main: { host: cluster.host, port: cluster.port },
      verified: {
        host: cluster.host,
        port: cluster.port,
        tls: { mode: "verify-full", ca: readFileSync(cluster.caCertPath, "utf8") },
      },
    },
    tokenSecret: SECRET,
    origins: [server.origin],
    log: (e) => bridgeLogs.push(e),
  });
  browser = await launchChromium(chromium);
  // apt-get may have to install Chromium first.
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await server?.close();
  if (notebook) rmSync(notebook.dir, { recursive: true, force: true });
});

afterEach(() => {
  const problems = pageProblems;
  pageProblems = [];
  expect(problems).toEqual([]);
});

/** Opens the notebook with the connection fields prefilled from the URL fragment. */
async function openNotebook(fields: Record<string, string> = {}): Promise<Page> {
  const page = await browser.context.newPage();
  page.on("pageerror", (err) => pageProblems.push(`uncaught: ${err.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") pageProblems.push(`console: ${m.text()}`);
  });
  const hash = new URLSearchParams({
    bridge: bridge.url,
    token: mintToken({ secret: SECRET, target: "main", expiresIn: 120 }),
    user: login.user,
    database: cluster.database,
    ...fields,
  });
  await page.goto(`${server.origin}/#${hash}`);
  await expect.poll(() => page.textContent(STATUS)).toBe("Not connected");
  return page;
}

const STATUS = '[data-testid="connection-status"]';

async function logIn(page: Page, password = login.password): Promise<void> {
  await page.fill("input[name=password]", password);
  await page.click('[data-testid="connect"]');
  await waitConnected(page, 10_000);
}

/** Types SQL into the first cell, runs it and reads its first result. */
async function runInNotebook(page: Page, sql: string): Promise<ShownResult> {
  const [first] = await typeAndRun(page, 0, sql);
  return first!;
}

describe("the browser build", () => {
  it("bundles the release WASM codec as its own asset; no Node built-in or Node transport in the build", async () => {
    expect(notebook.files.filter((f) => f.endsWith(".wasm"))).toEqual([expect.stringMatching(/codec-[\w-]+\.wasm$/)]);
    expect(notebook.files).toContain("index.html");
    // package.json "imports" give browsers transport/node-unavailable.ts and codec/wasm-web.ts:
    // Vite has nothing to stub.
    expect(notebook.externalized).toEqual([]);
    const nodeOnly = ["src/transport/node.ts", "src/codec/wasm-node.ts", "__vite-browser-external"];
    const chunksWith = (names: string[]): string[] =>
      [...notebook.chunks]
        .filter(([, modules]) => modules.some((m) => names.some((n) => m.includes(n))))
        .map(([file]) => `/${file}`);
    expect(chunksWith(nodeOnly)).toEqual([]);
    const page = await openNotebook();
    await logIn(page);
    expect((await runInNotebook(page, "SELECT 1 AS one")).rows).toEqual([["1"]]);
    // The page ran a full session; the chunk with the `ws` package's browser stub (the transport
    // uses the global WebSocket) was never fetched.
    const wsChunks = chunksWith(["node_modules/ws/"]);
    expect(wsChunks.length).toBe(1);
    expect(server.requested.filter((p) => wsChunks.includes(p))).toEqual([]);
    expect(server.requested.some((p) => p.endsWith(".wasm"))).toBe(true);
    await page.close();
  });
});

describe("the notebook in Chromium", () => {
  it("logs in with SCRAM through the bridge and shows a result table", async () => {
    const page = await openNotebook();
    await logIn(page);
    const shown = await runInNotebook(page, "SELECT current_user AS who, 6 * 7 AS answer, 'a<b>&c' AS markup");
    expect(shown).toEqual({
      columns: [
        { name: "who", type: "name" },
        { name: "answer", type: "int4" },
        { name: "markup", type: "text" },
      ],
      rows: [[login.user, "42", "a<b>&c"]],
      rowcount: "1",
      summary: expect.stringMatching(/^1 row in \d+ ms$/),
      error: null,
    });
    // Statements without rows, and several statements at once: one result each.
    const several = await typeAndRun(
      page,
      0,
      "CREATE TEMP TABLE t (x int); INSERT INTO t VALUES (1), (2), (3); WITH s AS (SELECT 5) INSERT INTO t SELECT 5 FROM s; DELETE FROM t WHERE x = 5; SELECT x FROM t ORDER BY x; SELECT 4 AS four",
    );
    expect(several.map((r) => r.summary)).toEqual([
      expect.stringMatching(/^Done in \d+ ms$/),
      expect.stringMatching(/^3 rows affected in \d+ ms$/),
      // WITH … INSERT streams like a query (it may return rows): its count comes from the tag.
      expect.stringMatching(/^1 row affected in \d+ ms$/),
      expect.stringMatching(/^1 row affected in \d+ ms$/),
      expect.stringMatching(/^3 rows in \d+ ms$/),
      expect.stringMatching(/^1 row in \d+ ms$/),
    ]);
    expect(several.slice(4).map((r) => [r.columns.map((c) => c.name), r.rows])).toEqual([
      [["x"], [["1"], ["2"], ["3"]]],
      [["four"], [["4"]]],
    ]);
    await page.close();
  });

  it("shows server errors with their class and SQLSTATE; the session goes on", async () => {
    const page = await openNotebook();
    await logIn(page);
    expect((await runInNotebook(page, "SELECT 1/0")).error).toEqual({
      sqlstate: "22012",
      text: "DataError · 22012 (data exception)division by zero",
    });
    expect((await runInNotebook(page, "SELECT * FROM nowhere")).error).toEqual({
      sqlstate: "42P01",
      text: 'ProgrammingError · 42P01 (syntax error or access rule violation)relation "nowhere" does not exist',
    });
    expect((await runInNotebook(page, "SELECT 'fine'")).rows).toEqual([["fine"]]);
    await page.close();
  });

  it("renders types as psql would, where JavaScript allows", async () => {
    const page = await openNotebook();
    await logIn(page);
    const shown = await runInNotebook(
      page,
      "SELECT 9007199254740993::int8 AS i8, 1.5::float8 AS f8, true AS b, NULL AS n, '\\x00ff'::bytea AS raw, " +
        "'2024-02-29'::date AS d, '2024-01-02T03:04:05.678Z'::timestamptz AS ts, '{\"k\": [1, null]}'::jsonb AS j, " +
        "ARRAY['a', 'b'] AS arr, '1.10'::numeric AS num",
    );
    expect(shown.rows).toEqual([
      [
        "9007199254740993",
        "1.5",
        "true",
        "NULL",
        "\\x00ff",
        "2024-02-29",
        "2024-01-02 03:04:05.678Z",
        '{"k": [1, null]}',
        '["a","b"]',
        "1.10",
      ],
    ]);
    await page.close();
  });

  it("LISTEN: a NOTIFY sent from elsewhere appears in the page while it is idle", async () => {
    const page = await openNotebook();
    await logIn(page);
    await page.fill('[data-testid="listen-channel"]', "notebook_channel");
    await page.click('[data-testid="listen-start"]');
    await expect.poll(() => page.textContent(".channels")).toBe("Listening to: notebook_channel");
    const other = await connect({ ...login, host: cluster.host, port: cluster.port, database: cluster.database });
    await other.run("SELECT pg_notify('notebook_channel', 'hello, browser')");
    await other.close();
    await expect
      .poll(() => page.textContent('[data-testid="notification"]'), { timeout: 10_000 })
      .toMatch(/^\S+ notebook_channel: hello, browser \(from backend \d+\)$/);
    await page.close();
  });

  it("Cancel stops a running query (CancelRequest over a second WebSocket) and the session goes on", async () => {
    const page = await openNotebook();
    await logIn(page);
    await setSql(page, 0, "SELECT pg_sleep(30)");
    const started = Date.now();
    await page.click('[data-testid="cell-run"]');
    await expect.poll(() => page.isEnabled('[data-testid="cell-cancel"]'), { timeout: 10_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    await page.click('[data-testid="cell-cancel"]');
    await expect
      .poll(() => page.textContent('[data-testid="cell-status"]'), { timeout: 10_000 })
      .toMatch(/^cancelled in/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await readResults(page, 0))[0]!.error).toEqual({
      sqlstate: "57014",
      text: "OperationalError · 57014 (operator intervention)canceling statement due to user request",
    });
    expect((await runInNotebook(page, "SELECT 'after cancel'")).rows).toEqual([["after cancel"]]);
    expect(bridgeLogs.some((e) => e.event === "close" && e.kind === "cancel" && e.code === 1000)).toBe(true);
    await page.close();
  });

  it("results reach the page compressed by the bridge and come out whole", async () => {
    const page = await openNotebook();
    await logIn(page);
    const before = bridgeLogs.length;
    // Numbers and dates: rows that shrink well over the bridge's 2.5× threshold.
    const shown = await runInNotebook(
      page,
      "SELECT i, i * 1000 AS k, date '2024-01-01' + i AS d, i % 7 = 0 AS b FROM generate_series(1, 100000) i",
    );
    expect(shown.rowcount).toBe("100,000");
    expect(shown.rows[0]).toEqual(["1", "1000", "2024-01-02", "false"]);
    await page.close();
    await expect
      .poll(() => bridgeLogs.slice(before).find((e) => e.event === "close" && e.kind === "query"), { timeout: 10_000 })
      .toBeTruthy();
    const session = bridgeLogs.slice(before).find((e) => e.event === "close" && e.kind === "query")!;
    expect(Number(session.bytesToClient)).toBeGreaterThan(3_000_000);
    expect(Number(session.compressedTo)).toBeLessThan(Number(session.bytesToClient) / 2.5);
  });

  it("a wrong password and a refused token are shown with what to fix", async () => {
    const page = await openNotebook();
    await page.fill("input[name=password]", "wrong");
    await page.click('[data-testid="connect"]');
    await expect
      .poll(() => page.textContent(STATUS), { timeout: 10_000 })
      .toMatch(/^Not connected: password authentication failed for user/);
    await page.fill("input[name=token]", "p8b1.forged.token");
    await page.fill("input[name=password]", login.password);
    await page.click('[data-testid="connect"]');
    await expect
      .poll(() => page.textContent(STATUS), { timeout: 10_000 })
      .toBe(
        "Not connected: This page's token is not valid for this server: open the address npm start printed most recently.",
      );
    await page.close();
  });
});

describe("pg8000/native in the page (the browser console API)", () => {
  /** Runs `body` in the page with a connection through the bridge; returns what it returns. */
  async function inPage<T>(page: Page, body: string, target = "main"): Promise<T> {
    const token = mintToken({ secret: SECRET, target, expiresIn: 120 });
    return page.evaluate(
      async ({ options, body }) => {
        const pg = (globalThis as unknown as { pg8000: { connect(o: unknown): Promise<{ close(): Promise<void> }> } })
          .pg8000;
        const con = await pg.connect(options);
        try {
          // eslint-disable-next-line @typescript-eslint/no-implied-eval
          return await (
            new Function("con", "pg", `return (async () => { ${body} })()`) as (c: unknown, p: unknown) => Promise<T>
          )(con, pg);
        } finally {
          await con.close();
        }
      },
      { options: { ...login, database: cluster.database, bridge: { url: bridge.url, token } }, body },
    );
  }

  it("types keep their JavaScript classes in the browser", async () => {
    const page = await openNotebook();
    const got = await inPage<unknown[]>(
      page,
      `const [row] = await con.run("SELECT 9007199254740993::int8, '\\\\x0102'::bytea, '2024-01-02T03:04:05Z'::timestamptz, " +
         "'{\\"a\\":1}'::jsonb, '[1,3)'::int4range, '1 day 2 hours'::interval, 'a1b2c3d4-0000-0000-0000-000000000001'::uuid, 2.5::float4");
       return [typeof row[0], String(row[0]), row[1] instanceof Uint8Array, Array.from(row[1]), row[2] instanceof Date, row[2].toISOString(),
               row[3], row[4] instanceof pg.Range, row[5] instanceof pg.PGInterval, row[6], row[7]];`,
    );
    expect(got).toEqual([
      "bigint",
      "9007199254740993",
      true,
      [1, 2],
      true,
      "2024-01-02T03:04:05.000Z",
      { a: 1 },
      true,
      true,
      "a1b2c3d4-0000-0000-0000-000000000001",
      2.5,
    ]);
    await page.close();
  });

  it("parameters, prepared statements and TLS from the bridge (verify-full target)", async () => {
    const page = await openNotebook();
    const got = await inPage<unknown[]>(
      page,
      `const a = await con.run("SELECT :x::int + 1, :s::text", { x: 41, s: "é ✓" });
       const ps = await con.prepare("SELECT $1::int * 2");
       const b = await ps.run([21]);
       await ps.close();
       const [[ssl]] = await con.run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
       return [a, b, ssl];`,
      "verified",
    );
    expect(got).toEqual([[[42, "é ✓"]], [[42]], true]);
    await page.close();
  });

  it("COPY in and out in the browser (string, ReadableStream, { write })", async () => {
    const page = await openNotebook();
    const got = await inPage<unknown[]>(
      page,
      `await con.run("CREATE TEMP TABLE c (id int, name text)");
       await con.run("COPY c FROM STDIN", null, { stream: "1\\tone\\n2\\ttwo\\n" });
       const encoder = new TextEncoder();
       const source = new ReadableStream({ start(c) { c.enqueue(encoder.encode("3\\tthree\\n")); c.close(); } });
       await con.run("COPY c FROM STDIN", null, { stream: source });
       const chunks = [];
       await con.run("COPY (SELECT * FROM c ORDER BY id) TO STDOUT WITH (FORMAT csv)", null, { stream: { write: (chunk) => { chunks.push(chunk); } } });
       const text = chunks.map((c) => typeof c === "string" ? c : new TextDecoder().decode(c)).join("");
       const [[count]] = await con.run("SELECT count(*) FROM c");
       return [text, typeof count, String(count)];`,
    );
    expect(got).toEqual(["1,one\n2,two\n3,three\n", "bigint", "3"]);
    await page.close();
  });

  it("wss:// to a bridge that serves TLS itself", async () => {
    const secure = await createBridge({
      listen: { host: "127.0.0.1", port: 0, tls: selfSignedCertificate() },
      targets: { main: { host: cluster.host, port: cluster.port } },
      tokenSecret: SECRET,
      origins: [server.origin],
      log: false,
    });
    try {
      expect(secure.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await openNotebook({ bridge: secure.url });
      await logIn(page);
      expect((await runInNotebook(page, "SELECT 'over wss'")).rows).toEqual([["over wss"]]);
      await page.close();
    } finally {
      await secure.close();
    }
  });

  it("a page from an origin the bridge does not allow is refused with 4403", async () => {
    const strict = await createBridge({
      listen: { host: "127.0.0.1", port: 0 },
      targets: { main: { host: cluster.host, port: cluster.port } },
      tokenSecret: SECRET,
      origins: ["https://app.example.com"],
      log: false,
    });
    try {
      const page = await openNotebook({ bridge: strict.url });
      await page.fill("input[name=password]", login.password);
      await page.click('[data-testid="connect"]');
      await expect
        .poll(() => page.textContent(STATUS), { timeout: 10_000 })
        .toMatch(
          new RegExp(
            `^Not connected: the bridge refused this connection: .* \\(bridge close code 4403: origin ${server.origin.replace(/\./g, "\\.")} is not allowed by the bridge's origins\\)$`,
          ),
        );
      await page.close();
    } finally {
      await strict.close();
    }
  });
});
