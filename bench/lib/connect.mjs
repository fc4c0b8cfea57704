// W9: what a short-lived client (serverless handler, CLI, cron job) pays on every request:
// connect + SCRAM-SHA-256 + one query + close, one after the other, over plain TCP and over TLS.
// Every client verifies the server's certificate against the cluster's own CA (the same settings
// for all three), and logs in as the cluster's SCRAM user.

import * as fs from "node:fs";
import pg from "pg";
import postgres from "postgres";

const QUERY = "SELECT 1 AS x";

/** The login and TLS settings W9 needs, or a reason it cannot run on this server. */
export function connectSetup(server) {
  if (!server.scram) return { reason: "the server has no SCRAM user (use a throwaway cluster)" };
  const ca = server.caCertPath ? fs.readFileSync(server.caCertPath) : undefined;
  return {
    host: server.host,
    port: server.port,
    database: server.database,
    user: server.scram.user,
    password: server.scram.password,
    tls: ca ? { ca, rejectUnauthorized: true } : undefined,
  };
}

/** One connect + query + close per client; `tls` false = plain TCP, true = TLS (verified). */
export function connectOnce(setup, tls) {
  const { host, port, database, user, password } = setup;
  const ourOptions = { host, port, database, user, password, ssl_context: tls ? setup.tls : false };
  const pgOptions = { host, port, database, user, password, ssl: tls ? setup.tls : false };
  return {
    async ours() {
      const { connect } = await import("../../dist/native/index.js");
      const con = await connect(ourOptions);
      const rows = await con.run(QUERY);
      await con.close();
      return rows?.length ?? 0;
    },
    async pg() {
      const client = new pg.Client(pgOptions);
      await client.connect();
      const r = await client.query(QUERY);
      await client.end();
      return r.rows.length;
    },
    async postgres() {
      // fetch_types: false skips its array-type query on connect (its fastest documented setting).
      const sql = postgres({
        host,
        port,
        database,
        user,
        pass: password,
        ssl: tls ? setup.tls : false,
        max: 1,
        fetch_types: false,
        onnotice: () => undefined,
      });
      const rows = await sql.unsafe(QUERY);
      await sql.end({ timeout: 5 });
      return rows.length;
    },
  };
}

/** The closures `alternate` times: `n` sequential connects each. */
export function connectClients(setup, tls, n) {
  const once = connectOnce(setup, tls);
  const loop = (fn) => async () => {
    let seen = 0;
    for (let i = 0; i < n; i++) seen += await fn();
    return seen;
  };
  return { ours: loop(once.ours), pg: loop(once.pg), postgres: loop(once.postgres) };
}
