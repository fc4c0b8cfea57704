// A static HTTP server for a built app, with per-page response headers (a CSP for one page).

import { existsSync, readFileSync, statSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
};

export interface Served {
  origin: string;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1; `headers` maps a path ("/strict.html") to extra response headers. */
export async function serve(dir: string, headers: Record<string, Record<string, string>> = {}): Promise<Served> {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    const file = path.join(dir, path.normalize(pathname === "/" ? "/index.html" : pathname));
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": "no-store",
      ...headers[pathname],
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
