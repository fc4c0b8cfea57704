// The installed tarball in Cloudflare's workerd (through miniflare): bundled for workers by Vite
// (the worker/browser export conditions, as wrangler resolves them), the codec imported as a
// WebAssembly.Module and passed as connect({ codec }), a query through the bridge.

import { copyFileSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Miniflare } from "miniflare";
import { build, type Rolldown } from "vite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { installPacked, type PackedProject } from "../package/packed.js";
import { clusterInfo } from "../setup/cluster-info.js";

const cluster = clusterInfo();
const sql = "SELECT 'héllo' AS greeting, 6 * 7 AS answer, ARRAY[1.5, 2.5]::float8[] AS xs";
let project: PackedProject;
let worker: Miniflare;
let modules: string[];

beforeAll(async () => {
  project = installPacked();
  copyFileSync(path.join(import.meta.dirname, "workerd-app/worker.js"), path.join(project.dir, "worker.js"));
  const wasm = path.join(project.dir, "node_modules/pg8000/build/codec.wasm");
  const result = (await build({
    root: project.dir,
    configFile: false,
    logLevel: "silent",
    resolve: { conditions: ["workerd", "worker", "browser", "module", "import", "default"] },
    build: {
      outDir: path.join(project.dir, "out-worker"),
      write: false,
      target: "es2022",
      minify: false,
      lib: { entry: path.join(project.dir, "worker.js"), formats: ["es"], fileName: "worker" },
      rolldownOptions: { output: { codeSplitting: false } },
    },
    plugins: [
      {
        name: "wasm-as-workerd-module",
        enforce: "pre",
        // workerd links .wasm imports as compiled modules itself: leave them to it.
        resolveId: (source: string) => (source.endsWith(".wasm") ? { id: "./codec.wasm", external: true } : null),
      },
    ],
  })) as Rolldown.RolldownOutput[];
  const chunks = result[0]!.output.filter((item) => item.type === "chunk");
  modules = chunks.flatMap((chunk) => chunk.moduleIds.map((id) => id.replace(/^.*\/node_modules\//, "")));
  worker = new Miniflare({
    compatibilityDate: "2025-09-01",
    modules: [
      { type: "ESModule", path: "worker.js", contents: chunks[0]!.code },
      { type: "CompiledWasm", path: "codec.wasm", contents: readFileSync(wasm) },
    ],
  });
  await worker.ready;
}, 180_000);

afterAll(async () => {
  await worker?.dispose();
  project?.remove();
});

describe("workerd", () => {
  it("is bundled without the Node transport", () => {
    expect(modules).toContain("pg8000/dist/transport/node-unavailable.js");
    expect(modules).not.toContain("pg8000/dist/transport/node.js");
  });

  const query = async (passCodec: boolean): Promise<unknown> => {
    const options = { user: cluster.users.trust.user, database: cluster.database, bridge: inject("bridge") };
    const response = await worker.dispatchFetch("http://worker/", {
      method: "POST",
      body: JSON.stringify({ options, sql, passCodec }),
    });
    return response.json();
  };

  it("runs a query through the bridge with the codec imported as a module", async () => {
    expect(await query(true)).toEqual({ rows: [["héllo", 42, [1.5, 2.5]]] });
  });

  it("without connect({ codec }), says how to give it", async () => {
    const { error } = (await query(false)) as { error: string };
    expect(error).toMatch(/^InterfaceError: cannot load the WASM codec/);
    expect(error).toContain("import pg8000/codec.wasm as a WebAssembly.Module and pass it as connect({ codec })");
  });
});
