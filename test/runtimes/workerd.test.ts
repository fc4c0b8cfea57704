// The installed tarball in Cloudflare's workerd (through miniflare), bundled by Vite with the
// export conditions wrangler uses (the codec then comes in as a linked .wasm module) and with
// only the generic worker ones (then connect({ codec }) gives it); queries through the bridge.

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
let wasm: Buffer;

interface Bundled {
  worker: Miniflare;
  modules: string[];
}

/** Bundles worker.js for workers with these export conditions and starts it in workerd. */
async function startWorker(conditions: string[]): Promise<Bundled> {
  const result = (await build({
    root: project.dir,
    configFile: false,
    logLevel: "silent",
    resolve: { conditions: [...conditions, "module", "import", "default"] },
    build: {
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
        // workerd links .wasm imports as compiled modules itself, as wrangler arranges: leave them to it.
        resolveId: (source: string) => (source.endsWith(".wasm") ? { id: "./codec.wasm", external: true } : null),
      },
    ],
  })) as Rolldown.RolldownOutput[];
  const chunks = result[0]!.output.filter((item) => item.type === "chunk");
  const worker = new Miniflare({
    compatibilityDate: "2025-09-01",
    modules: [
      { type: "ESModule", path: "worker.js", contents: chunks[0]!.code },
      { type: "CompiledWasm", path: "codec.wasm", contents: wasm },
    ],
  });
  await worker.ready;
  return { worker, modules: chunks.flatMap((c) => c.moduleIds.map((id) => id.replace(/^.*\/node_modules\//, ""))) };
}

// wrangler's conditions, and those of a bundler that knows workers but not workerd.
let workerd: Bundled;
let genericWorker: Bundled;

beforeAll(async () => {
  project = installPacked();
  copyFileSync(path.join(import.meta.dirname, "workerd-app/worker.js"), path.join(project.dir, "worker.js"));
  wasm = readFileSync(path.join(project.dir, "node_modules/pg8000/build/codec.wasm"));
  workerd = await startWorker(["workerd", "worker", "browser"]);
  genericWorker = await startWorker(["worker", "browser"]);
}, 180_000);

afterAll(async () => {
  await workerd?.worker.dispose();
  await genericWorker?.worker.dispose();
  project?.remove();
});

async function query(bundle: Bundled, passCodec: boolean): Promise<unknown> {
  const options = { user: cluster.users.trust.user, database: cluster.database, bridge: inject("bridge") };
  const response = await bundle.worker.dispatchFetch("http://worker/", {
    method: "POST",
    body: JSON.stringify({ options, sql, passCodec }),
  });
  return response.json();
}

const expected = { rows: [["héllo", 42, [1.5, 2.5]]] };

describe("workerd", () => {
  it("is bundled without the Node transport", () => {
    expect(workerd.modules).toContain("pg8000/dist/transport/node-unavailable.js");
    expect(workerd.modules).not.toContain("pg8000/dist/transport/node.js");
    expect(workerd.modules).toContain("pg8000/dist/codec/wasm-workerd.js");
  });

  it("runs a query through the bridge, the codec linked by the bundle (no option)", async () => {
    expect(await query(workerd, false)).toEqual(expected);
  });

  it("runs a query with the codec imported as a module and passed as connect({ codec })", async () => {
    expect(await query(workerd, true)).toEqual(expected);
  });

  it("bundled without the workerd condition: connect({ codec }) works, and without it the error says how", async () => {
    expect(await query(genericWorker, true)).toEqual(expected);
    const { error } = (await query(genericWorker, false)) as { error: string };
    expect(error).toMatch(/^InterfaceError: cannot load the WASM codec/);
    expect(error).toContain("import pg8000/codec.wasm as a WebAssembly.Module and pass it as connect({ codec })");
  });
});
