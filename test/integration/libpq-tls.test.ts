// sslmode as libpq defines it, client certificates and the URI parameters that stay on the
// client, against the test cluster (server certificate for localhost/127.0.0.1/::1, signed by
// the test CA at cluster.caCertPath). Node only.

import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InterfaceError, OperationalError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { clientHellos, cluster, openingKind, recordingRelay, superOptions } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pg8000-libpq-tls-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// No ~/.postgresql/root.crt or client certificate of the machine's user may take part.
const savedHome = process.env.HOME;
process.env.HOME = dir;
afterAll(() => {
  process.env.HOME = savedHome;
});

const trust = { user: cluster.users.trust.user, port: cluster.port, database: cluster.database };

async function tlsOf(con: Connection): Promise<unknown[]> {
  const rows = await con.run("SELECT current_user, ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  await con.close();
  return rows![0]!;
}

describe("sslmode", () => {
  it("disable never asks; prefer and require get TLS from this server", async () => {
    expect((await tlsOf(await connect({ ...trust, host: "localhost", sslmode: "disable" })))[1]).toBe(false);
    expect((await tlsOf(await connect({ ...trust, host: "localhost", sslmode: "prefer" })))[1]).toBe(true);
    expect((await tlsOf(await connect({ ...trust, host: "localhost", sslmode: "require" })))[1]).toBe(true);
  });

  it("verify-full checks the chain and the host name", async () => {
    const ok = await connect({ ...trust, host: "localhost", sslmode: "verify-full", sslrootcert: cluster.caCertPath });
    expect((await tlsOf(ok))[1]).toBe(true);
    // The certificate is for localhost: a different name at the same address is refused.
    const err = await connect({
      ...trust,
      host: "db.example",
      hostaddr: "127.0.0.1",
      sslmode: "verify-full",
      sslrootcert: cluster.caCertPath,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(/TLS handshake with the server failed: .*(Hostname|altnames).*db\.example/i);
  });

  it("verify-ca checks the chain but not the host name", async () => {
    const con = await connect({
      ...trust,
      host: "db.example",
      hostaddr: "127.0.0.1",
      sslmode: "verify-ca",
      sslrootcert: cluster.caCertPath,
    });
    expect((await tlsOf(con))[1]).toBe(true);
    // The chain still counts: a root that did not sign the server certificate is refused.
    const err = await connect({
      ...trust,
      host: "localhost",
      sslmode: "verify-ca",
      sslrootcert: cluster.clientCertPath,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(/TLS handshake with the server failed/);
  });

  it("require verifies the chain when a root certificate is given (libpq's rule)", async () => {
    const err = await connect({
      ...trust,
      host: "localhost",
      sslmode: "require",
      sslrootcert: cluster.clientCertPath,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    const con = await connect({ ...trust, host: "db.example", hostaddr: "127.0.0.1", sslmode: "require" });
    expect((await tlsOf(con))[1]).toBe(true);
  });

  it("~/.postgresql/root.crt is the default root certificate; verify-* without one says what to set", async () => {
    const err = await connect({ ...trust, host: "localhost", sslmode: "verify-full" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(
      /sslmode=verify-full needs root certificates.*root\.crt" does not exist.*sslrootcert=system/,
    );
    mkdirSync(join(dir, ".postgresql"), { recursive: true });
    copyFileSync(cluster.caCertPath, join(dir, ".postgresql", "root.crt"));
    try {
      expect((await tlsOf(await connect({ ...trust, host: "localhost", sslmode: "verify-full" })))[1]).toBe(true);
    } finally {
      rmSync(join(dir, ".postgresql", "root.crt"));
    }
  });

  it("sslrootcert=system trusts the system's roots (which did not sign the test CA) and means verify-full", async () => {
    const err = await connect({ ...trust, host: "localhost", sslrootcert: "system" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(
      /TLS handshake with the server failed: .*(self.signed|unable to get|local issuer)/i,
    );
    await expect(connect({ ...trust, host: "localhost", sslrootcert: "system", sslmode: "verify-ca" })).rejects.toThrow(
      /weak sslmode "verify-ca" may not be used with sslrootcert=system/,
    );
  });

  it("ssl_min_protocol_version and ssl_max_protocol_version bound the TLS version", async () => {
    const version = async (extra: object): Promise<unknown> => {
      const con = await connect({ ...trust, host: "localhost", sslmode: "require", ...extra });
      const rows = await con.run("SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
      await con.close();
      return rows![0]![0];
    };
    expect(await version({ ssl_max_protocol_version: "TLSv1.2" })).toBe("TLSv1.2");
    expect(await version({ ssl_min_protocol_version: "TLSv1.3" })).toBe("TLSv1.3");
    await expect(version({ ssl_min_protocol_version: "SSLv3" })).rejects.toThrow(
      /invalid ssl_min_protocol_version "SSLv3"/,
    );
  });

  it("a server that refuses TLS (the unix socket answers 'N') fails require with the mode named", async () => {
    const err = await connect({
      user: cluster.superuser,
      unix_sock: cluster.socketPath,
      database: cluster.database,
      sslmode: "require",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/refuses SSL.*sslmode=require requires it/);
  });

  it("allow tries without TLS first and retries with it when the server refuses (hostssl user)", async () => {
    const login = cluster.users.sslOnly;
    const con = await connect({
      ...login,
      host: cluster.host,
      port: cluster.port,
      database: cluster.database,
      sslmode: "allow",
    });
    expect(await tlsOf(con)).toEqual([login.user, true, null]);
    const plain = await connect({ ...trust, host: cluster.host, sslmode: "allow" });
    expect((await tlsOf(plain))[1]).toBe(false);
  });
});

describe("sslmode prefer falls back to plain text when the server refuses the TLS login", () => {
  const login = {
    user: cluster.users.plainOnly.user,
    host: "localhost",
    port: cluster.port,
    database: cluster.database,
  };

  it("prefer retries without TLS (hostssl reject); require gets the refusal", async () => {
    expect(await tlsOf(await connect({ ...login, sslmode: "prefer" }))).toEqual([login.user, false, null]);
    const err = await connect({ ...login, sslmode: "require" }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("28000");
  });
});

describe("certificate revocation lists", () => {
  /** CRLs signed by the test CA: one empty, one revoking the server's certificate. */
  function makeCrls(): { empty: string; revoked: string; revokedDir: string } {
    const tls = dirname(cluster.caCertPath);
    const work = mkdtempSync(join(dir, "crl-"));
    writeFileSync(join(work, "index.txt"), "");
    writeFileSync(join(work, "crlnumber"), "01\n");
    const config = join(work, "ca.cnf");
    writeFileSync(
      config,
      `[ca]\ndefault_ca = test\n[test]\ndatabase = ${work}/index.txt\ncrlnumber = ${work}/crlnumber\n` +
        "default_md = sha256\ndefault_crl_days = 2\n",
    );
    const ca = ["-config", config, "-cert", cluster.caCertPath, "-keyfile", join(tls, "ca.key")];
    const openssl = (args: string[]) => execFileSync("openssl", ["ca", ...ca, ...args], { stdio: "pipe" });
    const empty = join(work, "empty.crl");
    openssl(["-gencrl", "-out", empty]);
    openssl(["-revoke", join(tls, "server.crt")]);
    const revokedDir = join(work, "dir");
    mkdirSync(revokedDir);
    const revoked = join(revokedDir, "revoked.crl");
    openssl(["-gencrl", "-out", revoked]);
    return { empty, revoked, revokedDir };
  }

  it("sslcrl and sslcrldir: a revoked server certificate is refused, an unrevoked one accepted", async () => {
    const crls = makeCrls();
    const verified = { ...trust, host: "localhost", sslmode: "verify-full" as const, sslrootcert: cluster.caCertPath };
    expect((await tlsOf(await connect({ ...verified, sslcrl: crls.empty })))[1]).toBe(true);
    for (const revoked of [{ sslcrl: crls.revoked }, { sslcrldir: crls.revokedDir }]) {
      const err = await connect({ ...verified, ...revoked }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationalError);
      expect((err as Error).message).toMatch(/TLS handshake with the server failed: certificate revoked/);
    }
  });
});

describe("client certificates", () => {
  const certUser = { user: cluster.users.cert.user, host: "localhost", port: cluster.port, database: cluster.database };

  it("sslcert and sslkey log in a pg_hba `cert` user", async () => {
    const con = await connect({
      ...certUser,
      sslmode: "verify-full",
      sslrootcert: cluster.caCertPath,
      sslcert: cluster.clientCertPath,
      sslkey: cluster.clientKeyPath,
    });
    expect(await tlsOf(con)).toEqual([cluster.users.cert.user, true, `/CN=${cluster.users.cert.user}`]);
  });

  it("without a certificate the server refuses; ~/.postgresql/postgresql.crt/.key are the defaults", async () => {
    const err = await connect({ ...certUser, sslmode: "require" }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("28000");
    mkdirSync(join(dir, ".postgresql"), { recursive: true });
    copyFileSync(cluster.clientCertPath, join(dir, ".postgresql", "postgresql.crt"));
    copyFileSync(cluster.clientKeyPath, join(dir, ".postgresql", "postgresql.key"));
    chmodSync(join(dir, ".postgresql", "postgresql.key"), 0o600);
    try {
      expect((await tlsOf(await connect({ ...certUser, sslmode: "require" })))[0]).toBe(cluster.users.cert.user);
      // sslcertmode=disable keeps the certificate back.
      const refused = await connect({ ...certUser, sslmode: "require", sslcertmode: "disable" }).catch(
        (e: unknown) => e,
      );
      expect((refused as { code?: string }).code).toBe("28000");
    } finally {
      rmSync(join(dir, ".postgresql"), { recursive: true });
    }
  });

  it("a private key others can read is refused before anything is sent", async () => {
    const key = join(dir, "open.key");
    copyFileSync(cluster.clientKeyPath, key);
    chmodSync(key, 0o644);
    const err = await connect({ ...certUser, sslmode: "require", sslcert: cluster.clientCertPath, sslkey: key }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/private key file ".*open\.key" has group or world access/);
  });

  it("a missing sslcert file is an InterfaceError naming the parameter", async () => {
    const err = await connect({ ...certUser, sslmode: "require", sslcert: join(dir, "nope.crt") }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/could not read sslcert file ".*nope\.crt"/);
  });
});

describe("URI parameters stay on the client", () => {
  it("a Neon-style URI with channel_binding, sslrootcert and target_session_attrs connects", async () => {
    const { user, password } = cluster.users.scram;
    const uri =
      `postgresql://${user}:${encodeURIComponent(password)}@localhost:${cluster.port}/${cluster.database}` +
      `?sslmode=verify-full&sslrootcert=${encodeURIComponent(cluster.caCertPath)}&channel_binding=require` +
      "&target_session_attrs=read-write&connect_timeout=10&application_name=neon-style&options=-c%20geqo%3Doff";
    const con = await connect(uri);
    const rows = await con.run("SELECT current_user, current_setting('application_name'), current_setting('geqo')");
    expect(rows).toEqual([[user, "neon-style", "off"]]);
    await con.close();
  });

  it("an unknown URI parameter is refused before connecting", async () => {
    await expect(connect(`postgresql://u@localhost:${cluster.port}/db?search_path=x`)).rejects.toThrow(
      /invalid URI query parameter "search_path".*options=-c/,
    );
  });
});

describe("cancelling a query on a TLS session", () => {
  it("the CancelRequest goes over TLS too (as libpq 17), and in plain on a plain session", async () => {
    const relay = await recordingRelay(cluster.port);
    try {
      const via = { ...trust, host: "localhost", port: relay.port };
      for (const [sslmode, expected] of [
        ["require", ["SSLRequest", "SSLRequest"]],
        ["prefer", ["SSLRequest", "SSLRequest"]],
        ["disable", ["other", "CancelRequest"]],
      ] as const) {
        relay.sent.length = 0;
        const con = await connect({ ...via, sslmode });
        const err = await con.run("SELECT pg_sleep(10)", null, { timeout: 0.2 }).catch((e: unknown) => e);
        expect((err as { code?: string }).code).toBe("57014");
        expect(await con.run("SELECT 1")).toEqual([[1]]);
        await con.close();
        // The session's opening, then the cancel connection's (the StartupMessage is "other").
        expect(relay.openings.map(openingKind)).toEqual(expected);
      }
    } finally {
      relay.close();
    }
  });
});

describe("the TLS handshake's key exchange", () => {
  it("offers a key share the server takes at once: one ClientHello, no HelloRetryRequest round trip", async () => {
    // PostgreSQL up to 17 agrees only on its ssl_ecdh_curve, prime256v1 unless configured.
    const admin = await connect(superOptions());
    expect(await admin.run("SHOW ssl_ecdh_curve")).toEqual([["prime256v1"]]);
    await admin.close();
    const relay = await recordingRelay(cluster.port);
    try {
      const via = { ...trust, host: "localhost", port: relay.port };
      for (const options of [
        { sslmode: "require" },
        { sslmode: "verify-full", sslrootcert: cluster.caCertPath },
        { ssl_context: { ca: readFileSync(cluster.caCertPath!), rejectUnauthorized: true } },
      ] as const) {
        relay.sent.length = 0;
        expect((await tlsOf(await connect({ ...via, ...options })))[1]).toBe(true);
        expect(clientHellos(relay.sent[0]!)).toBe(1);
      }
    } finally {
      relay.close();
    }
  });

  it("key-exchange groups given in ssl_context are used as given (X25519 first: the server asks again)", async () => {
    const relay = await recordingRelay(cluster.port);
    try {
      const ssl_context = { rejectUnauthorized: false, ecdhCurve: "X25519:P-256" };
      expect((await tlsOf(await connect({ ...trust, host: "localhost", port: relay.port, ssl_context })))[1]).toBe(
        true,
      );
      expect(clientHellos(relay.sent[0]!)).toBe(2);
    } finally {
      relay.close();
    }
  });
});
