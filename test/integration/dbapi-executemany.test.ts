// executemany() runs the parameter sets in order and none after a failure, as pg8000 does
// (pg8000 calls execute() once per set). The assertions are what pg8000 gives for the same calls.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as pg8000 from "../../src/index.js";
import { trustOptions, uniqueName } from "./helpers.js";

let con: pg8000.Connection;
let table: string;
beforeAll(async () => {
  con = await pg8000.connect(trustOptions());
});
afterEach(async () => {
  con.autocommit = false;
  await con.rollback();
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

/** A fresh temporary table `k int primary key`, created in autocommit. */
async function freshTable(): Promise<string> {
  table = uniqueName("em");
  con.autocommit = true;
  await con.run(`CREATE TEMP TABLE ${table} (k int PRIMARY KEY)`);
  con.autocommit = false;
  return table;
}

async function keys(): Promise<unknown[][]> {
  const cur = await con.cursor().execute(`SELECT k FROM ${table} ORDER BY k`);
  return cur.fetchall();
}

describe("autocommit: each set commits on its own", () => {
  it("a failing set stops the rest: rows before it stay, rows after it never run", async () => {
    await freshTable();
    con.autocommit = true;
    const cur = con.cursor();
    await expect(cur.executemany(`INSERT INTO ${table} VALUES (%s)`, [[1], [1], [2]])).rejects.toThrow(
      pg8000.IntegrityError,
    );
    expect(await keys()).toEqual([[1]]);
  });

  it("after a failure the cursor holds the last successful set's result", async () => {
    await freshTable();
    con.autocommit = true;
    const cur = con.cursor();
    const sql = `INSERT INTO ${table} VALUES (%s) RETURNING k`;
    await expect(cur.executemany(sql, [[1], [2], [2], [3]])).rejects.toThrow(pg8000.IntegrityError);
    expect(cur.rowcount).toBe(1);
    expect(cur.fetchall()).toEqual([[2]]);
    expect(await keys()).toEqual([[1], [2]]);
  });

  it("when the first set fails the cursor keeps what it held before", async () => {
    await freshTable();
    con.autocommit = true;
    const cur = await con.cursor().execute("SELECT 7");
    await expect(cur.executemany(`INSERT INTO ${table} VALUES (%s)`, [[null], [1]])).rejects.toThrow(
      pg8000.IntegrityError,
    );
    expect(cur.rowcount).toBe(1);
    expect(cur.fetchall()).toEqual([[7]]);
    expect(await keys()).toEqual([]);
  });

  it("a set that cannot be sent (wrong parameter count) stops the rest too", async () => {
    await freshTable();
    con.autocommit = true;
    const cur = con.cursor();
    await expect(cur.executemany(`INSERT INTO ${table} VALUES (%s)`, [[1], [2, 3], [4]])).rejects.toThrow(
      pg8000.InterfaceError,
    );
    expect(await keys()).toEqual([[1]]);
  });

  it("the sets run one by one: a later set sees what an earlier one committed", async () => {
    await freshTable();
    con.autocommit = true;
    const cur = con.cursor();
    const sql = `INSERT INTO ${table} SELECT coalesce(max(k), 0) + %s FROM ${table} RETURNING k`;
    await cur.executemany(sql, [[1], [10], [100]]);
    expect(cur.rowcount).toBe(3);
    expect(await keys()).toEqual([[1], [11], [111]]);
  });
});

describe("transaction block: the sets are pipelined with the same outcome", () => {
  it("a failing set raises its error; the transaction is failed, as after pg8000's execute", async () => {
    await freshTable();
    const cur = con.cursor();
    await expect(cur.executemany(`INSERT INTO ${table} VALUES (%s)`, [[1], [1], [2]])).rejects.toThrow(
      pg8000.IntegrityError,
    );
    expect(cur.rowcount).toBe(1);
    await expect(con.commit()).rejects.toThrow(new pg8000.InterfaceError("in failed transaction block"));
    expect(await keys()).toEqual([]);
  });

  it("after a failure the cursor holds the last successful set's rows and rowcount", async () => {
    await freshTable();
    const cur = con.cursor();
    const sql = `INSERT INTO ${table} VALUES (%s) RETURNING k`;
    await expect(cur.executemany(sql, [[1], [2], [2], [3]])).rejects.toThrow(pg8000.IntegrityError);
    expect(cur.rowcount).toBe(1);
    expect(cur.fetchall()).toEqual([[2]]);
  });

  it("the error raised is the first in set order, even when a later set cannot be sent", async () => {
    await freshTable();
    const cur = con.cursor();
    // Set 3 fails on the client while set 2 is still at the server: pg8000 never reaches set 3.
    await expect(cur.executemany(`INSERT INTO ${table} VALUES (%s)`, [[1], [1], [2, 3]])).rejects.toThrow(
      pg8000.IntegrityError,
    );
  });

  it("after BEGIN in autocommit, a savepoint restores the transaction and nothing after the failure ran", async () => {
    await freshTable();
    con.autocommit = true;
    const cur = con.cursor();
    await cur.execute("BEGIN");
    await cur.execute(`INSERT INTO ${table} VALUES (0)`);
    await cur.execute("SAVEPOINT before_many");
    await expect(cur.executemany(`INSERT INTO ${table} VALUES (%s)`, [[1], [1], [2]])).rejects.toThrow(
      pg8000.IntegrityError,
    );
    await cur.execute("ROLLBACK TO SAVEPOINT before_many");
    await cur.execute("COMMIT");
    expect(await keys()).toEqual([[0]]);
  });

  it("success: every set runs in order and rowcount is the sum", async () => {
    await freshTable();
    const cur = con.cursor();
    const sql = `INSERT INTO ${table} SELECT coalesce(max(k), 0) + %s FROM ${table}`;
    await cur.executemany(sql, [[1], [10], [100]]);
    expect(cur.rowcount).toBe(3);
    expect(await keys()).toEqual([[1], [11], [111]]);
  });

  it("transaction control runs set by set: COMMIT of a failed transaction stops at the first set", async () => {
    const cur = con.cursor();
    await expect(cur.execute("SELECT 1/0")).rejects.toThrow(pg8000.DataError);
    const notices: unknown[] = [];
    const unsubscribe = con.on("notice", (notice) => notices.push(notice));
    // A second COMMIT would reach the server and warn "there is no transaction in progress".
    await expect(cur.executemany("COMMIT", [[], []])).rejects.toThrow(
      new pg8000.InterfaceError("in failed transaction block"),
    );
    await cur.execute("SELECT 1");
    unsubscribe();
    expect(notices).toEqual([]);
  });
});
