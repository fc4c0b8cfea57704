import { describe, expect, it } from "vitest";
import { shareable } from "../../src/pool/shareable.js";

describe("shareable: which one-shot statements a Pool pipelines on a shared connection", () => {
  it.each([
    "SELECT 1",
    "select $1::int",
    "SELECT :id::int",
    "  SELECT 1 ;  ; \n",
    "SELECT 1; -- done",
    "SELECT 1; /* done; BEGIN */",
    "/* leading */ SELECT 1",
    "-- leading\nSELECT 1",
    "SELECT 'a; BEGIN'",
    'SELECT 1 AS "x; BEGIN"',
    "SELECT $$; BEGIN$$",
    "SELECT E'\\'; BEGIN'",
    "WITH t AS (SELECT 1 AS x) SELECT x FROM t",
    "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d",
    "INSERT INTO t VALUES ($1) RETURNING id",
    "UPDATE t SET x = 1",
    "DELETE FROM t",
    "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
    "VALUES (1), (2)",
    "TABLE t",
    "SHOW search_path",
  ])("shared: %j", (sql) => {
    expect(shareable(sql)).toBe(true);
  });

  it.each([
    "BEGIN",
    "begin",
    "START TRANSACTION",
    "COMMIT",
    "ROLLBACK",
    "END",
    "ABORT",
    "SAVEPOINT a",
    "SELECT 1; BEGIN",
    "SELECT 1; SELECT 2",
    "BEGIN; SELECT 1",
    "SELECT 1; 'x'",
    "SET search_path = x",
    "LISTEN channel",
    "CALL proc()",
    "DO $$ BEGIN COMMIT; END $$",
    "CREATE TABLE t (x int)",
    "COPY t FROM STDIN",
    "EXPLAIN ANALYZE SELECT 1",
    "PREPARE TRANSACTION 'x'",
    "(SELECT 1)",
    ";SELECT 1",
    "'SELECT 1'",
    "SELECTED",
    "",
    "   ",
    "-- only a comment",
  ])("not shared: %j", (sql) => {
    expect(shareable(sql)).toBe(false);
  });
});
