// Shared by the connect A/B scripts (connect-direct.mjs, connect-groups.mjs): a relay that adds
// network delay, and two ways of connecting timed in alternation.

import * as net from "node:net";
import { median } from "./stats.mjs";

/**
 * A TCP relay to `host`:`port` that forwards each chunk `ms` later, in order (a network with a
 * round trip of 2 × `ms`). Resolves to the listening server; its port is the one to connect to.
 * @param {string} host
 * @param {number} port
 * @param {number} ms
 * @returns {Promise<net.Server>}
 */
export async function delayingRelay(host, port, ms) {
  const relay = net.createServer((client) => {
    const upstream = net.connect({ host, port });
    /** @param {net.Socket} from @param {net.Socket} to */
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

/**
 * Times `connects` sequential runs of `once(name)` for each of the two names, alternating their
 * order over `rounds` rounds after one warm-up each; resolves to the median ms per run of each.
 * @template {string} N
 * @param {[N, N]} names
 * @param {(name: N) => Promise<void>} once
 * @param {number} connects
 * @param {number} rounds
 * @returns {Promise<Record<N, number>>}
 */
export async function alternateConnects(names, once, connects, rounds) {
  /** @param {N} name */
  const timed = async (name) => {
    const t0 = performance.now();
    for (let i = 0; i < connects; i++) await once(name);
    return (performance.now() - t0) / connects;
  };
  for (const name of names) await timed(name); // warm-up
  /** @type {Record<string, number[]>} */
  const ms = Object.fromEntries(names.map((name) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [names[1], names[0]] : names;
    for (const name of order) ms[name].push(await timed(name));
  }
  return /** @type {Record<N, number>} */ (Object.fromEntries(names.map((name) => [name, median(ms[name])])));
}

/**
 * One connect + `SELECT 1` + close with `connect` (the driver's) and `options`.
 * @param {(options: any) => Promise<{ run(sql: string): Promise<unknown>; close(): Promise<void> }>} connect
 * @param {Record<string, unknown>} options
 */
export async function connectQueryClose(connect, options) {
  const con = await connect(options);
  await con.run("SELECT 1 AS x");
  await con.close();
}
