// How bytes cross the WebSocket hop: the bridge's own binary frames (bridge/frames.ts) as a real
// `ws` client parses them, beside ws's control frames; backpressure from a client that stops
// reading back to the server; and the driver's messages, one per tick's writes, in order.

import * as net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer, WebSocket as WsClient } from "ws";
import { writeBinaryFrame } from "../../bridge/frames.js";
import { type Connection, connect } from "../../src/native/index.js";
import { Inflater } from "../../src/transport/inflate.js";
import {
  cluster,
  eventually,
  framePair,
  STATIC_TOKEN,
  startBridge,
  startupMessage,
  type TestBridge,
} from "./fixtures.js";

describe("the bridge's binary frames", () => {
  it("every payload length encoding arrives whole and in order, between ws's own ping and close frames", async () => {
    const pair = await framePair();
    // 7-bit, 16-bit and 64-bit lengths at their edges, and both sides of the one-buffer limit.
    const sizes = [0, 1, 125, 126, 127, 8191, 8192, 8193, 65535, 65536, 65537, 1_000_003];
    const payloads = sizes.map((n, i) => Buffer.alloc(n, i + 1));
    const received: Buffer[] = [];
    let pings = 0;
    pair.client.on("message", (data, isBinary) => {
      expect(isBinary).toBe(true);
      received.push(data as Buffer);
    });
    pair.client.on("ping", () => pings++);
    const closed = new Promise<number>((resolve) => pair.client.once("close", (code) => resolve(code)));
    for (const [i, p] of payloads.entries()) {
      writeBinaryFrame(pair.socket, p);
      if (i % 4 === 0) pair.ws.ping();
    }
    let written = false;
    writeBinaryFrame(pair.socket, Buffer.from("last"), () => {
      written = true;
    });
    pair.ws.close(1000, "done");
    expect(await closed).toBe(1000);
    expect(written).toBe(true);
    expect(pings).toBe(3);
    expect(received.map((b) => b.length)).toEqual([...sizes, 4]);
    for (const [i, p] of payloads.entries()) expect(received[i]!.equals(p)).toBe(true);
    expect(received[sizes.length]!.toString()).toBe("last");
    await pair.close();
  });
});

/** Backend messages in `bytes`: [type, body] pairs (the test's own minimal parser). */
function messages(bytes: Buffer): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = bytes.readInt32BE(at + 1);
    out.push([String.fromCharCode(bytes[at]!), bytes.subarray(at + 5, at + 1 + length)]);
    at += 1 + length;
  }
  return out;
}

/** Whether `chunk` ends with ReadyForQuery (idle). */
function endsReady(chunk: Buffer): boolean {
  return chunk.subarray(-6).equals(Buffer.from("Z\0\0\0\x05I"));
}

/** A simple-protocol Query message. */
function query(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`);
  const head = Buffer.alloc(5);
  head[0] = 0x51; // Q
  head.writeInt32BE(text.length + 4, 1);
  return Buffer.concat([head, text]);
}

describe("backpressure from a client that stops reading", () => {
  let bridge: TestBridge | undefined;
  let watcher: Connection | undefined;
  beforeAll(async () => {
    watcher = await connect({
      user: cluster.users.trust.user,
      host: cluster.host,
      port: cluster.port,
      database: cluster.database,
    });
  });
  afterEach(async () => {
    await bridge?.close();
    bridge = undefined;
  });
  afterAll(async () => {
    await watcher?.close();
  });

  // 42 MB of rows: more than the kernel buffers of both hops and the bridge's queue together.
  const ROWS = 100_000;
  const WIDTH = 416; // 13 md5 strings

  // Compressed: md5 text shrinks less than the bridge's 2.5× threshold, so after the first piece
  // the rows go raw-tagged; backpressure must hold through the compressing sender all the same.
  const cases = [
    { highWaterMark: undefined, compressed: false },
    { highWaterMark: 1, compressed: false },
    { highWaterMark: undefined, compressed: true },
  ];
  for (const { highWaterMark, compressed } of cases) {
    it(`the server waits (ClientWrite) instead of the bridge queueing; every row then arrives in order (highWaterMark ${highWaterMark ?? "default"}${compressed ? ", compressing subprotocol" : ""})`, async () => {
      bridge = await startBridge(highWaterMark === undefined ? {} : { limits: { highWaterMark } });
      const app = `held-back-${highWaterMark ?? "default"}${compressed ? "-deflate" : ""}`;
      const url = new URL(bridge.url);
      url.searchParams.set("target", "main");
      const protocols = [...(compressed ? ["pg8000.v1+deflate"] : []), "pg8000.v1", `token.${STATIC_TOKEN}`];
      const ws = new WsClient(url, protocols, { perMessageDeflate: false });
      const chunks: Buffer[] = [];
      let bytes = 0;
      const received = (data: Buffer): void => {
        chunks.push(data);
        bytes += data.length;
      };
      const inflater = new Inflater(
        (b) => received(Buffer.from(b)),
        (err) => {
          throw err;
        },
      );
      ws.on("message", (data) => {
        if (compressed) inflater.push(new Uint8Array(data as Buffer));
        else received(data as Buffer);
      });
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      ws.send(startupMessage({ user: cluster.users.trust.user, database: cluster.database, application_name: app }));
      await eventually(() => chunks.length > 0 && endsReady(chunks[chunks.length - 1]!), 10_000);
      ws.pause();
      // Distinct md5 strings (hex shrinks ~1.9×, under the bridge's 2.5× threshold).
      const filler = compressed
        ? `(SELECT string_agg(md5((g * 13 + k)::text), '') FROM generate_series(0, ${WIDTH / 32 - 1}) k)`
        : `repeat('x', ${WIDTH})`;
      ws.send(query(`SELECT g, ${filler} FROM generate_series(1, ${ROWS}) g`));
      // The bridge stops reading from the server: its backend blocks writing to its socket.
      const waiting = async (): Promise<string | null> => {
        const rows = (await watcher!.run("SELECT wait_event FROM pg_stat_activity WHERE application_name = :app", {
          app,
        })) as [string | null][];
        return rows[0]?.[0] ?? null;
      };
      let event: string | null = null;
      for (let i = 0; i < 200 && event !== "ClientWrite"; i++) {
        await new Promise((r) => setTimeout(r, 50));
        event = await waiting();
      }
      expect(event).toBe("ClientWrite");
      // And it stays blocked while the client does not read (without the pause the bridge would
      // take all 42 MB into its memory and the server would finish at once).
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 200));
        expect(await waiting()).toBe("ClientWrite");
      }
      const held = bytes;
      ws.resume();
      await eventually(() => bytes > held && endsReady(chunks[chunks.length - 1]!), 20_000);
      ws.close();
      const all = messages(Buffer.concat(chunks));
      const rows = all.filter(([type]) => type === "D");
      expect(rows.length).toBe(ROWS);
      let inOrder = true;
      for (const [i, [, body]] of rows.entries()) {
        // DataRow: int16 count, then (int32 length, text) per column.
        const first = body.subarray(6, 6 + body.readInt32BE(2)).toString();
        if (first !== String(i + 1) || body.length !== 2 + 4 + first.length + 4 + WIDTH) inOrder = false;
      }
      expect(inOrder).toBe(true);
      expect(all[all.length - 2]![0]).toBe("C");
      expect(all[all.length - 1]![0]).toBe("Z");
    });
  }
});

/** A relay like wsproxy in front of the cluster that records every message the client sends. */
async function startCountingRelay(): Promise<{ url: string; sent: Buffer[]; close(): Promise<void> }> {
  const sent: Buffer[] = [];
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: () => false, maxPayload: 64 * 1024 });
  await new Promise((resolve) => wss.once("listening", resolve));
  wss.on("connection", (ws: WebSocket) => {
    const tcp = net.connect({ host: cluster.host, port: cluster.port });
    tcp.on("data", (chunk) => ws.send(chunk));
    tcp.on("close", () => ws.close());
    tcp.on("error", () => ws.close(1011));
    ws.on("message", (data) => {
      sent.push(data as Buffer);
      tcp.write(data as Buffer);
    });
    ws.on("close", () => tcp.end());
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/`,
    sent,
    close: () =>
      new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe("the driver's messages over a WebSocket", () => {
  it("a query is one message; queries issued together share messages and are answered in order; a large write is cut at 64 KiB", async () => {
    const relay = await startCountingRelay();
    const con = await connect({
      user: cluster.users.trust.user,
      database: cluster.database,
      bridge: { url: relay.url, protocol: "raw" },
    });
    try {
      await con.run("SELECT :n::int", { n: 0 }); // prepared and cached
      let before = relay.sent.length;
      expect(await con.run("SELECT :n::int", { n: 1 })).toEqual([[1]]);
      // Bind, Execute and Sync of the cached statement in one message.
      expect(relay.sent.length - before).toBe(1);
      expect(relay.sent[relay.sent.length - 1]![0]).toBe(0x42); // B
      before = relay.sent.length;
      const all = await Promise.all(Array.from({ length: 200 }, (_, i) => con.run("SELECT :n::int", { n: i })));
      expect(all).toEqual(Array.from({ length: 200 }, (_, i) => [[i]]));
      expect(relay.sent.length - before).toBeLessThan(200);
      before = relay.sent.length;
      const big = "y".repeat(300 * 1024);
      expect(await con.run("SELECT length(:v::text)", { v: big })).toEqual([[big.length]]);
      const cut = relay.sent.slice(before);
      expect(cut.length).toBeGreaterThanOrEqual(5);
      for (const m of cut) expect(m.length).toBeLessThanOrEqual(64 * 1024);
    } finally {
      await con.close();
      await relay.close();
    }
  });
});
