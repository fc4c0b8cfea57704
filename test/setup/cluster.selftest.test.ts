// Checks that the test cluster is what the driver's tests rely on, using
// psql (libpq) as an independent client: if these fail, driver test failures
// say nothing about the driver.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  CLUSTER_INFO_ENV,
  type ClusterPasswordLogin,
  clusterInfo,
  readClusterInfoFile,
} from "../tools/cluster-info.js";

const execFileAsync = promisify(execFile);
const info = clusterInfo();

type Conninfo = Record<string, string | number>;

function conninfoString(params: Conninfo): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}='${String(v).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`)
    .join(" ");
}

/** Runs one statement with psql; resolves with its unaligned output. */
async function psql(params: Conninfo, sql: string, password?: string): Promise<string> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PG")) env[k] = v;
  Object.assign(env, {
    PGCONNECT_TIMEOUT: "10",
    PGCLIENTENCODING: "UTF8",
    // A ~/.pgpass must not answer for us when a test sends no password.
    PGPASSFILE: path.join(info.dataDir, "no-such-pgpass"),
    ...(password === undefined ? {} : { PGPASSWORD: password }),
  });
  const conninfo = conninfoString({ dbname: info.database, ...params });
  const { stdout } = await execFileAsync(
    path.join(info.binDir, "psql"),
    ["-X", "-w", "-At", "-d", conninfo, "-c", sql],
    {
      env,
      encoding: "utf8",
    },
  );
  return stdout.trim();
}

const tcp = (user: string, extra: Conninfo = {}): Conninfo => ({
  host: info.host,
  port: info.port,
  user,
  sslmode: "disable",
  ...extra,
});
const socket = (user: string): Conninfo => ({ host: info.socketDir, port: info.port, user });

describe("cluster info", () => {
  it("is also in the file named by the env var", () => {
    expect(process.env[CLUSTER_INFO_ENV]).toBeTruthy();
    expect(readClusterInfoFile()).toEqual(info);
  });

  it("has a unix socket at socketPath", () => {
    expect(info.socketPath).toBe(`${info.socketDir}/.s.PGSQL.${info.port}`);
    expect(fs.statSync(info.socketPath).isSocket()).toBe(true);
  });

  it("has the CA certificate on disk", () => {
    expect(fs.readFileSync(info.caCertPath, "utf8")).toContain("BEGIN CERTIFICATE");
  });

  it("reports the server's version", async () => {
    expect(Number(await psql(socket(info.superuser), "SHOW server_version_num"))).toBe(info.serverVersion);
  });
});

describe("server settings", () => {
  const show = (name: string) => psql(socket(info.superuser), `SHOW ${name}`);

  it("allows prepared transactions", async () => {
    expect(Number(await show("max_prepared_transactions"))).toBeGreaterThan(0);
  });

  it("supports logical replication", async () => {
    expect(await show("wal_level")).toBe("logical");
    expect(Number(await show("max_replication_slots"))).toBeGreaterThan(0);
  });

  it("has TLS on and stores SCRAM secrets by default", async () => {
    expect(await show("ssl")).toBe("on");
    expect(await show("password_encryption")).toBe("scram-sha-256");
  });

  it("stores the md5 user's password as MD5 and the others as SCRAM", async () => {
    const rows = await psql(
      socket(info.superuser),
      "SELECT rolname || ':' || split_part(rolpassword, '$', 1) FROM pg_authid WHERE rolpassword IS NOT NULL ORDER BY 1",
    );
    const kinds = Object.fromEntries(rows.split("\n").map((r) => [r.split(":")[0], r.split(":")[1]!.slice(0, 13)]));
    expect(kinds[info.users.md5.user]).toMatch(/^md5[0-9a-f]{10}/);
    for (const key of ["password", "scram", "scramUnicode", "sslOnly", "super"] as const) {
      expect(kinds[info.users[key].user]).toBe("SCRAM-SHA-256");
    }
  });

  it.runIf(info.hasHstore)("has hstore installed in the test database", async () => {
    expect(await psql(socket(info.users.trust.user), "SELECT 'a=>1'::hstore -> 'a'")).toBe("1");
  });
});

describe("trust logins", () => {
  it("lets the trust user in over TCP and the socket", async () => {
    expect(await psql(tcp(info.users.trust.user), "SELECT current_user")).toBe(info.users.trust.user);
    expect(await psql(socket(info.users.trust.user), "SELECT current_user")).toBe(info.users.trust.user);
  });

  it("lets the trust user create tables in public", async () => {
    const sql = "CREATE TEMP TABLE t (x int); CREATE TABLE selftest_public (x int); DROP TABLE selftest_public";
    await expect(psql(tcp(info.users.trust.user), sql)).resolves.toBeDefined();
  });

  it("lets the superuser in over TCP without a password", async () => {
    expect(await psql(tcp(info.superuser), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).toBe("t");
  });

  it.runIf(info.ipv6)("listens on ::1 too", async () => {
    expect(await psql(tcp(info.users.trust.user, { host: "::1" }), "SELECT 1")).toBe("1");
  });

  it("accepts replication connections over TCP", async () => {
    const out = await psql(tcp(info.superuser, { replication: "database" }), "IDENTIFY_SYSTEM");
    expect(out).toContain(info.database);
  });
});

describe("password logins", () => {
  const passwordUsers = ["password", "md5", "scram", "scramUnicode", "super"] as const;

  describe.each(passwordUsers)("%s user", (key) => {
    const login: ClusterPasswordLogin = info.users[key];

    it("connects over 127.0.0.1 with its password", async () => {
      expect(await psql(tcp(login.user), "SELECT current_user", login.password)).toBe(login.user);
    });

    it("connects over the socket with its password", async () => {
      expect(await psql(socket(login.user), "SELECT current_user", login.password)).toBe(login.user);
    });

    it("is refused with a wrong password", async () => {
      await expect(psql(tcp(login.user), "SELECT 1", `${login.password}x`)).rejects.toThrow(
        /password authentication failed/,
      );
    });

    it("is refused over the socket without a password", async () => {
      await expect(psql(socket(login.user), "SELECT 1")).rejects.toThrow(/no password supplied|password/);
    });
  });

  it("stores the unicode password SASLprep'd (NO-BREAK SPACE -> SPACE)", async () => {
    const login = info.users.scramUnicode;
    expect(login.password).toContain("\u00A0");
    const prepped = login.password.replace("\u00A0", " ");
    expect(await psql(tcp(login.user), "SELECT current_user", prepped)).toBe(login.user);
  });

  it("gives pg8000_super superuser rights", async () => {
    const login = info.users.super;
    expect(
      await psql(tcp(login.user), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", login.password),
    ).toBe("t");
  });
});

describe("ssl-only login", () => {
  const login = info.users.sslOnly;

  it("is refused without TLS", async () => {
    await expect(psql(tcp(login.user, { sslmode: "disable" }), "SELECT 1", login.password)).rejects.toThrow(
      /pg_hba\.conf rejects connection/,
    );
  });

  it("is accepted over TLS", async () => {
    const sql = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
    expect(await psql(tcp(login.user, { sslmode: "require" }), sql, login.password)).toBe("t");
  });

  it("is refused over TLS with a wrong password", async () => {
    await expect(psql(tcp(login.user, { sslmode: "require" }), "SELECT 1", "wrong")).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it.each(["localhost", "127.0.0.1"])("verifies the server certificate for host %s", async (host) => {
    const params = tcp(login.user, { host, sslmode: "verify-full", sslrootcert: info.caCertPath });
    expect(await psql(params, "SELECT 1", login.password)).toBe("1");
  });
});
