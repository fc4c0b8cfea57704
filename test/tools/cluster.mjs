// A PostgreSQL server for the benchmarks and other scripts outside vitest: a throwaway cluster made
// with the same provisioning code as the tests (./provision.ts, compiled on the fly with the project's tsc), or an
// existing server named by PG8000_BENCH_URL (a postgresql:// URL, trust or password auth) or by
// PG8000_TEST_CLUSTER (the test harness's cluster-info JSON file).

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Compiles test/tools/provision.ts into a temp dir (tsc --ignoreConfig) and imports it. */
async function loadProvision() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "pg8000-bench-provision-"));
  try {
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    execFileSync(
      process.execPath,
      [
        tsc,
        "--ignoreConfig",
        path.join(ROOT, "test/tools/provision.ts"),
        "--outDir",
        out,
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--skipLibCheck",
        "--types",
        "node",
        "--rootDir",
        path.join(ROOT, "test"),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    return await import(pathToFileURL(path.join(out, "tools", "provision.js")).href);
  } finally {
    // The module is loaded; the files are not needed any more.
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/**
 * @typedef {object} BenchServer
 * @property {string} host
 * @property {number} port
 * @property {string} user
 * @property {string|undefined} password
 * @property {string} database
 * @property {string|undefined} binDir   directory of psql / pgbench
 * @property {{user: string, password: string}} [scram]  a SCRAM-SHA-256 login over TCP (W9)
 * @property {string} [caCertPath]  the server's certificate, when it speaks TLS (W9)
 * @property {string} origin             where the server came from
 * @property {() => void} destroy
 */

/** @returns {Promise<BenchServer>} */
export async function startServer({ log = console.log } = {}) {
  const url = process.env.PG8000_BENCH_URL;
  const infoFile = process.env.PG8000_TEST_CLUSTER;
  if (url) {
    const u = new URL(url);
    const provision = await loadProvision();
    return {
      host: u.hostname || "127.0.0.1",
      port: Number(u.port || 5432),
      user: decodeURIComponent(u.username || "postgres"),
      password: u.password ? decodeURIComponent(u.password) : undefined,
      database: decodeURIComponent(u.pathname.slice(1) || u.username || "postgres"),
      binDir: await provision.findPostgresBinDir(),
      origin: `PG8000_BENCH_URL (${u.hostname}:${u.port || 5432})`,
      destroy() {},
    };
  }
  if (infoFile) {
    const info = JSON.parse(fs.readFileSync(infoFile, "utf8"));
    return fromClusterInfo(info, `PG8000_TEST_CLUSTER (${infoFile})`, () => {});
  }
  const provision = await loadProvision();
  const started = Date.now();
  const handle = await provision.createCluster({ keep: false });
  const info = handle.info;
  log(`bench: throwaway cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return fromClusterInfo(info, `throwaway cluster (PostgreSQL ${info.serverVersion}, ${handle.baseDir})`, () =>
    provision.destroyClusterSync(handle),
  );
}

/**
 * A provisioned cluster (its ClusterInfo) as the bench's server: the superuser, the SCRAM user and the CA.
 * @param {any} info
 * @param {string} origin
 * @param {() => void} destroy
 * @returns {BenchServer}
 */
function fromClusterInfo(info, origin, destroy) {
  return {
    host: info.host,
    port: info.port,
    user: info.superuser,
    password: undefined,
    database: info.database,
    binDir: info.binDir,
    scram: info.users?.scram,
    caCertPath: info.caCertPath,
    origin,
    destroy,
  };
}

/** process.env without libpq's PG* variables, plus `extra`. */
export function libpqEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PG")) env[k] = v;
  return { ...env, ...extra };
}

// `node test/tools/cluster.mjs`: makes a cluster that outlives the command (for profiling single
// workloads again and again) and prints the PG8000_TEST_CLUSTER line to use it.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const provision = await loadProvision();
  const handle = await provision.createCluster({ keep: true });
  console.log(`export PG8000_TEST_CLUSTER=${handle.infoFile}`);
  console.log(provision.keptClusterHint(handle));
}
