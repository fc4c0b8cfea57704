// The package as users install it: what the tarball holds, that strict TypeScript projects
// type-check against it (browser: no @types at all; Node: @types/node and no DOM lib), and that
// ESM and CommonJS programs run it against the test cluster.

import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterInfo } from "../setup/cluster-info.js";
import { installPacked, type PackedProject, root, typeCheck } from "./packed.js";

const cluster = clusterInfo();
let project: PackedProject;

beforeAll(() => {
  project = installPacked();
}, 180_000);

afterAll(() => project?.remove());

const strict = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  skipLibCheck: false,
  noEmit: true,
  target: "es2022",
};

describe("the tarball", () => {
  it("holds the JavaScript, its declarations, the release codec, LICENSE, README and package.json only", () => {
    const paths = project.files.map((f) => f.path);
    const unexpected = paths.filter(
      (p) => !/^(package\.json|README\.md|LICENSE|build\/codec\.wasm|dist\/.+\.(js|d\.ts))$/.test(p),
    );
    expect(unexpected).toEqual([]);
    expect(paths).toContain("build/codec.wasm");
    expect(paths).toContain("dist/native/index.js");
    expect(paths.filter((p) => /debug|\.map$/.test(p))).toEqual([]);
  });

  it("has no JavaScript pointing at source maps it does not ship", () => {
    const withMaps = project.files
      .filter((f) => f.path.endsWith(".js"))
      .filter((f) =>
        readFileSync(path.join(project.dir, "node_modules/pg8000", f.path), "utf8").includes("sourceMappingURL"),
      );
    expect(withMaps.map((f) => f.path)).toEqual([]);
  });

  it("carries the BSD-3-Clause licence its package.json names", () => {
    const installed = path.join(project.dir, "node_modules/pg8000");
    const license = readFileSync(path.join(installed, "LICENSE"), "utf8");
    expect(license).toMatch(/^BSD 3-Clause License/);
    expect(license).toContain("Copyright (c) 2026, the pg8000 for TypeScript authors");
    const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(manifest.license).toBe("BSD-3-Clause");
    expect(manifest.sideEffects).toBe(false);
    // require(esm), which CommonJS users rely on, is on by default from these versions.
    expect(manifest.engines.node).toBe("^20.19.0 || >=22.12.0");
  });
});

describe("a strict TypeScript consumer", () => {
  // The declarations use Symbol.asyncDispose (Connection, Pool): such a project adds
  // esnext.disposable to its libs; Node projects have it from @types/node.
  it("type-checks a browser project (DOM lib, no @types) against pg8000, pg8000/native and pg8000/codec", () => {
    copyFileSync(path.join(import.meta.dirname, "consumer/browser.ts"), path.join(project.dir, "browser.ts"));
    const config = path.join(project.dir, "tsconfig.browser.json");
    writeFileSync(
      config,
      JSON.stringify({
        compilerOptions: {
          ...strict,
          lib: ["es2023", "esnext.disposable", "dom"],
          types: [],
          module: "esnext",
          moduleResolution: "bundler",
        },
        files: ["browser.ts"],
      }),
    );
    expect(typeCheck(config)).toEqual({ ok: true, output: "" });
  });

  it("type-checks a Node project (@types/node, no @types/ws, no DOM lib) against pg8000, pg8000/native, pg8000/codec and pg8000/bridge", () => {
    copyFileSync(path.join(import.meta.dirname, "consumer/node.ts"), path.join(project.dir, "node.ts"));
    const config = path.join(project.dir, "tsconfig.node.json");
    writeFileSync(
      config,
      JSON.stringify({
        compilerOptions: {
          ...strict,
          lib: ["es2023"],
          // The repository's @types/node, and only it.
          typeRoots: [path.join(root, "node_modules/@types")],
          types: ["node"],
          module: "nodenext",
          moduleResolution: "nodenext",
        },
        files: ["node.ts"],
      }),
    );
    expect(typeCheck(config)).toEqual({ ok: true, output: "" });
  });
});

describe("a program using the installed package", () => {
  const env = {
    ...process.env,
    PGT_HOST: cluster.host,
    PGT_PORT: String(cluster.port),
    PGT_USER: cluster.users.trust.user,
    PGT_DATABASE: cluster.database,
  };
  const query = "SELECT 'a' || 'b' AS s, 6 * 7 AS n";

  it("runs as an ES module", () => {
    writeFileSync(
      path.join(project.dir, "esm.mjs"),
      `import { connect } from "pg8000/native";
import * as dbapi from "pg8000";
const e = process.env;
const options = { host: e.PGT_HOST, port: Number(e.PGT_PORT), user: e.PGT_USER, database: e.PGT_DATABASE };
const con = await connect(options);
const rows = await con.run(${JSON.stringify(query)});
await con.close();
console.log(JSON.stringify({ rows, paramstyle: dbapi.paramstyle }));`,
    );
    const out = execFileSync(process.execPath, ["esm.mjs"], { cwd: project.dir, env, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ rows: [["ab", 42]], paramstyle: "format" });
  });

  it("runs from CommonJS with require()", () => {
    writeFileSync(
      path.join(project.dir, "cjs.cjs"),
      `const { connect, InterfaceError } = require("pg8000/native");
const e = process.env;
connect({ host: e.PGT_HOST, port: Number(e.PGT_PORT), user: e.PGT_USER, database: e.PGT_DATABASE })
  .then(async (con) => {
    const rows = await con.run(${JSON.stringify(query)});
    await con.close();
    console.log(JSON.stringify({ rows, errorClass: typeof InterfaceError }));
  });`,
    );
    const result = execFileSync(process.execPath, ["cjs.cjs"], { cwd: project.dir, env, encoding: "utf8" });
    expect(JSON.parse(result)).toEqual({ rows: [["ab", 42]], errorClass: "function" });
  });
});
