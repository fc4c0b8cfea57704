#!/usr/bin/env node
// `npm start`: the SQL notebook in your browser, talking to PostgreSQL through the pg8000 bridge.
//
// Without configuration an embedded PostgreSQL (PGlite, PostgreSQL 18 compiled to WebAssembly)
// runs in this process. A real server is used when DATABASE_URL is set, or with --host/--port
// (and --user/--database, which only prefill the notebook's login form; the password is typed
// there). Everything listens on 127.0.0.1; the bridge only accepts this notebook's origin and
// a token made for this run.
//
//   npm start                                   # embedded PostgreSQL
//   DATABASE_URL=postgresql://me@localhost/app npm start
//   npm start -- --host 127.0.0.1 --port 5432 --user postgres --http-port 8080

import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const _root = path.join(here, "..");

const { values: flags } = parseArgs({
  options: {
    host: { type: "string" },
    port: { type: "string" },
    user: { type: "string" },
    database: { type: "string" },
    "http-port": { type: "string", default: process.env.PORT ?? "5173" },
    "no-build": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), "utf8")
      .split("\n")
      .slice(1, 13)
      .join("\n")
      .replace(/^\/\/ ?/gm, ""),
  );
  process.exit(0);
}

const cleanups = [];
async function shutdown(code = 0) {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  const target = await databaseTarget();
  const { createBridge } = await import("../dist/bridge/index.js");
  const page = await serveNotebook(Number(flags["http-port"]));
  const token = randomBytes(24).toString("base64url");
  const bridge = await createBridge({
    listen: { host: "127.0.0.1", port: 0 },
    targets: { db: target.bridgeTarget },
    tokens: [token],
    origins: [page.origin, page.origin.replace("127.0.0.1", "localhost")],
    log: (event) => {
      if (event.level !== "info") console.error(`bridge: ${event.message ?? JSON.stringify(event)}`);
    },
  });
  cleanups.push(() => bridge.close());
  const fragment = new URLSearchParams({
    bridge: bridge.url,
    token,
    target: "db",
    user: target.user,
    connect: target.passwordless ? "1" : "0",
  });
  if (target.database) fragment.set("database", target.database);
  console.log(`\nPostgreSQL: ${target.description}`);
  console.log(`Bridge:     ${bridge.url} (target "db", token for this run only)`);
  console.log(`\n  SQL notebook → ${page.origin}/#${fragment}\n`);
  console.log("Open that address in your browser. Ctrl+C stops everything.");
} catch (err) {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}

/** Where the bridge should connect, from DATABASE_URL / flags, or an embedded PGlite. */
async function databaseTarget() {
  const url = process.env.DATABASE_URL;
  if (url) {
    const u = new URL(url);
    const port = Number(u.port || 5432);
    const host = decodeURIComponent(u.hostname) || "localhost";
    const sslmode = u.searchParams.get("sslmode");
    const tls = sslmode === "require" ? "require" : sslmode === "verify-full" ? "verify-full" : "disable";
    return {
      description: `${host}:${port} (from DATABASE_URL)`,
      bridgeTarget: tls === "disable" ? { host, port } : { host, port, tls },
      user: decodeURIComponent(u.username) || "postgres",
      database: decodeURIComponent(u.pathname.slice(1)) || undefined,
      passwordless: !u.password,
    };
  }
  if (flags.host || flags.port) {
    const host = flags.host ?? "localhost";
    const port = Number(flags.port ?? 5432);
    return {
      description: `${host}:${port}`,
      bridgeTarget: { host, port },
      user: flags.user ?? "postgres",
      database: flags.database,
      passwordless: false,
    };
  }
  console.log("No DATABASE_URL: starting an embedded PostgreSQL (PGlite)…");
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create();
  await db.exec(`
    CREATE TABLE book (id serial PRIMARY KEY, title text NOT NULL, published date, price numeric(6,2));
    INSERT INTO book (title, published, price) VALUES
      ('Ulysses', '1922-02-02', 14.99), ('Dubliners', '1914-06-15', 9.50), ('Finnegans Wake', '1939-05-04', 18.00);
  `);
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 });
  await server.start();
  cleanups.push(async () => {
    await server.stop();
    await db.close();
  });
  const [host, port] = server.getServerConn().split(":");
  return {
    description: `embedded PGlite on ${host}:${port} (in memory, with a sample table "book")`,
    bridgeTarget: { host, port: Number(port) },
    user: "postgres",
    database: "postgres",
    passwordless: true,
  };
}

/** Builds the notebook with Vite (unless --no-build and a build exists) and serves it. */
async function serveNotebook(port) {
  const dist = path.join(here, "dist");
  if (!flags["no-build"] || !existsSync(path.join(dist, "index.html"))) {
    const { build } = await import("vite");
    await build({ configFile: path.join(here, "vite.config.ts"), logLevel: "warn" });
  }
  const types = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript",
    ".css": "text/css",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
  };
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://x");
    const file = path.join(dist, path.normalize(pathname === "/" ? "/index.html" : decodeURIComponent(pathname)));
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  const listen = (p) =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port: p }, () => resolve(server.address().port));
    });
  let actual;
  try {
    actual = await listen(port);
  } catch (err) {
    if (err.code !== "EADDRINUSE") throw err;
    actual = await listen(0); // the usual port is taken: any free one
  }
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { origin: `http://127.0.0.1:${actual}` };
}
