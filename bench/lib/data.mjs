// The benchmark's tables and COPY data. Tables are made once per run through psql (or, without
// psql, through node-postgres) and frozen, so no client pays for hint bits on the first scan.

/** SELECT list of the W1 row shape over generate_series(…) i. Also used for W6's stream. */
export const W1_SELECT = `i::int4 AS a,
  i::int8 * 1000003 AS b,
  sqrt(i::float8) AS c,
  'user_' || i || '@example.com' AS d,
  timestamptz '2024-01-01 00:00:00+00' + i * interval '1.123 second' AS e,
  (i * 0.37)::numeric(14,2) AS f,
  i % 2 = 0 AS g`;

export function setupSql({ w1Rows, w5Rows }) {
  return `
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_w1, bench_w4, bench_w4m, bench_w5;
CREATE TABLE bench_w1 AS SELECT ${W1_SELECT} FROM generate_series(1, ${w1Rows}) i;
CREATE UNLOGGED TABLE bench_w4 (a int4, b int8, c float8, d text, e timestamptz, f numeric(14,2), g bool);
CREATE UNLOGGED TABLE bench_w4m (a int4, b text, c float8, d bool);
CREATE TABLE bench_w5 AS SELECT i::int4 AS a, i::int8 * 7 AS b, (i * 0.5)::float4 AS c, sqrt(i::float8) AS d
  FROM generate_series(1, ${w5Rows}) i;
VACUUM (FREEZE, ANALYZE) bench_w1, bench_w5;
`;
}

/**
 * COPY text-format data for W4, `rows` rows in the W1 shape, as chunks of about `chunkSize`
 * bytes (the same Buffers go to every client) and the total size.
 */
export function copyChunks(rows, chunkSize = 65536) {
  const chunks = [];
  let parts = [];
  let size = 0;
  let total = 0;
  const base = Date.UTC(2024, 0, 1);
  for (let i = 1; i <= rows; i++) {
    const line =
      `${i}\t${i * 1000003}\t${Math.sqrt(i)}\tuser_${i}@example.com\t` +
      `${new Date(base + i * 1123).toISOString()}\t${(i * 0.37).toFixed(2)}\t${i % 2 === 0 ? "t" : "f"}\n`;
    parts.push(line);
    size += line.length;
    if (size >= chunkSize) {
      const b = Buffer.from(parts.join(""), "latin1");
      chunks.push(b);
      total += b.length;
      parts = [];
      size = 0;
    }
  }
  if (parts.length) {
    const b = Buffer.from(parts.join(""), "latin1");
    chunks.push(b);
    total += b.length;
  }
  return { chunks, bytes: total };
}
