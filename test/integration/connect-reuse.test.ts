// Connections one after another: each closed connection's codec memory serves the next one
// (src/codec/memory-pool.ts). What the next connection reads must never depend on what the
// previous one left behind, also when it died in the middle of a message.

import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { idleMemoryCount } from "../../src/codec/memory-pool.js";
import { connect } from "../../src/native/index.js";
import { cluster } from "./helpers.js";

const scramTcp = {
  host: cluster.host,
  port: cluster.port,
  database: cluster.database,
  ...cluster.users.scram,
  ssl_context: false,
} as const;

/** A query whose columns the codec decodes in binary (int4, int8, float8, numeric, bool) and text. */
const TYPED = `SELECT g::int4 AS i, (g * 10000000000)::int8 AS b, g / 4.0::float8 AS f, (g * 1.5)::numeric(10, 2) AS n,
  g % 2 = 0 AS even, 'row ' || g AS t FROM generate_series(1, 50) AS g`;

function expectedTyped(): unknown[][] {
  return Array.from({ length: 50 }, (_, k) => {
    const g = k + 1;
    return [g, BigInt(g) * 10_000_000_000n, g / 4, (g * 1.5).toFixed(2), g % 2 === 0, `row ${g}`];
  });
}

/** Lets the microtask that retires a closed connection's codec run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("connections in a row reuse codec memory", () => {
  it("30 SCRAM connects in a row, each with a different result shape, all correct", async () => {
    for (let i = 0; i < 30; i++) {
      const con = await connect(scramTcp);
      if (i % 3 === 0) expect(await con.run(TYPED)).toEqual(expectedTyped());
      else if (i % 3 === 1)
        expect(await con.run("SELECT $1::text AS s, $2::int8 AS n", [`run ${i}`, i])).toEqual([
          [`run ${i}`, BigInt(i)],
        ]);
      else expect(await con.run("SELECT 1 AS x")).toEqual([[1]]);
      await con.close();
      await settle();
      expect(idleMemoryCount()).toBeGreaterThanOrEqual(1);
    }
  });

  it("a connection that died in the middle of a message leaves nothing the next one sees", async () => {
    // Our own socket, cut as soon as part of a long result has arrived: the codec then holds a
    // truncated message and the decode plan of that result.
    const socket = net.connect({ host: cluster.host, port: cluster.port });
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const dying = await connect({ ...scramTcp, sock: socket });
    let received = 0;
    let cut = false;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (!cut && received > 20_000) {
        cut = true;
        socket.destroy();
      }
    });
    const wide = "SELECT g::int8 AS a, repeat('x', 1000) AS pad, g::float8 AS c FROM generate_series(1, 5000) AS g";
    await expect(dying.run(wide)).rejects.toThrow();
    expect(cut).toBe(true);
    await settle();
    const idle = idleMemoryCount();
    expect(idle).toBeGreaterThanOrEqual(1);

    const next = await connect(scramTcp);
    expect(idleMemoryCount()).toBe(idle - 1); // it took the dead connection's memory
    expect(await next.run(TYPED)).toEqual(expectedTyped());
    expect(await next.run("SELECT $1::int4 AS one, $2::text AS two", [1, "two"])).toEqual([[1, "two"]]);
    const columns = await next.run_columnar("SELECT g::float8 AS f FROM generate_series(1, 3) AS g");
    expect(Array.from(columns.columns[0]!.values as Float64Array)).toEqual([1, 2, 3]);
    await next.close();
  });
});
