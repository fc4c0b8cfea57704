// Builds the notebook page with Vite and serves it on 127.0.0.1. Each run builds into its own
// temporary directory (removed on stop), so two launchers never overwrite each other's page;
// `--no-build` serves web-demo/dist (from `npx vite build --config web-demo/vite.config.ts`).

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import os from "node:os";
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
  let dist = path.join(webDemo, "dist");
  let temporary = false;
  if (build || !existsSync(path.join(dist, "index.html"))) {
    dist = mkdtempSync(path.join(os.tmpdir(), "pg8000-notebook-page-"));
    temporary = true;
    const vite = await import("vite");
    await vite.build({
      configFile: path.join(webDemo, "vite.config.ts"),
      logLevel: "error",
      build: { outDir: dist, emptyOutDir: true },
    });
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
        server.close(() => {
          if (temporary) rmSync(dist, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
