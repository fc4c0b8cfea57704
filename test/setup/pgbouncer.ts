// A stock PgBouncer (Debian's package, default settings apart from the pools) in front of the
// test cluster, for the pooling tests in test/reliability/pgbouncer.test.ts. One process serves
// two pools of the test database: "session" (pool_mode=session) and "transaction"
// (pool_mode=transaction), each with few server connections so clients really share them.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { ClusterInfo } from "./cluster-info.js";
import { ensureDebianPackages, libpqFreeEnv } from "./provision.js";

export interface PgBouncerInfo {
  host: string;
  port: number;
  /** Database names to connect to; both reach the test cluster's database. */
  sessionDatabase: string;
  transactionDatabase: string;
  /** Server connections of the transaction pool: fewer than the clients the tests run at once. */
  transactionPoolSize: number;
  version: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    pgbouncer: PgBouncerInfo;
  }
}

export interface PgBouncerHandle {
  info: PgBouncerInfo;
  process: ChildProcess;
  dir: string;
}

const SESSION_POOL_SIZE = 40;
const TRANSACTION_POOL_SIZE = 3;

function findPgBouncer(): string | undefined {
  const override = process.env.PG8000_TEST_PGBOUNCER;
  if (override) return override;
  for (const candidate of [
    "/usr/sbin/pgbouncer",
    "/usr/local/sbin/pgbouncer",
    "/usr/bin/pgbouncer",
    "/usr/local/bin/pgbouncer",
  ]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function requirePgBouncer(): Promise<string> {
  let binary = findPgBouncer();
  if (!binary && (await ensureDebianPackages(["pgbouncer"])).length > 0) binary = findPgBouncer();
  if (!binary) {
    throw new Error(
      "test setup: pgbouncer not found. Install it (Debian/Ubuntu: `apt-get install pgbouncer`; macOS: " +
        "`brew install pgbouncer`) or set PG8000_TEST_PGBOUNCER to its path.",
    );
  }
  return binary;
}

/** A free TCP port on 127.0.0.1 (PgBouncer binds it a moment later; a clash is retried). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function config(dir: string, port: number, cluster: ClusterInfo): string {
  // The server side goes through the cluster's unix socket, where every test user is trusted.
  const target = `host=${cluster.socketDir} port=${cluster.port} dbname=${cluster.database}`;
  return [
    "[databases]",
    // Session pooling holds a server connection per client: room for every test client.
    `session = ${target} pool_mode=session pool_size=${SESSION_POOL_SIZE}`,
    `transaction = ${target} pool_mode=transaction pool_size=${TRANSACTION_POOL_SIZE}`,
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = trust",
    `auth_file = ${path.join(dir, "userlist.txt")}`,
    "max_client_conn = 500",
    `logfile = ${path.join(dir, "pgbouncer.log")}`,
    `pidfile = ${path.join(dir, "pgbouncer.pid")}`,
    "",
  ].join("\n");
}

/** Starts PgBouncer in front of the cluster; installs it first when missing (as root with apt). */
export async function startPgBouncer(cluster: ClusterInfo): Promise<PgBouncerHandle> {
  const binary = await requirePgBouncer();
  const version = execFileSync(binary, ["--version"], { encoding: "utf8" }).split("\n")[0]!.trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg8000-pgbouncer-"));
  // Every test user may log in (trust); PgBouncer still wants them listed.
  const users = [cluster.superuser, ...Object.values(cluster.users).map((u) => u.user)];
  fs.writeFileSync(path.join(dir, "userlist.txt"), users.map((u) => `"${u}" ""`).join("\n"));
  // PgBouncer refuses to run as root: run it as the owner of the cluster's data directory.
  const owner = fs.statSync(cluster.dataDir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot)
    for (const f of [dir, ...fs.readdirSync(dir).map((n) => path.join(dir, n))]) fs.chownSync(f, owner.uid, owner.gid);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const file = path.join(dir, "pgbouncer.ini");
    fs.writeFileSync(file, config(dir, port, cluster));
    if (asRoot) fs.chownSync(file, owner.uid, owner.gid);
    const [cmd, args] = asRoot
      ? ["setpriv", [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, "--clear-groups", binary, file]]
      : [binary, [file]];
    const child = spawn(cmd, args, { stdio: "ignore", env: libpqFreeEnv(), cwd: dir });
    let exited = false;
    child.once("exit", () => (exited = true));
    for (let i = 0; i < 100 && !exited; i++) {
      if (await canConnect(port)) {
        const info: PgBouncerInfo = {
          host: "127.0.0.1",
          port,
          sessionDatabase: "session",
          transactionDatabase: "transaction",
          transactionPoolSize: TRANSACTION_POOL_SIZE,
          version,
        };
        // Also on an exit that skips the teardown (an error in another global setup).
        process.once("exit", () => child.kill("SIGINT"));
        return { info, process: child, dir };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGKILL");
    const log = fs.existsSync(path.join(dir, "pgbouncer.log"))
      ? fs.readFileSync(path.join(dir, "pgbouncer.log"), "utf8")
      : "";
    if (attempt < 3 && /Address already in use/.test(log)) continue;
    throw new Error(`test setup: pgbouncer did not start (${version})\n--- ${dir}/pgbouncer.log ---\n${log}`);
  }
}

export function stopPgBouncer(handle: PgBouncerHandle): void {
  handle.process.kill("SIGINT"); // PgBouncer's "shut down now"
  fs.rmSync(handle.dir, { recursive: true, force: true });
}
