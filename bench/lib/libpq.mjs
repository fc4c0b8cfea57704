// libpq as the physical reference: psql for fetching and \copy, pgbench for round trips.
// Each call starts the program once and returns the time the program itself reports for the
// work (psql's \timing, pgbench's tps without connection time), so process start-up and the
// connection handshake are not counted; the wall time of the whole process is kept as well.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { libpqEnv } from "../../test/tools/cluster.mjs";

/** @param {string} file @param {string[]} args @param {{ input?: string, env?: NodeJS.ProcessEnv }} [options] */
function exec(file, args, { input, env } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { env: env ?? libpqEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const wall = performance.now() - started;
      if (code === 0) resolve({ stdout, stderr, wall });
      else
        reject(
          new Error(
            `${path.basename(file)} ${args.join(" ")} failed (exit ${code}): ${stderr.trim() || stdout.trim()}`,
          ),
        );
    });
    child.stdin.end(input ?? "");
  });
}

export class Libpq {
  constructor(server, tmpDir) {
    this.server = server;
    this.tmpDir = tmpDir;
    this.psqlBin = server.binDir ? path.join(server.binDir, "psql") : "psql";
    this.pgbenchBin = server.binDir ? path.join(server.binDir, "pgbench") : "pgbench";
  }

  get available() {
    return fs.existsSync(this.psqlBin) || this.server.binDir === undefined;
  }

  conn() {
    const s = this.server;
    return ["-h", s.host, "-p", String(s.port), "-U", s.user, "-d", s.database];
  }

  env() {
    return libpqEnv(this.server.password ? { PGPASSWORD: this.server.password } : {});
  }

  /** Runs one SQL statement (or \copy) in psql with \timing; returns { ms, wall }. */
  async psqlTimed(command) {
    const args = [
      "-X",
      "-q",
      "-A",
      "-t",
      "-o",
      "/dev/null",
      "-v",
      "ON_ERROR_STOP=1",
      ...this.conn(),
      "-c",
      "\\timing on",
      "-c",
      command,
    ];
    const { stdout, wall } = await exec(this.psqlBin, args, { env: this.env() });
    const m = /Time: ([\d.]+) ms/.exec(stdout);
    if (!m) throw new Error(`psql printed no timing for ${command}: ${stdout}`);
    return { ms: Number(m[1]), wall };
  }

  async psql(sql) {
    // Through stdin, so each statement runs on its own (VACUUM refuses a transaction block).
    const args = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", ...this.conn(), "-f", "-"];
    return (await exec(this.psqlBin, args, { env: this.env(), input: sql })).stdout;
  }

  /** pgbench running `script` `transactions` times on one connection; returns ms for all of them. */
  async pgbench(script, transactions, name) {
    const file = path.join(this.tmpDir, `${name}.sql`);
    fs.writeFileSync(file, script);
    const args = ["-n", "-M", "prepared", "-c", "1", "-j", "1", "-t", String(transactions), "-f", file, ...this.conn()];
    const { stdout, wall } = await exec(this.pgbenchBin, args, { env: this.env() });
    const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
    if (!m) throw new Error(`pgbench printed no tps: ${stdout}`);
    return { ms: (transactions / Number(m[1])) * 1000, wall };
  }

  /**
   * W9's reference: pgbench -C opens a new connection for each of `n` transactions (`SELECT 1`),
   * as `login` (the SCRAM user), over TCP or TLS verified against `caCertPath`; returns ms for
   * all of them, connection set-up included (pgbench's tps "including reconnection times").
   */
  async pgbenchConnect(n, login, caCertPath) {
    const file = path.join(this.tmpDir, "w9.sql");
    fs.writeFileSync(file, "SELECT 1 AS x;\n");
    const s = this.server;
    const args = ["-n", "-C", "-c", "1", "-j", "1", "-t", String(n), "-f", file];
    args.push("-h", s.host, "-p", String(s.port), "-U", login.user, "-d", s.database);
    const tls = caCertPath
      ? { PGSSLMODE: "verify-full", PGSSLROOTCERT: caCertPath }
      : { PGSSLMODE: "disable", PGGSSENCMODE: "disable" };
    const env = libpqEnv({ PGPASSWORD: login.password, ...tls });
    const { stdout, wall } = await exec(this.pgbenchBin, args, { env });
    const m = /tps = ([\d.]+) \(including reconnection times\)/.exec(stdout);
    if (!m) throw new Error(`pgbench -C printed no tps: ${stdout}`);
    return { ms: (n / Number(m[1])) * 1000, wall };
  }

  async version() {
    try {
      return (await exec(this.psqlBin, ["--version"])).stdout.trim();
    } catch {
      return "unknown";
    }
  }
}
