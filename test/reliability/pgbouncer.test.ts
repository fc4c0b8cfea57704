// Through a stock PgBouncer (started by test/setup/pgbouncer-global.ts in front of the test
// cluster), in session and in transaction pooling mode, with more clients than server
// connections so that clients really share them.

import { describe, expect, inject, it } from "vitest";
import type { DatabaseError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { cluster } from "../integration/helpers.js";

const bouncer = inject("pgbouncer");
const CLIENTS = 12; // against 3 server connections in the transaction pool
const QUERIES = 40;

function through(database: string, extra: Record<string, unknown> = {}): Promise<Connection> {
  return connect({
    user: cluster.users.trust.user,
    host: bouncer.host,
    port: bouncer.port,
    database,
    ssl_context: false,
    timeout: 20,
    ...extra,
  });
}

/**
 * CLIENTS connections each run QUERIES parameterised statements at once. Each client has its own
 * SQL text (the constant k), so binding another client's statement would give a wrong sum.
 */
async function concurrentLoad(
  database: string,
  extra: Record<string, unknown> = {},
): Promise<{ exact: number; wrong: unknown[]; errors: unknown[] }> {
  const connections = await Promise.all(Array.from({ length: CLIENTS }, () => through(database, extra)));
  const wrong: unknown[] = [];
  const errors: unknown[] = [];
  let exact = 0;
  await Promise.all(
    connections.map(async (con, k) => {
      for (let round = 0; round < QUERIES / 4; round++) {
        // Four in flight at a time per client: pipelined through the bouncer.
        await Promise.all(
          [0, 1, 2, 3].map(async (j) => {
            const n = round * 4 + j;
            try {
              const rows = await con.run(`SELECT $1::int + ${k} AS sum, $2::text AS tag`, [n, `c${k}q${n}`]);
              if (rows?.[0]?.[0] === n + k && rows[0][1] === `c${k}q${n}`) exact++;
              else wrong.push({ client: k, n, rows });
            } catch (err) {
              errors.push(err);
            }
          }),
        );
      }
    }),
  );
  await Promise.all(connections.map((con) => con.close()));
  console.log(
    `${database} pooling ${JSON.stringify(extra)}: ${exact} exact, ${wrong.length} wrong, ${errors.length} errors`,
  );
  return { exact, wrong, errors };
}

describe(`PgBouncer (${bouncer.version})`, () => {
  it("accepts the driver's startup packet (no unsupported startup parameter)", async () => {
    const con = await through(bouncer.sessionDatabase);
    expect(await con.run("SELECT current_database(), current_user")).toEqual([
      [cluster.database, cluster.users.trust.user],
    ]);
    // Floats still print exactly without extra_float_digits in the startup packet.
    expect(await con.run("SELECT 0.1::float8, 1/3::float8, 1e300::float8 * 1.7")).toEqual([[0.1, 1 / 3, 1e300 * 1.7]]);
    await con.close();
  });

  it("session pooling: concurrent clients with cached statements, every result exact", async () => {
    const { exact, wrong, errors } = await concurrentLoad(bouncer.sessionDatabase);
    expect(wrong).toEqual([]);
    expect(errors).toEqual([]);
    expect(exact).toBe(CLIENTS * QUERIES);
  });

  it("session pooling: a server connection reused by the next client (DISCARD ALL) works", async () => {
    for (let i = 0; i < 5; i++) {
      const con = await through(bouncer.sessionDatabase);
      expect(await con.run("SELECT $1::int * 2", [i])).toEqual([[i * 2]]);
      await con.close();
    }
  });

  it("transaction pooling with statement_cache_size: 0: every result exact", async () => {
    const { exact, wrong, errors } = await concurrentLoad(bouncer.transactionDatabase, { statement_cache_size: 0 });
    expect(wrong).toEqual([]);
    expect(errors).toEqual([]);
    expect(exact).toBe(CLIENTS * QUERIES);
  });

  it("transaction pooling with statement_cache_size: 0: transactions stay on one server connection", async () => {
    const connections = await Promise.all(
      Array.from({ length: CLIENTS }, () => through(bouncer.transactionDatabase, { statement_cache_size: 0 })),
    );
    const pids = await Promise.all(
      connections.map(async (con, k) => {
        await con.run("BEGIN");
        const [[first]] = (await con.run("SELECT pg_backend_pid()")) as [[number]];
        await con.run("SELECT pg_sleep(0.01)");
        const [[second, value]] = (await con.run("SELECT pg_backend_pid(), $1::int", [k])) as [[number, number]];
        await con.run("COMMIT");
        expect(value).toBe(k);
        return first === second;
      }),
    );
    expect(pids).toEqual(connections.map(() => true));
    await Promise.all(connections.map((con) => con.close()));
  });

  it("transaction pooling with the statement cache on (the default): every result exact, no error", async () => {
    // A statement prepared in one exchange may be missing on the server connection PgBouncer
    // picks for the next: the driver runs that query again in one exchange and stops naming
    // statements on that connection.
    const { exact, wrong, errors } = await concurrentLoad(bouncer.transactionDatabase);
    expect(wrong).toEqual([]);
    expect(errors).toEqual([]);
    expect(exact).toBe(CLIENTS * QUERIES);
  });

  it("transaction pooling with the statement cache on: a transaction may fail once with 26000, later ones work", async () => {
    const connections = await Promise.all(Array.from({ length: CLIENTS }, () => through(bouncer.transactionDatabase)));
    const outcomes = await Promise.all(
      connections.map(async (con, k) => {
        const sql = `SELECT $1::int * ${k + 2} AS product`;
        // Prepared (named) in an exchange of its own, outside any transaction.
        expect(await con.run(sql, [1])).toEqual([[k + 2]]);
        const failures: unknown[] = [];
        const results: [number, unknown][] = [];
        for (let t = 0; t < 6; t++) {
          await con.run("BEGIN");
          try {
            results.push([t, await con.run(sql, [t])]);
            await con.run("COMMIT");
          } catch (err) {
            failures.push(err);
            await con.run("ROLLBACK");
          }
        }
        return { k, failures, results };
      }),
    );
    for (const { k, failures, results } of outcomes) {
      // Inside a transaction block the error stands, at most once: the cache is off after it.
      expect(failures.length).toBeLessThanOrEqual(1);
      for (const err of failures) expect((err as DatabaseError).code).toBe("26000");
      expect(results.length).toBe(6 - failures.length);
      // Every transaction that ran gave its exact result.
      expect(results).toEqual(results.map(([t]) => [t, [[(t as number) * (k + 2)]]]));
    }
    await Promise.all(connections.map((con) => con.close()));
  });
});
