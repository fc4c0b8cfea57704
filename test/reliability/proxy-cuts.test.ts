// The driver against the real test cluster through a proxy that cuts the connection at random
// byte offsets, forwards in pieces of every small size, or stalls. Results that arrive are
// exact, failures are OperationalError/InterfaceError, nothing hangs, nothing is left unhandled.
// PG8000_RELIABILITY_CUTS sets the number of random cuts (default 100).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InterfaceError, OperationalError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";
import { cluster } from "../integration/helpers.js";
import { type Direction, type FaultProxy, startProxy } from "./proxy.js";
import { rng, runWorkload } from "./workload.js";

const CUTS = Number(process.env.PG8000_RELIABILITY_CUTS ?? 100);

let proxy: FaultProxy;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(async () => {
  proxy = await startProxy({ host: cluster.host, port: cluster.port });
  process.on("unhandledRejection", onUnhandled);
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await proxy.close();
});

const viaProxy = (tls: boolean, extra: Record<string, unknown> = {}) => ({
  user: cluster.users.scram.user,
  password: cluster.users.scram.password,
  host: "127.0.0.1",
  port: proxy.port,
  database: cluster.database,
  ssl_context: tls,
  timeout: 10,
  ...extra,
});

const isDbApiFailure = (err: unknown): boolean => err instanceof OperationalError || err instanceof InterfaceError;

describe("through the proxy, untouched", () => {
  it.each([false, true])("the workload is exact (TLS %s)", async (tls) => {
    proxy.behaviour = {};
    const outcome = await runWorkload(viaProxy(tls), rng(1));
    expect(outcome.error).toBeUndefined();
    expect(outcome.wrong).toEqual([]);
    expect(outcome.exact).toBe(5);
  });
});

describe(`${CUTS} random connection cuts`, () => {
  it("never give wrong data; every failure is OperationalError or InterfaceError; nothing hangs", async () => {
    // The traffic of one whole run bounds where cuts land.
    proxy.behaviour = {};
    await runWorkload(viaProxy(false), rng(2));
    const total = { ...proxy.traffic };
    const random = rng(20261203);
    const failures = new Map<string, number>();
    let completed = 0;
    for (let round = 0; round < CUTS; round++) {
      const direction: Direction = random() < 0.7 ? "toClient" : "toServer";
      const afterBytes = Math.floor(random() * total[direction] * 1.05);
      const tls = random() < 0.3;
      proxy.behaviour = { cut: { direction, afterBytes } };
      const started = Date.now();
      const outcome = await runWorkload(viaProxy(tls), random);
      const where = `round ${round}: cut ${direction} after ${afterBytes} bytes, TLS ${tls}`;
      expect(outcome.wrong, where).toEqual([]);
      expect(Date.now() - started, where).toBeLessThan(9000); // no wait ran into the timeout
      if (outcome.error === undefined) {
        completed++;
        continue;
      }
      if (!isDbApiFailure(outcome.error))
        throw new Error(`${where}: ${String(outcome.error)}`, { cause: outcome.error });
      const name = (outcome.error as Error).name;
      failures.set(name, (failures.get(name) ?? 0) + 1);
    }
    console.log(`${CUTS} cuts: ${completed} runs completed, failures ${JSON.stringify(Object.fromEntries(failures))}`);
    expect(unhandled).toEqual([]);
  }, 600_000);
});

describe("byte splitting", () => {
  const sizes = [...Array.from({ length: 32 }, (_, i) => i + 1), 47, 64, 100, 128, 255, 256, 1000, 1460, 4096];
  it(`the workload is exact when every write is cut into pieces of ${sizes.join(", ")} bytes`, async () => {
    for (const splitBytes of sizes) {
      proxy.behaviour = { splitBytes };
      const outcome = await runWorkload(viaProxy(splitBytes % 3 === 0), rng(splitBytes), 0.2);
      expect(outcome.error, `split ${splitBytes}`).toBeUndefined();
      expect(outcome.wrong, `split ${splitBytes}`).toEqual([]);
      expect(outcome.exact, `split ${splitBytes}`).toBe(5);
    }
    expect(unhandled).toEqual([]);
  }, 300_000);
});

describe("stalls", () => {
  it.each<[Direction, number]>([
    ["toClient", 0],
    ["toClient", 1],
    ["toClient", 9],
    ["toServer", 8],
    ["toServer", 60],
  ])(
    "a stall %s after %i bytes during connect ends in OperationalError at the timeout",
    async (direction, afterBytes) => {
      proxy.behaviour = { stall: { direction, afterBytes } };
      const started = Date.now();
      const err = await connect(viaProxy(false, { timeout: 0.5 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationalError);
      expect((err as Error).message).toMatch(/timeout/);
      expect(Date.now() - started).toBeLessThan(5000);
    },
  );

  it.each([0.1, 0.5, 0.9])(
    "a stall %f of the way through the workload fails the waiting query at the timeout",
    async (at) => {
      proxy.behaviour = {};
      await runWorkload(viaProxy(false), rng(3));
      const afterBytes = Math.floor(proxy.traffic.toClient * at);
      proxy.behaviour = { stall: { direction: "toClient", afterBytes } };
      const started = Date.now();
      const outcome = await runWorkload(viaProxy(false, { timeout: 0.5 }), rng(3));
      expect(outcome.wrong).toEqual([]);
      expect(outcome.error).toBeInstanceOf(OperationalError);
      expect((outcome.error as Error).message).toMatch(/timeout/);
      expect(Date.now() - started).toBeLessThan(8000);
    },
  );
});
