// The compressing subprotocol (pg8000.v1+deflate) through a real bridge to the test cluster:
// results identical to the uncompressed path whatever their size, round trips answered in order
// between large results, COPY out, a server error mid-result, the bridge's switch and an old
// client, and what the bridge logs.

import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BridgeConfigError, createBridge } from "../../bridge/index.js";
import { BRIDGE_SUBPROTOCOL, BRIDGE_SUBPROTOCOL_DEFLATE } from "../../src/bridge-protocol.js";
import { DatabaseError, InterfaceError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { cluster, rawSession, STATIC_TOKEN, startBridge, startupMessage, type TestBridge } from "./fixtures.js";

let bridge: TestBridge;
let plainBridge: TestBridge;

beforeAll(async () => {
  bridge = await startBridge();
  plainBridge = await startBridge({ compression: false });
});

afterAll(async () => {
  await bridge.close();
  await plainBridge.close();
});

function open(target: TestBridge, compression?: boolean): Promise<Connection> {
  return connect({
    user: cluster.users.trust.user,
    database: cluster.database,
    bridge: { url: target.url, token: STATIC_TOKEN, target: "main", compression },
  });
}

const BIG = "SELECT i, md5(i::text) AS h, i * 0.5 AS f, repeat('x', i % 50) AS r FROM generate_series(1, 60000) i";

describe("compression between the bridge and the driver", () => {
  it("large results come back identical to the uncompressed path, with round trips in between in order", async () => {
    const [deflated, plain] = await Promise.all([open(bridge, true), open(bridge, false)]);
    try {
      const expected = (await plain.run(BIG))!;
      expect(expected).toHaveLength(60000);
      // Large results and one-row round trips queued together: answers in call order.
      const [a, one, b, two] = await Promise.all([
        deflated.run(BIG),
        deflated.run("SELECT 1 AS one"),
        deflated.run(BIG.replace("60000", "30000")),
        deflated.run("SELECT $1::text AS t", ["after"]),
      ]);
      expect(a).toEqual(expected);
      expect(one).toEqual([[1]]);
      expect(b).toEqual(expected.slice(0, 30000));
      expect(two).toEqual([["after"]]);
      const bytea = await deflated.run(
        "SELECT decode(repeat(md5(i::text), 100), 'hex') FROM generate_series(1, 200) i",
      );
      const check = await plain.run("SELECT decode(repeat(md5(i::text), 100), 'hex') FROM generate_series(1, 200) i");
      expect(bytea).toEqual(check);
    } finally {
      await deflated.close();
      await plain.close();
    }
    // The bridge logs a session's close once the server has closed it, after close() resolved.
    const compressedCloses = () => bridge.logs.filter((e) => e.event === "close" && typeof e.compressedTo === "number");
    await vi.waitFor(() => expect(compressedCloses()).toHaveLength(1));
    const closes = compressedCloses();
    // The deflated session's server bytes shrank by more than half.
    const c = closes[0]!;
    expect(Number(c.compressedTo)).toBeLessThan(Number(c.bytesToClient) / 2);
  });

  it("COPY TO STDOUT and a server error after thousands of rows keep the stream in step", async () => {
    const con = await open(bridge, true);
    try {
      const chunks: Uint8Array[] = [];
      await con.run("COPY (SELECT i, md5(i::text) FROM generate_series(1, 50000) i) TO STDOUT", null, {
        stream: { write: (c: Uint8Array) => void chunks.push(c) },
      });
      const lines = Buffer.concat(chunks).toString("utf8").split("\n");
      expect(lines).toHaveLength(50001);
      expect(lines[49999]).toBe(`50000\t${createHash("md5").update("50000").digest("hex")}`);
      const failing =
        "SELECT CASE WHEN i < 40000 THEN md5(i::text) ELSE (1 / (i - i))::text END FROM generate_series(1, 50000) i";
      const err = await con.run(failing).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseError);
      expect((err as DatabaseError).code).toBe("22012");
      expect(await con.run("SELECT 'still in step'")).toEqual([["still in step"]]);
    } finally {
      await con.close();
    }
  });

  it("a bridge with compression off, or a client that does not ask, gets the plain protocol", async () => {
    const fromPlainBridge = await open(plainBridge, true);
    const notAsking = await open(bridge, false);
    try {
      expect(await fromPlainBridge.run(BIG.replace("60000", "5000"))).toHaveLength(5000);
      expect(await notAsking.run(BIG.replace("60000", "5000"))).toHaveLength(5000);
    } finally {
      await fromPlainBridge.close();
      await notAsking.close();
    }
    expect(plainBridge.logs.some((e) => e.event === "close" && e.compressedTo !== undefined)).toBe(false);
  });

  it("the bridge selects the compressing subprotocol only when it is offered and on", async () => {
    const chosen = async (target: TestBridge, protocols: string[]) => {
      const { WebSocket } = await import("ws");
      const ws = new WebSocket(`${target.url}?target=main`, protocols);
      const protocol = await new Promise<string>((resolve, reject) => {
        ws.on("open", () => resolve(ws.protocol));
        ws.on("error", reject);
      });
      ws.close();
      return protocol;
    };
    const token = `token.${STATIC_TOKEN}`;
    expect(await chosen(bridge, [BRIDGE_SUBPROTOCOL_DEFLATE, BRIDGE_SUBPROTOCOL, token])).toBe(
      BRIDGE_SUBPROTOCOL_DEFLATE,
    );
    expect(await chosen(bridge, [BRIDGE_SUBPROTOCOL, token])).toBe(BRIDGE_SUBPROTOCOL);
    expect(await chosen(plainBridge, [BRIDGE_SUBPROTOCOL_DEFLATE, BRIDGE_SUBPROTOCOL, token])).toBe(BRIDGE_SUBPROTOCOL);
  });

  it("small answers are tagged raw, so a round trip is not held up by compression", async () => {
    const closed = await rawSession(bridge, {
      protocols: [BRIDGE_SUBPROTOCOL_DEFLATE, BRIDGE_SUBPROTOCOL, `token.${STATIC_TOKEN}`],
      query: { target: "main" },
      send: (ws) => {
        ws.send(startupMessage({ user: cluster.users.trust.user, database: cluster.database }));
        setTimeout(() => ws.close(1000), 300);
      },
    });
    expect(closed.received.length).toBeGreaterThan(0);
    for (const m of closed.received) expect(m[0]).toBe(0); // FrameTag.Raw: the login's answers are small
    expect(closed.received[0]![1]).toBe(0x52); // 'R' AuthenticationOk follows the tag
  });

  it("bridge.compression is checked", async () => {
    await expect(connect({ user: "u", bridge: { url: bridge.url, compression: "yes" as never } })).rejects.toThrow(
      new InterfaceError("bridge.compression must be true or false"),
    );
    await expect(
      connect({ user: "u", bridge: { url: bridge.url, protocol: "raw", compression: true } }),
    ).rejects.toThrow(/bridge.compression needs a pg8000 bridge/);
  });

  it.each([
    ["yes", "compression must be true, false or { minRatio }"],
    [{ minRatio: 0.5 }, "compression.minRatio must be a number ≥ 1"],
    [{ minRatio: Number.NaN }, "compression.minRatio must be a number ≥ 1"],
    [{ level: 9 }, "compression: unknown key 'level'; valid: minRatio"],
  ])("the bridge's compression option %j is checked", async (compression, message) => {
    const config = { targets: { t: { host: "127.0.0.1" } }, tokens: [STATIC_TOKEN], log: false, compression };
    const made = createBridge(config as unknown as Parameters<typeof createBridge>[0]);
    await expect(made).rejects.toThrow(BridgeConfigError);
    await expect(createBridge(config as unknown as Parameters<typeof createBridge>[0])).rejects.toThrow(message);
  });
});
