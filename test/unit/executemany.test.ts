import { describe, expect, it } from "vitest";
import { mayPipeline } from "../../src/dbapi/executemany.js";

describe("mayPipeline: only statements that cannot end a transaction block", () => {
  it.each([
    "INSERT INTO t VALUES (%s)",
    "  update t SET x = %s",
    "-- note\nDELETE FROM t WHERE k = %s",
    "/* a */ /* b */ WITH x AS (SELECT %s) SELECT * FROM x",
    "MERGE INTO t USING s ON true WHEN MATCHED THEN DO NOTHING",
    "select %s",
    "CALL p(%s)",
  ])("pipelined: %s", (sql) => {
    expect(mayPipeline(sql)).toBe(true);
  });

  it.each([
    "COMMIT",
    "rollback to savepoint a",
    "ROLLBACK",
    "END",
    "ABORT",
    "PREPARE TRANSACTION 'x'",
    "SAVEPOINT a",
    "",
    "(SELECT 1)",
    '"select"',
  ])("in order: %s", (sql) => {
    expect(mayPipeline(sql)).toBe(false);
  });
});
