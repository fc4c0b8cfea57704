// The seeded protocol fuzzer: random result sets (random types, values, NULLs) answered by the
// in-memory FuzzServer through the simple (text) and the extended (binary) path, the reply
// bytes mutated (bit flips, interesting integers over length fields, deletions, insertions,
// duplications, truncations) and delivered in random chunks. Unmutated cases must decode to the
// generated values exactly; mutated ones must end in a DB-API error or a result — never another
// exception, a hang or an unhandled rejection. The same seed replays the same cases.

import { DatabaseError, InterfaceError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { type Cell, COLUMN_TYPES, type ColumnType, FuzzServer, type ResultSet } from "./fuzz-server.js";
import { rng } from "./workload.js";

export interface FuzzReport {
  cases: number;
  mutated: number;
  /** Unmutated cases whose decoded rows equal the generated values. */
  exact: number;
  /** Mutated cases that still returned rows / ended in each DB-API error class. */
  outcomes: Record<string, number>;
  connections: number;
  /** Anything else: a wrong unmutated result, a non-DB-API exception, a hang. Always a bug. */
  failures: string[];
}

const EPOCH_2000_MS = Date.UTC(2000, 0, 1);
const INTERESTING_INT32 = [0, 1, -1, 3, 4, 5, 0x7fffffff, -0x80000000, 0xffff, 0x10000, 1 << 30];

function generateValue(type: ColumnType, r: () => number): Cell {
  if (r() < 0.1) return null;
  const int32 = (): number =>
    r() < 0.2 ? [0, -1, 2147483647, -2147483648][Math.floor(r() * 4)]! : Math.floor((r() - 0.5) * 2e6);
  switch (type) {
    case "int4":
      return int32();
    case "int8":
      return r() < 0.2
        ? [0n, -1n, 9223372036854775807n, -9223372036854775808n][Math.floor(r() * 4)]!
        : BigInt(int32()) * 1_000_003n;
    case "float8":
      return r() < 0.2
        ? [0, -0, 0.1, 1e300, -1e-300, 5e-324, Number.MAX_VALUE][Math.floor(r() * 7)]!
        : (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case "bool":
      return r() < 0.5;
    case "text":
      return Array.from(
        { length: Math.floor(r() * 12) },
        () => ["a", "é", "😀", " ", "\\", '"', "{", ",", "\n", "z"][Math.floor(r() * 10)],
      ).join("");
    case "bytea":
      return Uint8Array.from({ length: Math.floor(r() * 10) }, () => Math.floor(r() * 256));
    case "date":
      return Math.floor((r() - 0.5) * 200_000); // days from 2000-01-01, within 1726..2273
    case "timestamptz":
      return BigInt(Math.floor((r() - 0.5) * 2e9)) * 1_000_000n + BigInt(Math.floor(r() * 1e6));
    case "int4[]":
      return Array.from({ length: Math.floor(r() * 5) }, () => (r() < 0.15 ? null : int32())) as number[];
    case "uuid":
      return Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16))
        .join("")
        .replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, "$1-$2-$3-$4-$5");
  }
}

/** What the driver must return for a generated value, in a comparable form. */
function expected(type: ColumnType, v: Cell): unknown {
  if (v === null) return null;
  switch (type) {
    case "int8":
      return `bigint:${v}`;
    case "bytea":
      return `bytes:${Buffer.from(v as Uint8Array).toString("hex")}`;
    case "date":
      return new Date(EPOCH_2000_MS + (v as number) * 86_400_000).toISOString().slice(0, 10);
    case "timestamptz": {
      const micros = v as bigint;
      const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n); // floor, as the README says
      return `date:${Number(ms) + EPOCH_2000_MS}`;
    }
    case "float8":
      return Object.is(v, -0) ? "-0" : v;
    default:
      return v;
  }
}

/** The driver's value in the same comparable form. */
function comparable(v: unknown): unknown {
  if (v === null) return null;
  if (typeof v === "bigint") return `bigint:${v}`;
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString("hex")}`;
  if (v instanceof Date) return `date:${v.getTime()}`;
  if (Object.is(v, -0)) return "-0";
  if (Array.isArray(v)) return v.map(comparable);
  return v;
}

export function mutate(reply: Uint8Array, r: () => number): Uint8Array {
  let bytes = Array.from(reply);
  const count = 1 + Math.floor(r() * 3);
  for (let m = 0; m < count && bytes.length > 0; m++) {
    const at = Math.floor(r() * bytes.length);
    switch (Math.floor(r() * 7)) {
      case 0:
        bytes[at]! ^= 1 << Math.floor(r() * 8);
        break;
      case 1:
        bytes[at] = [0, 0xff, 0x7f, 0x80, Math.floor(r() * 256)][Math.floor(r() * 5)]!;
        break;
      case 2: {
        const n = INTERESTING_INT32[Math.floor(r() * INTERESTING_INT32.length)]!;
        bytes.splice(at, 4, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
        break;
      }
      case 3:
        bytes.splice(at, 1 + Math.floor(r() * 8));
        break;
      case 4:
        bytes.splice(at, 0, ...Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256)));
        break;
      case 5: {
        const end = Math.min(bytes.length, at + 1 + Math.floor(r() * 40));
        bytes.splice(end, 0, ...bytes.slice(at, end));
        break;
      }
      default:
        bytes = bytes.slice(0, at);
    }
  }
  return Uint8Array.from(bytes);
}

function chunking(r: () => number): (length: number) => number[] {
  return (length) => {
    if (r() < 0.5) return [length];
    const sizes: number[] = [];
    for (let left = length; left > 0; ) {
      const size = 1 + Math.floor(r() * Math.min(left, r() < 0.5 ? 3 : 64));
      sizes.push(size);
      left -= size;
    }
    return sizes;
  };
}

/** Resolves with the promise's outcome, or "hang" when it is still pending after `turns` event-loop turns. */
async function settleWithin<T>(
  promise: Promise<T>,
  turns: number,
): Promise<{ value?: T; error?: unknown; hang?: true }> {
  let result: { value?: T; error?: unknown } | undefined;
  promise.then(
    (value) => (result = { value }),
    (error: unknown) => (result = { error }),
  );
  for (let i = 0; i < turns && !result; i++) await new Promise((r) => setImmediate(r));
  return result ?? { hang: true };
}

/** Like settleWithin, for steps that wait on real I/O (loading the codec). */
async function settleInTime<T>(promise: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown; hang?: true }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<{ hang: true }>((resolve) => (timer = setTimeout(() => resolve({ hang: true }), ms)));
  const settled = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const result = await Promise.race([settled, hang]);
  clearTimeout(timer);
  return result;
}

export async function runFuzz(seed: number, cases: number): Promise<FuzzReport> {
  const r = rng(seed);
  const report: FuzzReport = { cases: 0, mutated: 0, exact: 0, outcomes: {}, connections: 0, failures: [] };
  let server: FuzzServer | undefined;
  let con: Connection | undefined;
  for (let n = 0; n < cases; n++) {
    const where = `seed ${seed} case ${n}`;
    const mutated = r() < 0.85;
    // A checked case gets a fresh connection: a mutated reply before it may legitimately have
    // left the old one in any state the server's bytes described.
    if (!con || con.closed || server!.isClosed || !mutated) {
      if (con && !con.closed) await settleWithin(con.close(), 50);
      server = new FuzzServer();
      const opened = await settleInTime(connect({ user: "fuzz", sock: server, ssl_context: false }), 5000);
      if (!opened.value) {
        report.failures.push(`${where}: connect failed: ${String(opened.error ?? "hang")}`);
        return report;
      }
      con = opened.value;
      report.connections++;
    }
    const types = Array.from(
      { length: 1 + Math.floor(r() * 4) },
      () => COLUMN_TYPES[Math.floor(r() * COLUMN_TYPES.length)]!,
    );
    const set: ResultSet = {
      types,
      rows: Array.from({ length: Math.floor(r() * 4) }, () => types.map((t) => generateValue(t, r))),
    };
    const extended = r() < 0.5;
    const sql = `SELECT /* ${n} */ ${extended ? "$1" : "1"}`;
    server!.results.set(sql, set);
    server!.chunking = chunking(r);
    // In the extended path the describe exchange comes first: either reply may be mutated.
    const mutateAt = mutated ? (extended && r() < 0.3 ? 0 : extended ? 1 : 0) : -1;
    let reply = 0;
    server!.mutate = (bytes) => (reply++ === mutateAt ? mutate(bytes, r) : bytes);
    const call = con.run(sql, extended ? [n] : null);
    let outcome = await settleWithin(call, 20);
    if (outcome.hang) {
      // The driver waits for bytes the mangled reply promised: the server hangs up.
      server!.hangUp();
      outcome = await settleWithin(call, 20);
      if (outcome.hang) {
        report.failures.push(`${where}: still pending after the server closed the connection`);
        continue;
      }
    }
    report.cases++;
    if (!mutated) {
      const want = set.rows.map((row) => row.map((v, i) => expected(types[i]!, v)));
      const got = outcome.value === undefined ? outcome.error : comparable(outcome.value);
      if (JSON.stringify(got) === JSON.stringify(want)) report.exact++;
      else
        report.failures.push(
          `${where}: ${JSON.stringify(types)} want ${JSON.stringify(want)} got ${String(JSON.stringify(got))}`,
        );
      continue;
    }
    report.mutated++;
    const kind =
      outcome.error === undefined
        ? "rows"
        : outcome.error instanceof InterfaceError || outcome.error instanceof DatabaseError
          ? (outcome.error as Error).name
          : null;
    if (kind === null) report.failures.push(`${where}: ${String((outcome.error as Error)?.stack ?? outcome.error)}`);
    else report.outcomes[kind] = (report.outcomes[kind] ?? 0) + 1;
    if (report.failures.length > 20) break;
  }
  if (con && !con.closed) await settleWithin(con.close(), 50);
  return report;
}
