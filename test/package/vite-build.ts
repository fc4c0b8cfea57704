// `vite build` of a small browser app in a consumer project, recording every warning Vite
// prints and what ends up in each output chunk.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { build, createLogger, type InlineConfig, type Rolldown } from "vite";

export interface ViteBuild {
  warnings: string[];
  /** Node built-ins the bundle reached (Vite would stub them for browsers), with their importers. */
  nodeImports: string[];
  /** Output files (relative to the out dir) with their sizes. */
  files: { name: string; bytes: number; gzip: number }[];
  /** JavaScript chunk → the modules in it (paths inside node_modules where they come from there). */
  chunks: Map<string, string[]>;
  /** The chunks loaded on start: the entry and its static imports. */
  initial: string[];
  outDir: string;
}

/** Builds `<dir>/<html>` (one page or several) for browsers into `<dir>/out-<first page's name>`. */
export async function viteBuild(dir: string, html: string | string[], extra: InlineConfig = {}): Promise<ViteBuild> {
  const pages = typeof html === "string" ? [html] : html;
  const warnings: string[] = [];
  const nodeImports: string[] = [];
  const logger = createLogger("warn", { allowClearScreen: false });
  logger.warn = (message) => warnings.push(message);
  logger.warnOnce = (message) => warnings.push(message);
  logger.error = (message) => warnings.push(message);
  const outDir = path.join(dir, `out-${path.basename(pages[0]!, ".html")}`);
  const result = await build({
    ...extra,
    root: dir,
    configFile: false,
    logLevel: "warn",
    customLogger: logger,
    build: {
      outDir,
      emptyOutDir: true,
      target: "es2022",
      rolldownOptions: {
        input: pages.map((page) => path.join(dir, page)),
        // "the build took long" notes depend on the machine's load, not on the package.
        checks: { bundlerTimings: false },
        onLog: (level, log) => {
          if (level === "warn") warnings.push(log.message);
        },
      },
    },
    plugins: [
      {
        name: "record-node-imports",
        enforce: "pre",
        // Sees every import before Vite swaps Node built-ins for its empty browser stub.
        resolveId(source: string, importer: string | undefined) {
          if (/^node:|^(net|tls|fs|fs\/promises|crypto|stream|buffer|path|os|http|https|dns|zlib)$/.test(source)) {
            nodeImports.push(`${source} from ${importer?.replace(/^.*\/node_modules\//, "")}`);
          }
          return null;
        },
      },
    ],
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunks = new Map<string, string[]>();
  const files: ViteBuild["files"] = [];
  const imports = new Map<string, string[]>();
  let entry = "";
  for (const output of outputs) {
    for (const item of output.output) {
      const bytes = readFileSync(path.join(outDir, item.fileName));
      files.push({ name: item.fileName, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
      if (item.type === "chunk") {
        chunks.set(
          item.fileName,
          item.moduleIds.map((id) => id.replace(/^.*\/node_modules\//, "")),
        );
        imports.set(item.fileName, item.imports);
        if (item.isEntry && entry === "") entry = item.fileName;
      }
    }
  }
  const initial: string[] = [];
  const visit = (name: string): void => {
    if (initial.includes(name)) return;
    initial.push(name);
    for (const next of imports.get(name) ?? []) visit(next);
  };
  visit(entry);
  return { warnings, nodeImports, files, chunks, initial, outDir };
}
