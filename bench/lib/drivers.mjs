// The three JS clients behind one small interface, each with its fastest documented settings:
//   ours      pg8000 native API (cached named statements, binary results, pipelining built in);
//             DB-API executemany; run_columnar for W5.
//   pg        node-postgres: rowMode 'array', named prepared statements { name, text, values };
//             a second client with { pipeline: true } (pg ≥ 8.23) for the concurrent workloads.
//   postgres  postgres.js: .values() (array rows), prepared statements, one connection (max: 1)
//             so concurrent calls pipeline on it as ours do.
// Every method returns a number (rows seen) that the harness checks, so no work is skipped.

import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import postgres from "postgres";

export const SQL = {
  w1: "SELECT a, b, c, d, e, f, g FROM bench_w1 LIMIT $1",
  /** W1 without parameters: the simple query protocol (text results) where the client uses it. */
  w1simple: (n) => `SELECT a, b, c, d, e, f, g FROM bench_w1 LIMIT ${n}`,
  w2: "SELECT $1::int",
  w4copy: "COPY bench_w4 (a, b, c, d, e, f, g) FROM STDIN",
  w4many: "INSERT INTO bench_w4m (a, b, c, d) VALUES ($1, $2, $3, $4)",
  w4manyFormat: "INSERT INTO bench_w4m (a, b, c, d) VALUES (%s, %s, %s, %s)",
  w5: "SELECT a, b, c, d FROM bench_w5 LIMIT $1",
};

/** The rows executemany inserts (same values for every client). */
export function manyRows(n) {
  const rows = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = [i, `name ${i}`, i * 0.25, i % 3 === 0];
  return rows;
}

/** Rows in a run() result (null: the statement returned no rows description). */
function rowCount(rows) {
  return rows === null ? 0 : rows.length;
}

async function importOurs() {
  const native = await import("../../dist/native/index.js");
  const dbapi = await import("../../dist/index.js");
  return { native, dbapi };
}

export class Ours {
  name = "ours";
  /** @type {import("../../dist/native/index.js").Connection} */
  con = /** @type {any} */ (null);
  /** @type {() => Promise<import("../../dist/index.js").Connection>} */
  dbapiConnect = /** @type {any} */ (null);
  /** @type {import("../../dist/index.js").Connection | undefined} */
  dbapi;
  static async open(server, extra = {}) {
    const { native, dbapi } = await importOurs();
    /** @type {import("../../dist/native/index.js").ConnectOptions & { bridge?: unknown }} */
    const options = {
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database: server.database,
      ssl_context: false, // the peers do not use TLS by default either
      ...extra,
    };
    if (extra.bridge) {
      // Through the bridge: it dials the server itself and answers the SSLRequest with 'N'.
      delete options.host;
      delete options.port;
      delete options.ssl_context;
    }
    const self = new Ours();
    self.con = await native.connect(options);
    self.dbapiConnect = () => dbapi.connect(options);
    return self;
  }
  async w1(n) {
    return rowCount(await this.con.run(SQL.w1, [n]));
  }
  async w1simple(n) {
    return rowCount(await this.con.run(SQL.w1simple(n)));
  }
  async w2(n) {
    let seen = 0;
    for (let i = 0; i < n; i++) seen += rowCount(await this.con.run(SQL.w2, [i]));
    return seen;
  }
  async w3(n) {
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = this.con.run(SQL.w2, [i]);
    let seen = 0;
    for (const rows of await Promise.all(all)) seen += rowCount(rows);
    return seen;
  }
  async w4copy(chunks) {
    await this.con.run(SQL.w4copy, null, { stream: chunks });
    return this.con.row_count;
  }
  async w4many(rows) {
    this.dbapi ??= await this.dbapiConnect();
    const cursor = this.dbapi.cursor();
    await cursor.executemany(SQL.w4manyFormat, rows);
    await this.dbapi.commit();
    return rows.length;
  }
  /** W5: typed columns from run_columnar. */
  async w5(n) {
    const r = await this.con.run_columnar(SQL.w5, [n]);
    return r.row_count;
  }
  /** W5 through the row API, for reference. */
  async w5rows(n) {
    return rowCount(await this.con.run(SQL.w5, [n]));
  }
  async close() {
    await this.con.close();
    if (this.dbapi) await this.dbapi.close();
  }
}

export class Pg {
  name = "pg";
  /** @type {import("pg").Client} */
  client;
  /** @type {import("pg").Client} pipelining client (pg 8.23's `pipeline: true`) */
  piped;
  static async open(server) {
    const self = new Pg();
    const config = {
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database: server.database,
    };
    self.client = new pg.Client(config);
    self.piped = new pg.Client({ ...config, pipeline: true });
    await Promise.all([self.client.connect(), self.piped.connect()]);
    return self;
  }
  async w1(n) {
    const r = await this.client.query({ name: "w1", text: SQL.w1, values: [n], rowMode: "array" });
    return r.rows.length;
  }
  async w1simple(n) {
    return (await this.client.query({ text: SQL.w1simple(n), rowMode: "array" })).rows.length;
  }
  async w2(n) {
    let seen = 0;
    for (let i = 0; i < n; i++) {
      seen += (await this.client.query({ name: "w2", text: SQL.w2, values: [i], rowMode: "array" })).rows.length;
    }
    return seen;
  }
  async w3(n) {
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = this.piped.query({ name: "w2", text: SQL.w2, values: [i], rowMode: "array" });
    let seen = 0;
    for (const r of await Promise.all(all)) seen += r.rows.length;
    return seen;
  }
  async w4many(rows) {
    const c = this.piped;
    const all = [c.query("BEGIN")];
    for (const values of rows) all.push(c.query({ name: "w4m", text: SQL.w4many, values }));
    all.push(c.query("COMMIT"));
    await Promise.all(all);
    return rows.length;
  }
  async w5(n) {
    const r = await this.client.query({ name: "w5", text: SQL.w5, values: [n], rowMode: "array" });
    return r.rows.length;
  }
  async close() {
    await Promise.all([this.client.end(), this.piped.end()]);
  }
}

export class Postgres {
  name = "postgres";
  /** @type {import("postgres").Sql} */
  sql = /** @type {any} */ (null);
  static async open(server) {
    const self = new Postgres();
    self.sql = postgres({
      host: server.host,
      port: server.port,
      user: server.user,
      pass: server.password,
      database: server.database,
      max: 1,
      prepare: true,
      ssl: false,
      onnotice: () => undefined,
    });
    await self.sql`SELECT 1`; // connects (and fetches array types, as it does by default)
    return self;
  }
  q(text, params) {
    return this.sql.unsafe(text, params, { prepare: true }).values();
  }
  async w1(n) {
    return (await this.q(SQL.w1, [n])).length;
  }
  async w1simple(n) {
    return (await this.sql.unsafe(SQL.w1simple(n)).values()).length;
  }
  async w2(n) {
    let seen = 0;
    for (let i = 0; i < n; i++) seen += (await this.q(SQL.w2, [i])).length;
    return seen;
  }
  async w3(n) {
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = this.q(SQL.w2, [i]);
    let seen = 0;
    for (const rows of await Promise.all(all)) seen += rows.length;
    return seen;
  }
  async w4copy(chunks) {
    const writable = await this.sql.unsafe(SQL.w4copy).writable();
    await pipeline(Readable.from(chunks, { objectMode: false }), writable);
    return -1;
  }
  async w4many(rows) {
    await this.sql.begin((tx) => Promise.all(rows.map((values) => tx.unsafe(SQL.w4many, values, { prepare: true }))));
    return rows.length;
  }
  async w5(n) {
    return (await this.q(SQL.w5, [n])).length;
  }
  async close() {
    await this.sql.end({ timeout: 5 });
  }
}

export const DRIVERS = { ours: Ours, pg: Pg, postgres: Postgres };
