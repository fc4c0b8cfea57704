// The installed tarball under Deno (the `deno` devDependency ships its binary): queries over
// TCP, through the bridge, and with connect({ codec }) given the WASM bytes.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { installPacked, type PackedProject, root } from "../package/packed.js";
import { clusterInfo } from "../setup/cluster-info.js";

const cluster = clusterInfo();
const sql = "SELECT 'héllo' AS greeting, 6 * 7 AS answer, ARRAY[1.5, 2.5]::float8[] AS xs";
const expected = [["héllo", 42, [1.5, 2.5]]];
let project: PackedProject;

beforeAll(() => {
  project = installPacked();
  copyFileSync(path.join(import.meta.dirname, "deno-app/main.mjs"), path.join(project.dir, "main.mjs"));
}, 180_000);

afterAll(() => project?.remove());

describe("Deno", () => {
  it("runs queries over TCP, through the bridge, and with the codec given as bytes", () => {
    const deno = path.join(root, "node_modules/.bin/deno");
    const denoDir = path.join(project.dir, ".deno");
    mkdirSync(denoDir);
    const user = cluster.users.trust.user;
    const args = {
      sql,
      tcp: { user, database: cluster.database, host: cluster.host, port: cluster.port },
      bridge: { user, database: cluster.database, bridge: inject("bridge") },
    };
    const out = execFileSync(deno, ["run", "--allow-all", "--quiet", "main.mjs", JSON.stringify(args)], {
      cwd: project.dir,
      encoding: "utf8",
      env: { ...process.env, DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    expect(JSON.parse(out)).toEqual({ tcp: expected, bridge: expected, codecBytes: expected });
  });
});
