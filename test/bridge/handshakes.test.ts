// Sockets that never finish their HTTP handshake (partial headers, slowloris) are closed after
// limits.handshakeTimeout, and one address cannot hold more than limits.maxHandshakesPerIp of
// them; the bridge keeps serving real clients meanwhile.

import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { connect } from "../../src/native/index.js";
import { cluster, STATIC_TOKEN, startBridge, type TestBridge } from "./fixtures.js";

const login = { ...cluster.users.scram, database: cluster.database };
const sockets: net.Socket[] = [];
let bridge: TestBridge | undefined;

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await bridge?.close();
  bridge = undefined;
});

interface Partial {
  socket: net.Socket;
  closed: Promise<number>;
}

/** Opens a socket that sends the start of an upgrade request and never the end; `closed` resolves with the ms it lived. */
function partialHandshake(port: number): Promise<Partial> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect({ host: "127.0.0.1", port });
    sockets.push(socket);
    socket.on("error", () => undefined);
    const closed = new Promise<number>((done) => socket.on("close", () => done(Date.now() - started)));
    socket.once("connect", () => {
      socket.write("GET / HTTP/1.1\r\nHost: bridge\r\nUpgrade: websocket\r\nX-Slow: ");
      resolve({ socket, closed });
    });
    socket.once("error", reject);
  });
}

function portOf(b: TestBridge): number {
  return Number(new URL(b.url).port);
}

describe("unfinished handshakes", () => {
  it("300 sockets with partial headers are all closed once handshakeTimeout passes", async () => {
    bridge = await startBridge({ limits: { handshakeTimeout: 0.5, maxHandshakesPerIp: 1000 } });
    const partial: Partial[] = [];
    for (let i = 0; i < 300; i++) partial.push(await partialHandshake(portOf(bridge)));
    const lifetimes = await Promise.all(partial.map((p) => p.closed));
    expect(lifetimes.every((ms) => ms < 5000)).toBe(true);
    expect(await metricValue(bridge, 'pg8000_bridge_sessions_refused_total{reason="handshake_timeout"}')).toBe(300);
  });

  it("beyond maxHandshakesPerIp unfinished handshakes from one address, new sockets are closed at once; clients still get in", async () => {
    bridge = await startBridge({ limits: { handshakeTimeout: 30, maxHandshakesPerIp: 5 } });
    const held: Partial[] = [];
    for (let i = 0; i < 5; i++) held.push(await partialHandshake(portOf(bridge)));
    const extra = await partialHandshake(portOf(bridge));
    expect(await extra.closed).toBeLessThan(2000);
    // The five held ones are still open: the limit closes the newcomer, not the old ones.
    expect(held.every((p) => !p.socket.destroyed)).toBe(true);
    // Freeing one slot lets a real client in.
    held[0]!.socket.destroy();
    await held[0]!.closed;
    const con = await connect({ ...login, bridge: { url: bridge.url, token: STATIC_TOKEN, target: "main" } });
    expect(await con.run("SELECT 1")).toEqual([[1]]);
    await con.close();
  });

  it("with trustProxy the per-address limit is not applied (every client shares the proxy's address), the timeout still is", async () => {
    bridge = await startBridge({ trustProxy: true, limits: { handshakeTimeout: 0.5, maxHandshakesPerIp: 2 } });
    const partial: Partial[] = [];
    for (let i = 0; i < 6; i++) partial.push(await partialHandshake(portOf(bridge)));
    const lifetimes = await Promise.all(partial.map((p) => p.closed));
    expect(lifetimes.every((ms) => ms >= 400)).toBe(true);
  });
});

async function metricValue(b: TestBridge, sample: string): Promise<number> {
  const text = await (await fetch(b.metricsUrl!)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}
