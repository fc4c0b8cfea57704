// What the browser tests stand on: Debian's Chromium (installed by the test setup when missing
// and possible), the notebook built by Vite into a temp dir, a static HTTP server for it, and
// Chromium driven by playwright-core with a fresh profile.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { build, type Rolldown } from "vite";
import { ensureDebianPackages } from "../tools/provision.js";

const root = path.resolve(import.meta.dirname, "../..");
export const CHROMIUM = process.env.PG8000_TEST_CHROMIUM ?? "/usr/bin/chromium";

/** Installs Debian's chromium when it is missing (root with apt-get only); otherwise says what to do. */
export async function ensureChromium(): Promise<string> {
  if (!existsSync(CHROMIUM)) await ensureDebianPackages([]);
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium), ` +
        "run the tests as root on a machine with apt-get so the setup installs it, or set PG8000_TEST_CHROMIUM to a Chromium binary",
    );
  }
  return CHROMIUM;
}

export interface NotebookBuild {
  dir: string;
  files: string[];
  /** Modules Vite replaced by its empty browser stub, e.g. "node:net", with who imports them. */
  externalized: { module: string; importer: string }[];
  /** Output chunk file → the source modules (relative to the repository) in it. */
  chunks: Map<string, string[]>;
}

/** `vite build` of web-demo/ into a fresh temp dir. */
export async function buildNotebook(): Promise<NotebookBuild> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pg8000-notebook-"));
  const externalized: NotebookBuild["externalized"] = [];
  const result = await build({
    configFile: path.join(root, "web-demo/vite.config.ts"),
    logLevel: "silent",
    build: { outDir: dir, emptyOutDir: true },
    plugins: [
      {
        name: "record-node-imports",
        enforce: "pre",
        // Sees every import before Vite swaps Node built-ins for its empty browser stub.
        resolveId(source: string, importer: string | undefined) {
          if (
            /^node:|^(net|tls|fs|fs\/promises|crypto|stream|buffer|path|os|http|https|child_process|dns|zlib)$/.test(
              source,
            )
          ) {
            externalized.push({ module: source, importer: path.relative(root, importer ?? "?") });
          }
          return null;
        },
      },
    ],
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunks = new Map<string, string[]>();
  for (const output of outputs) {
    for (const item of output.output) {
      if (item.type === "chunk")
        chunks.set(
          item.fileName,
          item.moduleIds.map((id) => path.relative(root, id)),
        );
    }
  }
  const files = listFiles(dir);
  return { dir, files, externalized, chunks };
}

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
};

/** A throwaway self-signed certificate for 127.0.0.1 (PEM), for a wss:// bridge. */
export function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pg8000-wss-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "pipe" },
    );
    return {
      cert: readFileSync(path.join(dir, "cert.pem"), "utf8"),
      key: readFileSync(path.join(dir, "key.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface StaticServer {
  origin: string;
  /** Every path requested so far. */
  requested: string[];
  close(): Promise<void>;
}

/** Serves `dir` over HTTP on 127.0.0.1 (fetching .wasm needs http and application/wasm). */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const requested: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requested.push(url.pathname);
    const file = path.join(dir, path.normalize(url.pathname === "/" ? "/index.html" : url.pathname));
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requested,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile; flags that keep it off the (closed) network. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), "pg8000-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    // The wss:// test serves a certificate made on the spot, which no CA vouches for.
    ignoreHTTPSErrors: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
