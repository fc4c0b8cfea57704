// W10 in Chromium: W1, W2 and W3 for pg8000 (through the bridge's pg8000 endpoint) and for
// @neondatabase/serverless (through the bridge's raw relay, as Neon's driver expects a
// wsproxy-style relay). The Node side (bench/lib/browser-w10.mjs) calls window.bench.* one run
// at a time so it can alternate the clients; each run times itself with performance.now().

import { Client, neonConfig } from "@neondatabase/serverless";
import { connect } from "pg8000/native";

/** @type {any} the page's hooks for the harness */
const win = window;

const SQL = {
  w1: "SELECT a, b, c, d, e, f, g FROM bench_w1 LIMIT $1",
  w2: "SELECT $1::int",
};

/** @type {Record<string, { w1(n: number): Promise<number>, w2(n: number): Promise<number>, w3(n: number): Promise<number>, close(): Promise<void> }>} */
const clients = {};

/** @param {any} cfg */
async function openOurs(cfg) {
  const con = await connect({
    user: cfg.user,
    password: cfg.password,
    database: cfg.database,
    bridge: { url: cfg.bridgeUrl, token: cfg.token, target: cfg.target },
  });
  return {
    w1: async (n) => (await con.run(SQL.w1, [n]))?.length ?? 0,
    w2: async (n) => {
      let seen = 0;
      for (let i = 0; i < n; i++) seen += (await con.run(SQL.w2, [i]))?.length ?? 0;
      return seen;
    },
    w3: async (n) => {
      const all = [];
      for (let i = 0; i < n; i++) all.push(con.run(SQL.w2, [i]));
      let seen = 0;
      for (const rows of await Promise.all(all)) seen += rows?.length ?? 0;
      return seen;
    },
    close: () => con.close(),
  };
}

/** @param {any} cfg */
async function openNeon(cfg) {
  // Its documented settings for a relay in front of a plain server: no TLS inside the
  // WebSocket, no pipelined startup (that only suits cleartext password auth).
  neonConfig.wsProxy = () => cfg.rawRelay;
  neonConfig.useSecureWebSocket = false;
  neonConfig.forceDisablePgSSL = true;
  neonConfig.pipelineConnect = false;
  const client = new Client({ host: "bench", user: cfg.user, password: cfg.password, database: cfg.database });
  await client.connect();
  /** @type {(name: string, text: string, values: unknown[]) => Promise<any>} */
  const q = (name, text, values) => client.query({ name, text, values, rowMode: "array" });
  return {
    w1: async (n) => (await q("w1", SQL.w1, [n])).rows.length,
    w2: async (n) => {
      let seen = 0;
      for (let i = 0; i < n; i++) seen += (await q("w2", SQL.w2, [i])).rows.length;
      return seen;
    },
    w3: async (n) => {
      const all = [];
      for (let i = 0; i < n; i++) all.push(q("w2", SQL.w2, [i]));
      let seen = 0;
      for (const r of await Promise.all(all)) seen += r.rows.length;
      return seen;
    },
    close: () => client.end(),
  };
}

win.bench = {
  /** @param {any} cfg */
  async open(cfg) {
    clients.ours = await openOurs(cfg);
    clients.neon = await openNeon(cfg);
    return navigator.userAgent;
  },
  /** @param {string} client @param {"w1" | "w2" | "w3"} workload @param {number} n */
  async run(client, workload, n) {
    globalThis.gc?.();
    const t0 = performance.now();
    const rows = await clients[client][workload](n);
    return { ms: performance.now() - t0, rows };
  },
  async close() {
    await Promise.all(Object.values(clients).map((c) => c.close()));
  },
};
const out = document.getElementById("out");
if (out) out.textContent = "ready";
win.benchReady = true;
