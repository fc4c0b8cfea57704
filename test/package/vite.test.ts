// A browser app built by Vite from the installed tarball: no warnings, no Node built-ins or
// Node transport in the bundle, the release codec as the only WASM asset, @noble/hashes only in
// chunks loaded on demand, and an app that imports identifier() alone gets nothing else.

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installPacked, type PackedProject, root } from "./packed.js";
import { type ViteBuild, viteBuild } from "./vite-build.js";

let project: PackedProject;
let app: ViteBuild;

beforeAll(async () => {
  project = installPacked();
  writeFileSync(path.join(project.dir, "index.html"), `<script type="module" src="./app.js"></script>\n`);
  writeFileSync(
    path.join(project.dir, "app.js"),
    `import { connect } from "pg8000/native";
const con = await connect({ user: "app", bridge: { url: "ws://127.0.0.1:1/", token: "t" } });
console.log(await con.run("SELECT 1"));
`,
  );
  writeFileSync(path.join(project.dir, "quote.html"), `<script type="module" src="./quote.js"></script>\n`);
  writeFileSync(
    path.join(project.dir, "quote.js"),
    `import { identifier } from "pg8000/native";\ndocument.title = identifier("a b");\n`,
  );
  app = await viteBuild(project.dir, "index.html");
}, 180_000);

afterAll(() => project?.remove());

describe("vite build of an app using pg8000/native", () => {
  it("prints no warnings on the command line", () => {
    const vite = path.join(root, "node_modules/vite/bin/vite.js");
    const output = execFileSync(process.execPath, [vite, "build", "--outDir", "out-cli"], {
      cwd: project.dir,
      encoding: "utf8",
      stdio: "pipe",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(output).toMatch(/built in/);
    expect(output).not.toMatch(/warn|externalized|browser compatibility/i);
  });

  it("reaches no Node built-in and carries no Node transport", () => {
    expect(app.warnings).toEqual([]);
    expect(app.nodeImports).toEqual([]);
    const modules = [...app.chunks.values()].flat();
    // node-unavailable.js is what #node-transport resolves to for browsers: it only throws.
    // The rest is the WebSocket transport: its address, close codes and inflating.
    expect(modules.filter((m) => m.startsWith("pg8000/dist/transport/")).sort()).toEqual([
      "pg8000/dist/transport/bridge-address.js",
      "pg8000/dist/transport/bridge-close.js",
      "pg8000/dist/transport/inflate.js",
      "pg8000/dist/transport/node-unavailable.js",
      "pg8000/dist/transport/websocket.js",
    ]);
    // The bridge transport falls back to the ws package where there is no global WebSocket
    // (Node 20); browsers get its stub, in a chunk of its own that the page never loads.
    const initialModules = app.initial.flatMap((chunk) => app.chunks.get(chunk) ?? []);
    expect(initialModules.filter((m) => m.startsWith("ws/"))).toEqual([]);
  });

  it("emits the release codec and not the debug build", () => {
    const wasm = app.files.filter((f) => f.name.endsWith(".wasm"));
    expect(wasm.map((f) => f.name)).toEqual([expect.stringMatching(/^assets\/codec-[\w-]+\.wasm$/)]);
    expect(wasm[0]!.bytes).toBe(readFileSync(path.join(root, "build/codec.wasm")).length);
  });

  it("loads @noble/hashes only on demand (pages without WebCrypto)", () => {
    const initialModules = app.initial.flatMap((chunk) => app.chunks.get(chunk) ?? []);
    expect(initialModules.some((m) => m.startsWith("pg8000/dist/core/auth/"))).toBe(true);
    expect(initialModules.filter((m) => m.startsWith("@noble/"))).toEqual([]);
    expect([...app.chunks.values()].flat().some((m) => m.startsWith("@noble/hashes/"))).toBe(true);
  });
});

describe("vite build of an app importing only identifier()", () => {
  it("bundles identifier() and the error classes it throws, nothing else", async () => {
    const quote = await viteBuild(project.dir, "quote.html");
    expect(quote.warnings).toEqual([]);
    const modules = [...quote.chunks.values()].flat();
    expect(modules.filter((m) => m.startsWith("pg8000/"))).toEqual(
      expect.arrayContaining(["pg8000/dist/native/identifier.js"]),
    );
    expect(modules.filter((m) => /pg8000\/dist\/(core|codec|transport|protocol|types)\//.test(m))).toEqual([]);
    // (Vite still copies codec.wasm into the output: it registers the asset when it transforms
    // the module, before tree-shaking drops it. The page never fetches it.)
    const js = quote.files.filter((f) => f.name.endsWith(".js")).reduce((sum, f) => sum + f.bytes, 0);
    expect(js).toBeLessThan(3000);
  });
});
