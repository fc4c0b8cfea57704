// The conformance suite (oracle.ts, cases in cases.ts) on PGlite — PostgreSQL 18 compiled to
// WebAssembly — served over TCP by @electric-sql/pglite-socket on a free port, and reached by
// our driver like any server (plain TCP, user postgres). PGlite serves one connection, so the
// cases run on one connection, one at a time. It covers what the PostgreSQL 15 test cluster
// cannot: multiranges and other types on the newest server.

import { PGlite } from "@electric-sql/pglite";
import { citext } from "@electric-sql/pglite/contrib/citext";
import { hstore } from "@electric-sql/pglite/contrib/hstore";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { afterAll } from "vitest";
import { connect } from "../../src/native/index.js";
import { defineConformanceSuite } from "./oracle.js";

// Started while the file is collected: the cases to define depend on the server's version.
const db = await PGlite.create({ extensions: { hstore, citext } });
const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 });
await server.start();
const address = server.getServerConn(); // "127.0.0.1:<port>"
const port = Number(address.slice(address.lastIndexOf(":") + 1));
const serverVersion = Number(
  (await db.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v,
);

afterAll(async () => {
  await server.stop();
  await db.close();
});

defineConformanceSuite({
  backend: "pglite",
  serverVersion,
  connect: () => connect({ host: "127.0.0.1", port, user: "postgres", database: "postgres", ssl_context: false }),
  sequential: true,
  extensions: true,
  connections: 1,
});
