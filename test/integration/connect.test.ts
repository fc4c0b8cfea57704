import { readFileSync } from "node:fs";
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { type DatabaseError, InterfaceError, OperationalError, ProgrammingError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";
import { connectSocket } from "../../src/transport/node.js";
import type { Transport } from "../../src/transport/transport.js";
import { cluster, superOptions, trustOptions } from "./helpers.js";

const tcp = { host: cluster.host, port: cluster.port, database: cluster.database };

async function whoAmI(con: Awaited<ReturnType<typeof connect>>): Promise<unknown[]> {
  const rows = await con.run("SELECT current_user, (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())");
  return rows![0]!;
}

describe("authentication", () => {
  it("trust", async () => {
    const con = await connect({ ...tcp, user: cluster.users.trust.user, ssl_context: false });
    expect(await whoAmI(con)).toEqual([cluster.users.trust.user, false]);
    await con.close();
  });

  it.each([
    ["cleartext password", cluster.users.password],
    ["md5", cluster.users.md5],
    ["scram-sha-256", cluster.users.scram],
  ])("%s over plain TCP", async (_name, login) => {
    const con = await connect({ ...tcp, ...login, ssl_context: false });
    expect(await whoAmI(con)).toEqual([login.user, false]);
    await con.close();
  });

  it.each([
    ["cleartext password", cluster.users.password],
    ["md5", cluster.users.md5],
    ["scram-sha-256", cluster.users.scram],
  ])("%s over the unix socket", async (_name, login) => {
    const con = await connect({ ...login, unix_sock: cluster.socketPath, database: cluster.database });
    expect((await con.run("SELECT current_user"))![0]).toEqual([login.user]);
    await con.close();
  });

  it("scram-sha-256 over TLS uses channel binding (SCRAM-SHA-256-PLUS) and succeeds", async () => {
    const con = await connect({ ...tcp, ...cluster.users.scram, ssl_context: true });
    expect(await whoAmI(con)).toEqual([cluster.users.scram.user, true]);
    await con.close();
  });

  it("on TLS the SASL exchange really uses SCRAM-SHA-256-PLUS with tls-server-end-point binding", async () => {
    // A transport that records what the driver writes (before TLS encrypts it).
    const inner = await connectSocket({ host: cluster.host, port: cluster.port, keepAlive: true });
    const written: string[] = [];
    const recording: Transport = {
      attach: (h) => inner.attach(h),
      write: (bytes) => {
        written.push(Buffer.from(bytes).toString("latin1"));
        return inner.write(bytes);
      },
      pause: () => inner.pause(),
      resume: () => inner.resume(),
      end: () => inner.end(),
      destroy: (e) => inner.destroy(e),
      get encrypted() {
        return inner.encrypted;
      },
      startTls: (o) => inner.startTls(o),
      serverCertificate: () => inner.serverCertificate(),
    };
    const con = await connect({
      ...cluster.users.scram,
      database: cluster.database,
      sock: recording,
      ssl_context: true,
    });
    expect(await whoAmI(con)).toEqual([cluster.users.scram.user, true]);
    const exchange = written.join("");
    expect(exchange).toContain("SCRAM-SHA-256-PLUS\0");
    expect(exchange).toContain("p=tls-server-end-point,,n=,r=");
    await con.close();
  });

  it("SASLprep: a password with a no-break space matches the server's prepared verifier", async () => {
    const con = await connect({ ...tcp, ...cluster.users.scramUnicode, ssl_context: false });
    expect((await whoAmI(con))[0]).toBe(cluster.users.scramUnicode.user);
    await con.close();
  });

  it("password may be a function (sync or async)", async () => {
    const con = await connect({
      ...tcp,
      user: cluster.users.scram.user,
      password: async () => cluster.users.scram.password,
    });
    expect((await whoAmI(con))[0]).toBe(cluster.users.scram.user);
    await con.close();
  });

  it.each([
    ["cleartext password", cluster.users.password.user],
    ["md5", cluster.users.md5.user],
    ["scram-sha-256", cluster.users.scram.user],
  ])("%s with a wrong password → OperationalError 28P01", async (_name, user) => {
    const err = await connect({ ...tcp, user, password: "wrong", ssl_context: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as DatabaseError).code).toBe("28P01");
    expect((err as DatabaseError).message).toMatch(/password authentication failed/);
  });

  it.each([cluster.users.password.user, cluster.users.md5.user, cluster.users.scram.user])(
    "missing password for %s → InterfaceError saying so",
    async (user) => {
      const err = await connect({ ...tcp, user, ssl_context: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InterfaceError);
      expect((err as Error).message).toMatch(/no password was given/);
    },
  );

  it("a missing database → ProgrammingError 3D000", async () => {
    const err = await connect(trustOptions({ database: "no_such_db_xyz" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);
    expect((err as DatabaseError).code).toBe("3D000");
  });
});

describe("TLS (ssl_context)", () => {
  it("undefined (prefer) uses TLS when the server offers it", async () => {
    const con = await connect(trustOptions());
    expect((await whoAmI(con))[1]).toBe(true);
    await con.close();
  });

  it("true requires TLS (unverified certificate)", async () => {
    const con = await connect(trustOptions({ ssl_context: true }));
    expect((await whoAmI(con))[1]).toBe(true);
    await con.close();
  });

  it("false never sends SSLRequest", async () => {
    const con = await connect(trustOptions({ ssl_context: false }));
    expect((await whoAmI(con))[1]).toBe(false);
    await con.close();
  });

  it("an options object verifies the certificate against a CA (verify-full)", async () => {
    const ca = readFileSync(cluster.caCertPath);
    const con = await connect(trustOptions({ host: "localhost", ssl_context: { ca, rejectUnauthorized: true } }));
    expect((await whoAmI(con))[1]).toBe(true);
    await con.close();
  });

  it("an options object without the CA rejects the self-signed certificate", async () => {
    const err = await connect(trustOptions({ host: "localhost", ssl_context: { rejectUnauthorized: true } })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(/TLS handshake/);
  });

  it("refused: the unix socket answers 'N'; prefer falls back, required raises", async () => {
    const con = await connect(superOptions());
    expect((await con.run("SELECT 1"))![0]).toEqual([1]);
    await con.close();
    const err = await connect(superOptions({ ssl_context: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/refuses SSL/);
  });

  it("a hostssl-only user is refused without TLS and accepted with it", async () => {
    const refused = await connect({ ...tcp, ...cluster.users.sslOnly, ssl_context: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OperationalError);
    expect((refused as DatabaseError).code).toBe("28000");
    const con = await connect({ ...tcp, ...cluster.users.sslOnly });
    expect(await whoAmI(con)).toEqual([cluster.users.sslOnly.user, true]);
    await con.close();
  });
});

describe("connect options", () => {
  it("accepts a postgresql:// URI", async () => {
    const { user, password } = cluster.users.scram;
    const uri = `postgresql://${user}:${encodeURIComponent(password)}@${cluster.host}:${cluster.port}/${cluster.database}?application_name=uri_app&sslmode=require`;
    const con = await connect(uri);
    expect(await con.run("SELECT current_user, current_setting('application_name')")).toEqual([[user, "uri_app"]]);
    expect((await whoAmI(con))[1]).toBe(true);
    await con.close();
  });

  it("a URI with a socket directory as host", async () => {
    const uri = `postgresql://${cluster.superuser}@${encodeURIComponent(cluster.socketDir)}:${cluster.port}/${cluster.database}`;
    const con = await connect(uri);
    expect(await con.run("SELECT current_user")).toEqual([[cluster.superuser]]);
    await con.close();
  });

  it("application_name and startup_params reach the server", async () => {
    const con = await connect(
      trustOptions({
        application_name: "pg8000-test",
        startup_params: { TimeZone: "Asia/Kolkata", search_path: "pg_catalog" },
      }),
    );
    expect(
      await con.run(
        "SELECT current_setting('application_name'), current_setting('TimeZone'), current_setting('search_path')",
      ),
    ).toEqual([["pg8000-test", "Asia/Kolkata", "pg_catalog"]]);
    expect(con.parameter_statuses.TimeZone).toBe("Asia/Kolkata");
    expect(con.parameter_statuses.application_name).toBe("pg8000-test");
    await con.close();
  });

  it.each(["user", "database", "application_name", "replication"])(
    "startup_params refuses the reserved key %s",
    async (key) => {
      await expect(connect(trustOptions({ startup_params: { [key]: "x" } }))).rejects.toThrow(InterfaceError);
    },
  );

  it("unknown options, a missing user and a bad port are InterfaceErrors that say what to fix", async () => {
    await expect(connect({ ...trustOptions(), usr: "x" } as never)).rejects.toThrow(/unknown connection option 'usr'/);
    await expect(connect({ host: "localhost" } as never)).rejects.toThrow(/'user' connection option is required/);
    await expect(connect(trustOptions({ port: 70000 }))).rejects.toThrow(/'port' must be an integer/);
  });

  it("source_address binds the local end", async () => {
    const con = await connect(trustOptions({ source_address: ["127.0.0.1"] }));
    expect(await con.run("SELECT host(inet_client_addr())")).toEqual([["127.0.0.1"]]);
    await con.close();
  });

  it("an existing socket (sock)", async () => {
    const sock = net.connect({ host: cluster.host, port: cluster.port });
    await new Promise((resolve) => sock.once("connect", resolve));
    const con = await connect({ user: cluster.users.trust.user, database: cluster.database, sock, ssl_context: false });
    expect(await con.run("SELECT 42")).toEqual([[42]]);
    await con.close();
  });

  it("connection refused → OperationalError naming the address", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const err = await connect({ user: "x", host: "127.0.0.1", port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it("replication: 'database' runs IDENTIFY_SYSTEM", async () => {
    const con = await connect(superOptions({ replication: "database" }));
    const rows = await con.run("IDENTIFY_SYSTEM");
    expect(con.columns!.map((c) => c.name)).toEqual(["systemid", "timeline", "xlogpos", "dbname"]);
    expect(rows![0]![3]).toBe(cluster.database);
    await con.close();
  });
});
