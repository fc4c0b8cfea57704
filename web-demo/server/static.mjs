// Builds the notebook page with Vite (unless told to reuse the last build) and serves it on
// 127.0.0.1. Only files of the build are served.

import { existsSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const webDemo = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export async function serveNotebook({ port, build = true }) {
  const dist = path.join(webDemo, "dist");
  if (build || !existsSync(path.join(dist, "index.html"))) {
    const vite = await import("vite");
    await vite.build({ configFile: path.join(webDemo, "vite.config.ts"), logLevel: "warn" });
  }
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://x");
    const file = path.join(dist, path.normalize(pathname === "/" ? "/index.html" : decodeURIComponent(pathname)));
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
    });
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
    console.log(`Port ${port} is taken: serving the notebook on another one.`);
    actual = await listen(0);
  }
  return {
    origin: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
