// The package as a user gets it: `npm pack` of this checkout (after `npm run build`, which
// `npm test` runs first), installed from the tarball into a fresh temp project.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");
/** The repository's own TypeScript compiler, so consumers need none installed. */
export const tsc = path.join(root, "node_modules/.bin/tsc");

export interface PackedProject {
  /** The consumer project; node_modules/pg8000 is the installed tarball. */
  dir: string;
  tarball: string;
  /** Paths inside the tarball, as `npm pack` lists them. */
  files: { path: string; size: number }[];
  /** Compressed size of the tarball in bytes. */
  size: number;
  remove(): void;
}

/** Packs the package and installs the tarball (and its dependencies) into a new temp project. */
export function installPacked(packageJson: Record<string, unknown> = {}): PackedProject {
  if (!existsSync(path.join(root, "dist/index.js")) || !existsSync(path.join(root, "build/codec.wasm"))) {
    throw new Error("the package tests need the build: run `npm run build` first (npm test does)");
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "pg8000-consumer-"));
  const packDir = path.join(dir, "pack");
  mkdirSync(packDir);
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: root, encoding: "utf8" }),
  ) as { filename: string; size: number; files: { path: string; size: number }[] }[];
  const tarball = path.join(packDir, readdirSync(packDir)[0]!);
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module", ...packageJson }, null, 2),
  );
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", tarball], {
    cwd: dir,
    stdio: "pipe",
  });
  return {
    dir,
    tarball,
    files: packed!.files,
    size: packed!.size,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs the repository's tsc on a consumer project; returns its diagnostics ("" when clean). */
export function typeCheck(project: string): { ok: boolean; output: string } {
  try {
    execFileSync(tsc, ["-p", project], { encoding: "utf8", stdio: "pipe" });
    return { ok: true, output: "" };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}
