// The key share a TLS handshake opens with: connect (TLS, certificate verified) + SELECT 1 +
// close with W9's SCRAM login, sequential, alternating our default (a P-256 share first, see keyExchangeGroups in
// src/transport/tls-context.ts) with OpenSSL's own default (`ecdhCurve: "auto"`, an X25519 share
// first), against the test cluster's server. PostgreSQL up to 17 agrees only on its
// ssl_ecdh_curve (prime256v1 by default), so OpenSSL's default costs a HelloRetryRequest.
// `delay` > 0 puts a relay in between that holds every chunk `delay` ms each way (a network with
// a round trip of 2 × delay ms), where that round trip shows.
//
//   node bench/connect-groups.mjs [connects=100] [rounds=6] [delay ms=0]

import * as fs from "node:fs";
import { startServer } from "../test/tools/cluster.mjs";
import { alternateConnects, connectQueryClose, delayingRelay } from "./lib/connect-ab.mjs";

const n = Number(process.argv[2] ?? 100);
const rounds = Number(process.argv[3] ?? 6);
const delay = Number(process.argv[4] ?? 0);
const { connect } = await import("../dist/native/index.js");

const cluster = await startServer({ log: () => {} });
if (!cluster.caCertPath || !cluster.scram)
  throw new Error("needs the test cluster's certificate and SCRAM user (use a throwaway cluster)");
const ca = fs.readFileSync(cluster.caCertPath);

const relay = delay > 0 ? await delayingRelay(cluster.host, cluster.port, delay) : null;

const options = {
  host: "127.0.0.1",
  port: relay ? /** @type {import("node:net").AddressInfo} */ (relay.address()).port : cluster.port,
  user: cluster.scram.user,
  password: cluster.scram.password,
  database: cluster.database,
};
/** @type {Record<"ours" | "openssl", Record<string, unknown>>} */
const contexts = {
  ours: { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined },
  openssl: { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined, ecdhCurve: "auto" },
};

try {
  const ms = await alternateConnects(
    /** @type {["ours", "openssl"]} */ (["ours", "openssl"]),
    (groups) => connectQueryClose(connect, { ...options, ssl_context: contexts[groups] }),
    n,
    rounds,
  );
  const o = ms.ours;
  const d = ms.openssl;
  console.log(
    `${relay ? `through a relay adding ${delay} ms each way, ` : ""}${n} connects × ${rounds} rounds, medians: ` +
      `OpenSSL's default groups (X25519 share) ${d.toFixed(2)} ms/connect, ours (P-256 share) ${o.toFixed(2)} ms/connect ` +
      `(ours ÷ OpenSSL's ${(o / d).toFixed(2)}×, ${(d - o).toFixed(2)} ms less)`,
  );
} finally {
  relay?.close();
  cluster.destroy?.();
}
