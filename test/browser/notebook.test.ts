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
  await expect.poll(() => page.textContent("#status")).toBe("Not connected");
  return page;
}

async function logIn(page: Page, password = login.password): Promise<void> {
  await page.fill("input[name=password]", password);
  await page.click("#connect");
  await expect.poll(() => page.textContent("#status"), { timeout: 10_000 }).toMatch(/^Connected to PostgreSQL \d+/);
}

interface Shown {
  headers: string[];
  rows: string[][];
  error: string | null;
  summary: string;
}

/** Types SQL into the notebook, clicks Run and reads what the page shows. */
async function runInNotebook(page: Page, sql: string): Promise<Shown> {
  await page.fill("#sql", sql);
  await page.click("#run");
  await expect.poll(() => page.isEnabled("#run"), { timeout: 20_000 }).toBe(true);
  return readResult(page);
}

async function readResult(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const table = document.querySelector("#rows") as HTMLTableElement;
    const error = document.querySelector("#error") as HTMLElement;
    return {
      headers: table.hidden ? [] : Array.from(table.tHead!.querySelectorAll("th"), (th) => th.textContent ?? ""),
      rows: table.hidden
        ? []
        : Array.from(table.tBodies[0]!.rows, (tr) => Array.from(tr.cells, (td) => td.textContent ?? "")),
      error: error.hidden ? null : error.textContent,
      summary: (document.querySelector("#summary") as HTMLOutputElement).value,
    };
  });
}

describe("the browser build", () => {
  it("bundles the WASM codec as its own asset; Node built-ins stay out of what the page loads", async () => {
    expect(notebook.files.filter((f) => f.endsWith(".wasm")).length).toBeGreaterThan(0);
    expect(notebook.files).toContain("index.html");
    // What Vite had to stub out for browsers, and where it comes from (all behind lazy imports).
    const stubbed = [...new Set(notebook.externalized.map((e) => `${e.module} ← ${e.importer}`))].sort();
    expect(stubbed).toEqual([
      "node:fs/promises ← src/codec/module.ts",
      "node:net ← src/transport/node.ts",
      "node:tls ← src/transport/node.ts",
    ]);
    const page = await openNotebook();
    await logIn(page);
    expect((await runInNotebook(page, "SELECT 1 AS one")).rows).toEqual([["1"]]);
    // The page ran a full session; the chunks holding Node code, Vite's stub or the `ws` package's
    // browser stub (the transport uses the global WebSocket) were never fetched.
    const nodeOnly = ["src/transport/node.ts", "__vite-browser-external", "node_modules/ws/"];
    const nodeChunks = [...notebook.chunks]
      .filter(([, modules]) => modules.some((m) => nodeOnly.some((n) => m.includes(n))))
      .map(([file]) => `/${file}`);
    expect(nodeChunks.length).toBeGreaterThanOrEqual(3);
    expect(server.requested.filter((p) => nodeChunks.includes(p))).toEqual([]);
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
      headers: ["who", "answer", "markup"],
      rows: [[login.user, "42", "a<b>&c"]],
      error: null,
      summary: expect.stringMatching(/^1 row in \d+ ms$/),
    });
    // Statements without rows, and several statements at once.
    expect((await runInNotebook(page, "CREATE TEMP TABLE t (x int)")).summary).toMatch(/^Done in \d+ ms$/);
    expect((await runInNotebook(page, "INSERT INTO t VALUES (1), (2), (3)")).summary).toMatch(
      /^Done in \d+ ms, 3 rows affected$/,
    );
    expect((await runInNotebook(page, "SELECT x FROM t ORDER BY x; SELECT 4")).rows).toEqual([
      ["1"],
      ["2"],
      ["3"],
      ["4"],
    ]);
    await page.close();
  });

  it("shows server errors with their class and SQLSTATE; the session goes on", async () => {
    const page = await openNotebook();
    await logIn(page);
    expect((await runInNotebook(page, "SELECT 1/0")).error).toBe("DataError [22012]: division by zero");
    expect((await runInNotebook(page, "SELECT * FROM nowhere")).error).toMatch(
      /^ProgrammingError \[42P01\]: relation "nowhere" does not exist/,
    );
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
        "2024-01-02T03:04:05.678Z",
        '{"k":[1,null]}',
        '["a","b"]',
        "1.10",
      ],
    ]);
    await page.close();
  });

  it("LISTEN: a NOTIFY sent from elsewhere appears in the page while it is idle", async () => {
    const page = await openNotebook();
    await logIn(page);
    await runInNotebook(page, "LISTEN notebook_channel");
    const other = await connect({ ...login, host: cluster.host, port: cluster.port, database: cluster.database });
    await other.run("SELECT pg_notify('notebook_channel', 'hello, browser')");
    await other.close();
    await expect
      .poll(() => page.textContent("#notifications"), { timeout: 10_000 })
      .toMatch(/^notebook_channel: hello, browser \(from backend \d+\)$/);
    await page.close();
  });

  it("Cancel stops a running query (CancelRequest over a second WebSocket) and the session goes on", async () => {
    const page = await openNotebook();
    await logIn(page);
    await page.fill("#sql", "SELECT pg_sleep(30)");
    const started = Date.now();
    await page.click("#run");
    await expect.poll(() => page.isEnabled("#cancel"), { timeout: 10_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    await page.click("#cancel");
    await expect.poll(() => page.isEnabled("#run"), { timeout: 10_000 }).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await readResult(page)).error).toBe("OperationalError [57014]: canceling statement due to user request");
    expect((await runInNotebook(page, "SELECT 'after cancel'")).rows).toEqual([["after cancel"]]);
    expect(bridgeLogs.some((e) => e.event === "close" && e.kind === "cancel" && e.code === 1000)).toBe(true);
    await page.close();
  });

  it("a wrong password and a refused token are shown with what to fix", async () => {
    const page = await openNotebook();
    await page.fill("input[name=password]", "wrong");
    await page.click("#connect");
    await expect
      .poll(() => page.textContent("#error"), { timeout: 10_000 })
      .toMatch(/^OperationalError \[28P01\]: password authentication failed/);
    await page.fill("input[name=token]", "p8b1.forged.token");
    await page.fill("input[name=password]", login.password);
    await page.click("#connect");
    await expect
      .poll(() => page.textContent("#error"), { timeout: 10_000 })
      .toBe(
        "OperationalError: the bridge refused the token: pass a valid bridge.token (a static token of the bridge, or a fresh one from mintToken) " +
          "(bridge close code 4401: token signature is not valid)",
      );
    expect(await page.textContent("#status")).toBe("Not connected");
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
      await page.click("#connect");
      await expect
        .poll(() => page.textContent("#error"), { timeout: 10_000 })
        .toMatch(
          new RegExp(
            `^OperationalError: the bridge refused this connection: .* \\(bridge close code 4403: origin ${server.origin.replace(/\./g, "\\.")} is not allowed by the bridge's origins\\)$`,
          ),
        );
      await page.close();
    } finally {
      await strict.close();
    }
  });
});
