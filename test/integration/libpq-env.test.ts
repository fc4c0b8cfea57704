// libpq's environment variables, service file and password file fill what connect() was not
// given, against the test cluster. Node only (the bridge project does not run this file).

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { InterfaceError, OperationalError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { cluster } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pg8000-libpq-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

function setEnv(vars: Record<string, string>): void {
  Object.assign(process.env, vars);
}

async function session(con: Connection): Promise<unknown[]> {
  const rows = await con.run(
    "SELECT current_user, current_database(), inet_server_port(), current_setting('application_name')",
  );
  await con.close();
  return rows![0]!;
}

const tcpEnv = { PGHOST: cluster.host, PGPORT: String(cluster.port), PGDATABASE: cluster.database };

describe("environment variables", () => {
  it("connect({}) with PGUSER, PGHOST, PGPORT, PGDATABASE, PGAPPNAME set", async () => {
    setEnv({ ...tcpEnv, PGUSER: cluster.users.trust.user, PGAPPNAME: "from-env" });
    expect(await session(await connect({}))).toEqual([
      cluster.users.trust.user,
      cluster.database,
      cluster.port,
      "from-env",
    ]);
  });

  it("PGPASSWORD is the password when none is given; explicit options win over the environment", async () => {
    setEnv({ ...tcpEnv, PGUSER: cluster.users.scram.user, PGPASSWORD: cluster.users.scram.password });
    expect((await session(await connect({})))[0]).toBe(cluster.users.scram.user);
    const con = await connect({ user: cluster.users.md5.user, password: cluster.users.md5.password });
    expect((await session(con))[0]).toBe(cluster.users.md5.user);
    const wrong = await connect({ password: "wrong" }).catch((e: unknown) => e);
    expect((wrong as { code?: string }).code).toBe("28P01");
  });

  it("PGSSLMODE and PGSSLROOTCERT decide TLS; PGTZ sets the time zone; PGOPTIONS server options", async () => {
    setEnv({
      ...tcpEnv,
      PGUSER: cluster.users.trust.user,
      PGHOST: "localhost",
      PGSSLMODE: "verify-full",
      PGSSLROOTCERT: cluster.caCertPath,
      PGTZ: "Asia/Tokyo",
      PGOPTIONS: "-c search_path=pg_catalog",
    });
    const con = await connect({});
    const rows = await con.run(
      "SELECT ssl, current_setting('TimeZone'), current_setting('search_path') FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    );
    expect(rows).toEqual([[true, "Asia/Tokyo", "pg_catalog"]]);
    await con.close();
    setEnv({ PGSSLMODE: "disable" });
    const plain = await connect({});
    expect(await plain.run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).toEqual([[false]]);
    await plain.close();
  });

  it("PGHOSTADDR connects there while PGHOST names the server; PGCONNECT_TIMEOUT must be an integer", async () => {
    setEnv({ ...tcpEnv, PGUSER: cluster.users.trust.user, PGHOST: "db.invalid", PGHOSTADDR: "127.0.0.1" });
    expect((await session(await connect({ sslmode: "disable" })))[0]).toBe(cluster.users.trust.user);
    setEnv({ PGCONNECT_TIMEOUT: "ten" });
    await expect(connect({})).rejects.toThrow(/invalid integer value "ten" for connection option "connect_timeout"/);
  });

  it("without a user anywhere the error names the ways to give one", async () => {
    setEnv(tcpEnv);
    const err = await connect({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/'user' connection option is required.*PGUSER/);
  });
});

describe("connection service file", () => {
  it("PGSERVICE picks a section of PGSERVICEFILE; explicit options win over it, it wins over the environment", async () => {
    const file = join(dir, "services.conf");
    writeFileSync(
      file,
      [
        "[reports]",
        `host=${cluster.host}`,
        `port=${cluster.port}`,
        `dbname=${cluster.database}`,
        `user=${cluster.users.scram.user}`,
        `password=${cluster.users.scram.password}`,
        "application_name=from-service",
        "[elsewhere]",
        "host=nowhere.invalid",
      ].join("\n"),
    );
    setEnv({ PGSERVICEFILE: file, PGSERVICE: "reports", PGAPPNAME: "from-env", PGUSER: "env-user" });
    expect(await session(await connect({}))).toEqual([
      cluster.users.scram.user,
      cluster.database,
      cluster.port,
      "from-service",
    ]);
    const explicit = await connect({ application_name: "explicit" });
    expect((await session(explicit))[3]).toBe("explicit");
    // The service keyword itself, in a connection string.
    delete process.env.PGSERVICE;
    expect((await session(await connect("service=reports")))[0]).toBe(cluster.users.scram.user);
  });

  it("a service that no file defines is an InterfaceError naming the files", async () => {
    setEnv({ PGSERVICEFILE: join(dir, "none.conf"), PGSYSCONFDIR: dir });
    const err = await connect({ service: "nosuch", user: "u" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/definition of service "nosuch" not found/);
  });
});

describe("password file", () => {
  const login = cluster.users.scram;
  const line = `${cluster.host}:${cluster.port}:${cluster.database}:${login.user}:${login.password.replace(/:/g, "\\:")}`;
  const options = { user: login.user, host: cluster.host, port: cluster.port, database: cluster.database };

  it("PGPASSFILE (mode 0600) gives the password the server asks for", async () => {
    const file = join(dir, "pgpass-private");
    writeFileSync(file, `# for the tests\nother:*:*:*:nope\n${line}\n`);
    chmodSync(file, 0o600);
    setEnv({ PGPASSFILE: file });
    expect((await session(await connect(options)))[0]).toBe(login.user);
    // The passfile option, and a host that matches no line: no password.
    delete process.env.PGPASSFILE;
    expect((await session(await connect({ ...options, passfile: file })))[0]).toBe(login.user);
    const err = await connect({ ...options, passfile: file, host: "localhost" }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/no password was given/);
  });

  it("~/.pgpass is the default", async () => {
    const home = mkdtempSync(join(dir, "home-"));
    writeFileSync(join(home, ".pgpass"), `${line}\n`, { mode: 0o600 });
    setEnv({ HOME: home });
    expect((await session(await connect(options)))[0]).toBe(login.user);
  });

  it("a file that group or others can read is ignored with a warning, as libpq does", async () => {
    const file = join(dir, "pgpass-open");
    writeFileSync(file, `${line}\n`);
    chmodSync(file, 0o644);
    const emit = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const err = await connect({ ...options, passfile: file }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InterfaceError);
      expect((err as Error).message).toMatch(/no password was given/);
      expect(emit).toHaveBeenCalledWith(
        expect.stringMatching(/password file ".*pgpass-open" has group or world access; .*0600.*ignoring it/),
        expect.anything(),
      );
    } finally {
      emit.mockRestore();
    }
  });

  it("is not read when a password was given", async () => {
    const file = join(dir, "pgpass-wrong");
    writeFileSync(file, `*:*:*:*:wrong\n`, { mode: 0o600 });
    const con = await connect({ ...options, password: login.password, passfile: file });
    expect((await session(con))[0]).toBe(login.user);
    const err = await connect({ ...options, passfile: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as { code?: string }).code).toBe("28P01");
  });
});
