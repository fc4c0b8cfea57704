// Creates and destroys a private, throwaway PostgreSQL cluster for the tests.
//
// Everything lives under one mkdtemp directory, so destroying the cluster is
// "stop the postmaster, remove that directory". The cluster never uses a
// well-known port or socket dir, so it can't collide with (or touch) a
// PostgreSQL server already running on the machine, or with the clusters of
// other test runs going on at the same time.

import { execFile, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { ClusterInfo } from "./cluster-info.js";

const execFileAsync = promisify(execFile);

/** Prefix of every cluster's base directory under os.tmpdir(). */
const BASE_PREFIX = "pg8000-test-";
/** Marks a base directory that must survive its owner (PG8000_TEST_KEEP_CLUSTER). */
const KEEP_MARKER = "keep";
/** Holds the pid of the process that owns a base directory. */
const OWNER_FILE = "owner.pid";
const SUPERUSER = "postgres";
const DATABASE = "pg8000_test";

export const TEST_USERS: ClusterInfo["users"] = {
  trust: { user: "pg8000_trust" },
  password: { user: "pg8000_password", password: "pw_cleartext" },
  md5: { user: "pg8000_md5", password: "pw_md5" },
  scram: { user: "pg8000_scram", password: "pw_scram" },
  // Written with escapes so no editor can normalise it: NO-BREAK SPACE,
  // u-umlaut, i-umlaut. SASLprep maps the NBSP to a plain space.
  scramUnicode: { user: "pg8000_scram_unicode", password: "pw\u00A0\u00FCn\u00EFcode" },
  sslOnly: { user: "pg8000_ssl_only", password: "pw_ssl" },
  super: { user: "pg8000_super", password: "pw_super" },
};

// ---------------------------------------------------------------------------
// Running commands

interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a command, resolving with its output; rejects with stderr included. */
function run(file: string, args: string[], opts: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  if (opts.input === undefined) {
    return execFileAsync(file, args, {
      env: opts.env ?? libpqFreeEnv(),
      cwd: opts.cwd,
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
      encoding: "utf8",
    }).catch((err: NodeJS.ErrnoException & { stderr?: string; stdout?: string }) => {
      throw commandError(file, args, err.message, err.stdout, err.stderr);
    });
  }
  // execFile can't feed stdin, and SQL goes to psql that way.
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: opts.env ?? libpqFreeEnv(),
      cwd: opts.cwd,
      timeout: opts.timeoutMs ?? 120_000,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err) => reject(commandError(file, args, err.message, stdout, stderr)));
    child.on("close", (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(commandError(file, args, `exit ${code ?? signal}`, stdout, stderr));
    });
    child.stdin.end(opts.input, "utf8");
  });
}

function commandError(file: string, args: string[], why: string, stdout = "", stderr = ""): Error {
  const output = [stderr.trim(), stdout.trim()].filter(Boolean).join("\n");
  return new Error(`${[file, ...args].join(" ")} failed (${why})${output ? `:\n${output}` : ""}`);
}

/**
 * process.env without libpq's PG* variables: a PGHOST, PGPORT, PGSSLMODE or
 * PGPASSWORD from the developer's shell must never steer our commands towards
 * another server or change how they connect.
 */
export function libpqFreeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("PG")) env[key] = value;
  }
  return { ...env, ...extra };
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Like `which`, also looking in the sbin dirs a non-login PATH may lack. */
function findExecutable(name: string): string | undefined {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  dirs.push("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin");
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------
// Finding (or installing) PostgreSQL

function hasInitdb(dir: string): boolean {
  return fs.existsSync(path.join(dir, "initdb"));
}

/** The directory holding initdb/pg_ctl/psql, or undefined if none is installed. */
export async function findPostgresBinDir(): Promise<string | undefined> {
  const override = process.env.PG8000_TEST_PG_BINDIR;
  if (override) {
    if (!hasInitdb(override)) throw new Error(`PG8000_TEST_PG_BINDIR=${override} has no initdb`);
    return override;
  }
  const pgConfig = findExecutable("pg_config");
  if (pgConfig) {
    try {
      const { stdout } = await run(pgConfig, ["--bindir"]);
      const dir = stdout.trim();
      // Debian's pg_config may come from libpq-dev, pointing at a bindir
      // that only has client programs.
      if (dir && hasInitdb(dir)) return dir;
    } catch {
      // a broken pg_config is no reason to give up
    }
  }
  const debianRoot = "/usr/lib/postgresql";
  if (fs.existsSync(debianRoot)) {
    const newest = fs
      .readdirSync(debianRoot)
      .filter((v) => hasInitdb(path.join(debianRoot, v, "bin")))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))[0];
    if (newest) return path.join(debianRoot, newest, "bin");
  }
  const initdb = findExecutable("initdb");
  if (initdb) return path.dirname(fs.realpathSync(initdb));
  return undefined;
}

/**
 * Installs Debian packages the test suites need: the given ones, plus
 * chromium when /usr/bin/chromium is missing (the browser tests need it and
 * one apt run is much cheaper than two). Only acts as root with apt-get
 * present; returns the packages it installed.
 */
export async function ensureDebianPackages(packages: string[] = ["postgresql"]): Promise<string[]> {
  const aptGet = findExecutable("apt-get");
  if (!isRoot() || !aptGet) return [];
  const wanted = [...packages];
  if (!fs.existsSync("/usr/bin/chromium")) wanted.push("chromium");
  if (wanted.length === 0) return [];
  console.log(`test cluster: installing ${wanted.join(", ")} with apt-get (one-off, may take a few minutes)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Wait for apt's lock rather than fail when another apt run (e.g. unattended upgrades) holds it.
  const lock = ["-o", "DPkg::Lock::Timeout=600"];
  await run(aptGet, [...lock, "update"], { env, timeoutMs: 15 * 60_000 });
  await run(aptGet, [...lock, "install", "-y", ...wanted], { env, timeoutMs: 30 * 60_000 });
  return wanted;
}

async function requirePostgresBinDir(): Promise<string> {
  let binDir = await findPostgresBinDir();
  if (!binDir && (await ensureDebianPackages(["postgresql"])).length > 0) {
    binDir = await findPostgresBinDir();
  }
  if (!binDir) {
    throw new Error(
      "test cluster: no PostgreSQL server binaries (initdb) found. Install the PostgreSQL server " +
        "(Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql`), " +
        "put its bin dir on PATH, or set PG8000_TEST_PG_BINDIR.",
    );
  }
  return binDir;
}

// ---------------------------------------------------------------------------
// The OS user the server runs as

interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * initdb and postgres refuse to run as root, so as root we run them as the
 * `postgres` system user (or a system user of our own if there is none).
 * Returns undefined when we aren't root: then the server runs as us.
 */
async function serverUser(): Promise<ServerUser | undefined> {
  if (!isRoot()) return undefined;
  for (const name of ["postgres", "pg8000test"]) {
    const user = await lookupUser(name);
    if (user) return user;
  }
  const useradd = findExecutable("useradd");
  if (!useradd) throw new Error("test cluster: running as root with no `postgres` user and no useradd to create one");
  await run(useradd, ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "pg8000test"]);
  const user = await lookupUser("pg8000test");
  if (!user) throw new Error("test cluster: useradd pg8000test did not create the user");
  return user;
}

async function lookupUser(name: string): Promise<ServerUser | undefined> {
  try {
    const uid = Number((await run("id", ["-u", name])).stdout.trim());
    const gid = Number((await run("id", ["-g", name])).stdout.trim());
    return { name, uid, gid };
  } catch {
    return undefined;
  }
}

/** The command line that runs `file args` as the server user. */
function asServerUser(user: ServerUser | undefined, file: string, args: string[]): [string, string[]] {
  if (!user) return [file, args];
  const runuser = findExecutable("runuser");
  if (runuser) return [runuser, ["-u", user.name, "--", file, ...args]];
  // su needs a shell; the user's own may be nologin.
  return ["su", ["-s", "/bin/sh", user.name, "-c", [file, ...args].map(shellQuote).join(" ")]];
}

function chownToServer(user: ServerUser | undefined, p: string): void {
  if (user) fs.chownSync(p, user.uid, user.gid);
}

// ---------------------------------------------------------------------------
// Ports, TLS, configuration

/** Resolves true if `port` could be bound on `host` (and releases it again). */
function canListen(host: string, port: number): Promise<number | false> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port free on 127.0.0.1 (and on ::1 when the machine has IPv6 loopback).
 * Another process may still grab it before the postmaster does; startServer
 * retries with a fresh port when that happens.
 */
async function pickPort(): Promise<{ port: number; ipv6: boolean }> {
  const ipv6Loopback = (await canListen("::1", 0)) !== false;
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await canListen("127.0.0.1", 0);
    if (port === false) continue;
    if (!ipv6Loopback || (await canListen("::1", port)) !== false) return { port, ipv6: ipv6Loopback };
  }
  throw new Error("test cluster: could not find a free TCP port on 127.0.0.1");
}

async function makeCertificate(tlsDir: string, user: ServerUser | undefined): Promise<{ cert: string; key: string }> {
  const openssl = findExecutable("openssl");
  if (!openssl) throw new Error("test cluster: openssl not found (Debian: `apt-get install openssl`)");
  const cert = path.join(tlsDir, "server.crt");
  const key = path.join(tlsDir, "server.key");
  // Short-lived and self-signed: the cert is its own CA for verify-full tests.
  await run(openssl, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  // The server refuses a key that others can read or that it doesn't own.
  fs.chmodSync(key, 0o600);
  chownToServer(user, key);
  fs.chmodSync(cert, 0o644);
  return { cert, key };
}

/** A string literal for postgresql.conf or SQL (standard_conforming_strings on): both double quotes. */
function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function serverSettings(o: { port: number; ipv6: boolean; socketDir: string; cert: string; key: string }): string {
  const settings: Record<string, string | number> = {
    listen_addresses: quoteLiteral(o.ipv6 ? "127.0.0.1,::1" : "127.0.0.1"),
    port: o.port,
    unix_socket_directories: quoteLiteral(o.socketDir),
    // root (the tests) and the server user both use the socket.
    unix_socket_permissions: "0777",
    ssl: "on",
    ssl_cert_file: quoteLiteral(o.cert),
    ssl_key_file: quoteLiteral(o.key),
    max_prepared_transactions: 10,
    wal_level: "logical",
    max_wal_senders: 10,
    max_replication_slots: 10,
    max_connections: 100,
    // Durability is worthless for a cluster that is deleted after the run.
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    password_encryption: quoteLiteral("scram-sha-256"),
  };
  const lines = Object.entries(settings).map(([k, v]) => `${k} = ${v}`);
  return `# Written by test/setup/provision.ts, rewritten on every start attempt.\n${lines.join("\n")}\n`;
}

/**
 * pg_hba.conf, replacing initdb's. The first matching line wins, so the
 * per-user password lines come before the catch-all trust lines.
 */
function hbaConf(): string {
  const u = TEST_USERS;
  const rows: string[][] = [
    ["local", "all,replication", SUPERUSER, "", "trust"],
    ["hostnossl", "all", u.sslOnly.user, "all", "reject"],
    ["hostssl", "all", u.sslOnly.user, "all", "scram-sha-256"],
    ["local", "all", u.password.user, "", "password"],
    ["local", "all", u.md5.user, "", "md5"],
    ["local", "all", u.scram.user, "", "scram-sha-256"],
    ["local", "all", u.scramUnicode.user, "", "scram-sha-256"],
    ["local", "all", u.super.user, "", "scram-sha-256"],
    ["local", "all", "all", "", "trust"],
  ];
  for (const address of ["127.0.0.1/32", "::1/128"]) {
    rows.push(
      ["host", "all", u.password.user, address, "password"],
      ["host", "all", u.md5.user, address, "md5"],
      ["host", "all", u.scram.user, address, "scram-sha-256"],
      ["host", "all", u.scramUnicode.user, address, "scram-sha-256"],
      ["host", "all", u.super.user, address, "scram-sha-256"],
      ["host", "all,replication", "all", address, "trust"],
    );
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const text = rows.map((r) => r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join("  "));
  return `# Written by test/setup/provision.ts\n${text.join("\n")}\n`;
}

// ---------------------------------------------------------------------------
// The cluster

/** What exists so far; destroyClusterSync cleans up exactly that. */
export interface ClusterHandle {
  baseDir: string;
  dataDir: string;
  binDir?: string;
  user?: ServerUser;
  info?: ClusterInfo;
  /** Path of the cluster-info JSON file. */
  infoFile: string;
  /** Kept clusters survive destroyClusterSync (PG8000_TEST_KEEP_CLUSTER=1). */
  keep: boolean;
  destroyed: boolean;
}

export interface CreateOptions {
  keep?: boolean;
}

/**
 * Creates and starts a cluster. If anything fails half-way, whatever was
 * created is destroyed again before the error propagates.
 */
export async function createCluster(options: CreateOptions = {}): Promise<ClusterHandle> {
  const started = Date.now();
  reapOrphanedClusters();
  const baseDir = await fsp.mkdtemp(path.join(os.tmpdir(), BASE_PREFIX));
  const handle: ClusterHandle = {
    baseDir,
    dataDir: path.join(baseDir, "data"),
    infoFile: path.join(baseDir, "cluster.json"),
    keep: options.keep ?? false,
    destroyed: false,
  };
  fs.writeFileSync(path.join(baseDir, OWNER_FILE), `${process.pid}\n`);
  if (handle.keep) fs.writeFileSync(path.join(baseDir, KEEP_MARKER), "");
  else trackForExit(handle);
  try {
    await provision(handle);
  } catch (err) {
    destroyClusterSync({ ...handle, keep: false });
    throw err;
  }
  const info = handle.info!;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `test cluster: PostgreSQL ${formatVersion(info.serverVersion)} on ${info.host}:${info.port}, ` +
      `socket dir ${info.socketDir} (ready in ${seconds}s)`,
  );
  return handle;
}

async function provision(handle: ClusterHandle): Promise<void> {
  const { baseDir, dataDir } = handle;
  const binDir = (handle.binDir = await requirePostgresBinDir());
  const user = (handle.user = await serverUser());

  // The server user must be able to reach its dirs inside ours.
  fs.chmodSync(baseDir, 0o755);
  const socketDir = path.join(baseDir, "socket");
  const tlsDir = path.join(baseDir, "tls");
  const logFile = path.join(baseDir, "postgres.log");
  for (const dir of [dataDir, socketDir]) {
    fs.mkdirSync(dir, { mode: 0o700 });
    chownToServer(user, dir);
  }
  fs.chmodSync(socketDir, 0o755);
  fs.mkdirSync(tlsDir, { mode: 0o755 });
  fs.writeFileSync(logFile, "");
  chownToServer(user, logFile);

  // initdb is the slow part; make the certificate meanwhile.
  const [, tls] = await Promise.all([initdb(binDir, user, dataDir, baseDir), makeCertificate(tlsDir, user)]);

  fs.appendFileSync(path.join(dataDir, "postgresql.conf"), "\ninclude = 'pg8000_test.conf'\n");
  fs.writeFileSync(path.join(dataDir, "pg_hba.conf"), hbaConf());

  const { port, ipv6 } = await startServer({ binDir, user, dataDir, baseDir, socketDir, logFile, ...tls });
  const psql = superuserPsql(binDir, socketDir, port);
  await createRolesAndDatabase(psql);
  const hasHstore = await installHstore(psql);
  const versionNum = await psql(["-d", "postgres", "-Atc", "SHOW server_version_num"]);

  handle.info = {
    host: "127.0.0.1",
    port,
    ipv6,
    socketDir,
    socketPath: path.join(socketDir, `.s.PGSQL.${port}`),
    database: DATABASE,
    superuser: SUPERUSER,
    users: TEST_USERS,
    caCertPath: tls.cert,
    binDir,
    serverVersion: Number(versionNum.trim()),
    hasHstore,
    dataDir,
  };
  fs.writeFileSync(handle.infoFile, `${JSON.stringify(handle.info, null, 2)}\n`);
}

async function initdb(binDir: string, user: ServerUser | undefined, dataDir: string, cwd: string): Promise<void> {
  const base = ["-D", dataDir, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync"];
  // cwd: the server user may not be allowed into the directory we run from.
  const attempt = (locale: string[]) =>
    run(...asServerUser(user, path.join(binDir, "initdb"), [...base, ...locale]), { cwd });
  try {
    await attempt(["--locale=C.UTF-8"]);
  } catch (err) {
    // Minimal systems may lack C.UTF-8; initdb then fails before writing
    // anything, so the (still empty) data dir can be reused.
    if (!/invalid locale name/i.test(String(err))) throw err;
    await attempt(["--no-locale"]);
  }
}

async function startServer(o: {
  binDir: string;
  user: ServerUser | undefined;
  dataDir: string;
  baseDir: string;
  socketDir: string;
  logFile: string;
  cert: string;
  key: string;
}): Promise<{ port: number; ipv6: boolean }> {
  const pgCtl = path.join(o.binDir, "pg_ctl");
  for (let attempt = 1; ; attempt++) {
    const { port, ipv6 } = await pickPort();
    fs.writeFileSync(
      path.join(o.dataDir, "pg8000_test.conf"),
      serverSettings({ port, ipv6, socketDir: o.socketDir, cert: o.cert, key: o.key }),
    );
    fs.truncateSync(o.logFile);
    try {
      await run(...asServerUser(o.user, pgCtl, ["-D", o.dataDir, "-l", o.logFile, "-w", "-t", "60", "start"]), {
        cwd: o.baseDir,
      });
      return { port, ipv6 };
    } catch (err) {
      const log = fs.readFileSync(o.logFile, "utf8");
      // Someone took the port between pickPort and the postmaster's bind.
      if (attempt < 5 && /could not create any TCP\/IP sockets|Address already in use/.test(log)) continue;
      throw new Error(`${(err as Error).message}\n--- ${o.logFile} ---\n${log}`);
    }
  }
}

type Psql = (args: string[], input?: string) => Promise<string>;

/** psql as the superuser over our socket; never the machine's default server. */
function superuserPsql(binDir: string, socketDir: string, port: number): Psql {
  const env = libpqFreeEnv({ PGCLIENTENCODING: "UTF8", PGCONNECT_TIMEOUT: "10" });
  const common = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDir, "-p", String(port), "-U", SUPERUSER];
  return async (args, input) => (await run(path.join(binDir, "psql"), [...common, ...args], { env, input })).stdout;
}

async function createRolesAndDatabase(psql: Psql): Promise<void> {
  const u = TEST_USERS;
  const scramUsers = [u.password, u.scram, u.scramUnicode, u.sslOnly];
  const everyone = [u.trust, u.password, u.md5, u.scram, u.scramUnicode, u.sslOnly, u.super].map((x) => x.user);
  await psql(
    ["-d", "postgres"],
    [
      `CREATE DATABASE ${DATABASE};`,
      `CREATE ROLE ${u.trust.user} LOGIN;`,
      // The server applies SASLprep to the password when it builds the SCRAM
      // secret, so pg8000_scram_unicode's secret is for "pw ünïcode".
      `SET password_encryption = 'scram-sha-256';`,
      ...scramUsers.map((x) => `CREATE ROLE ${x.user} LOGIN PASSWORD ${quoteLiteral(x.password)};`),
      `CREATE ROLE ${u.super.user} SUPERUSER LOGIN PASSWORD ${quoteLiteral(u.super.password)};`,
      // With a SCRAM secret the server quietly upgrades `md5` hba lines to
      // SCRAM, and the driver's md5 code would go untested.
      `SET password_encryption = 'md5';`,
      `CREATE ROLE ${u.md5.user} LOGIN PASSWORD ${quoteLiteral(u.md5.password)};`,
      `RESET password_encryption;`,
      `GRANT ALL ON DATABASE ${DATABASE} TO ${everyone.join(", ")};`,
    ].join("\n"),
  );
  // Since PG15 ordinary users may not create objects in public by default.
  await psql(["-d", DATABASE], `GRANT ALL ON SCHEMA public TO ${everyone.join(", ")};`);
}

async function installHstore(psql: Psql): Promise<boolean> {
  const available = await psql(["-d", DATABASE, "-Atc", "SELECT 1 FROM pg_available_extensions WHERE name = 'hstore'"]);
  if (available.trim() !== "1") return false;
  await psql(["-d", DATABASE, "-c", "CREATE EXTENSION IF NOT EXISTS hstore"]);
  return true;
}

function formatVersion(num: number): string {
  const major = Math.floor(num / 10000);
  return major >= 10 ? `${major}.${num % 10000}` : `${major}.${Math.floor(num / 100) % 100}.${num % 100}`;
}

// ---------------------------------------------------------------------------
// Tearing down
//
// Synchronous on purpose: the same code runs from process "exit" handlers,
// where nothing asynchronous gets to finish.

// pg_ctl puts the postmaster in its own session, so it outlives us unless
// we stop it: on a normal exit, on Ctrl-C and on SIGTERM too.
const liveClusters = new Set<ClusterHandle>();
const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function destroyAllSync(): void {
  for (const handle of liveClusters) destroyClusterSync(handle);
}

function onExitSignal(signal: NodeJS.Signals): void {
  destroyAllSync();
  // Our listener disabled the default "die on signal"; restore and re-raise
  // it unless someone else (vitest, say) is handling the signal.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onExitSignal);
    process.kill(process.pid, signal);
  }
}

function trackForExit(handle: ClusterHandle): void {
  if (liveClusters.size === 0) {
    process.on("exit", destroyAllSync);
    for (const signal of EXIT_SIGNALS) process.on(signal, onExitSignal);
  }
  liveClusters.add(handle);
}

function untrackForExit(handle: ClusterHandle): void {
  if (!liveClusters.delete(handle) || liveClusters.size > 0) return;
  process.removeListener("exit", destroyAllSync);
  for (const signal of EXIT_SIGNALS) process.removeListener(signal, onExitSignal);
}

/** Stops the postmaster (immediate mode: no checkpoint) and removes the dirs. */
export function destroyClusterSync(handle: ClusterHandle): void {
  if (handle.destroyed || handle.keep) return;
  handle.destroyed = true;
  untrackForExit(handle);
  stopPostmasterSync(handle.dataDir, handle.binDir, handle.user);
  fs.rmSync(handle.baseDir, { recursive: true, force: true });
}

function stopPostmasterSync(dataDir: string, binDir: string | undefined, user: ServerUser | undefined): void {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  if (binDir) {
    try {
      const [file, args] = asServerUser(user, path.join(binDir, "pg_ctl"), [
        "-D",
        dataDir,
        "-m",
        "immediate",
        "-w",
        "-t",
        "30",
        "stop",
      ]);
      execFileSync(file, args, { stdio: "ignore", timeout: 40_000, cwd: os.tmpdir(), env: libpqFreeEnv() });
      return;
    } catch {
      // fall through to signalling the postmaster ourselves
    }
  }
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  // SIGQUIT is what "-m immediate" sends; the backends exit with it.
  if (pid > 0 && isAlive(pid)) process.kill(pid, "SIGQUIT");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes clusters left behind by test runs that were killed outright
 * (SIGKILL, OOM, a closed terminal) before their teardown ran. Only our own
 * base dirs whose owning process is gone are touched, never kept ones.
 */
function reapOrphanedClusters(): void {
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(BASE_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const baseDir = path.join(os.tmpdir(), name);
    try {
      if (fs.existsSync(path.join(baseDir, KEEP_MARKER))) continue;
      const owner = Number(fs.readFileSync(path.join(baseDir, OWNER_FILE), "utf8"));
      if (!(owner > 0) || isAlive(owner)) continue;
      const info = readInfo(path.join(baseDir, "cluster.json"));
      const dataDir = path.join(baseDir, "data");
      stopPostmasterSync(dataDir, info?.binDir, dataDirOwnerSync(dataDir));
      fs.rmSync(baseDir, { recursive: true, force: true });
      console.log(`test cluster: removed ${baseDir}, left behind by dead process ${owner}`);
    } catch {
      // unreadable or half-created by a concurrent run: leave it alone
    }
  }
}

/** As root: the (non-root) owner of a data dir, i.e. who the server runs as. */
function dataDirOwnerSync(dataDir: string): ServerUser | undefined {
  const stat = fs.statSync(dataDir, { throwIfNoEntry: false });
  if (!isRoot() || !stat || stat.uid === 0) return undefined;
  try {
    const name = execFileSync("id", ["-nu", String(stat.uid)], { encoding: "utf8" }).trim();
    return { name, uid: stat.uid, gid: stat.gid };
  } catch {
    return undefined;
  }
}

function readInfo(file: string): ClusterInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ClusterInfo;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Keeping a cluster between runs (PG8000_TEST_KEEP_CLUSTER=1)

/** Where the last kept cluster is recorded, so the next run can reuse it. */
export const KEPT_CLUSTER_POINTER = path.join(os.tmpdir(), "pg8000-test-kept-cluster.json");

/** The kept cluster from an earlier run, if it is still there and running. */
export async function findKeptCluster(): Promise<ClusterHandle | undefined> {
  const pointer = readInfo(KEPT_CLUSTER_POINTER) as { infoFile?: string } | undefined;
  const info = pointer?.infoFile ? readInfo(pointer.infoFile) : undefined;
  if (!pointer?.infoFile || !info) return undefined;
  try {
    // Also proves the server is up and accepting connections.
    await superuserPsql(info.binDir, info.socketDir, info.port)(["-d", info.database, "-Atc", "SELECT 1"]);
  } catch {
    return undefined;
  }
  return {
    baseDir: path.dirname(pointer.infoFile),
    dataDir: info.dataDir,
    binDir: info.binDir,
    user: dataDirOwnerSync(info.dataDir),
    info,
    infoFile: pointer.infoFile,
    keep: true,
    destroyed: false,
  };
}

export function recordKeptCluster(handle: ClusterHandle): void {
  fs.writeFileSync(KEPT_CLUSTER_POINTER, `${JSON.stringify({ infoFile: handle.infoFile })}\n`);
}

/** How to get rid of a kept cluster by hand. */
export function keptClusterHint(handle: ClusterHandle): string {
  const stop = `${path.join(handle.binDir ?? "", "pg_ctl")} -D ${handle.dataDir} -m immediate stop`;
  const as = handle.user ? `runuser -u ${handle.user.name} -- ` : "";
  return `test cluster kept at ${handle.baseDir} (info: ${handle.infoFile}); remove it with: ${as}${stop} && rm -rf ${handle.baseDir} ${KEPT_CLUSTER_POINTER}`;
}
