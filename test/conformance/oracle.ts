// The conformance runner: the server is the oracle. For each type of cases.ts, the values are
// stored in a temporary table (random ones generated there with a fixed setseed), then
//   1. fetched through the text path (simple protocol: every column in text) and through the
//      binary path (a parameterised query: binary for what the codec decodes, see BINARY_KIND
//      in src/core/rows.ts; text decoded by src/types for the rest) — both must decode to the
//      same JS value (and to the hand-written one, where the case gives it);
//   2. sent back: `SELECT v IS NOT DISTINCT FROM $2::T` and the same on the text forms must be
//      true, with the decoded JS value as $2 (at the documented precision: Dates keep ms).
// Tests are defined per case from the static case list, so the count is visible; the server
// work runs once per backend in a beforeAll.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Connection } from "../../src/native/index.js";
import { arrayCases, type Backend, TYPES, type TypeSpec, type ValueCase } from "./cases.js";

/** Fixed seed for setseed(): the same random values on every run. */
const SEED = 0.4242;

export interface PlannedCase {
  /** Row number in the type's table: edge values 1…, random values 1001…, NULL is 0. */
  n: number;
  label: string;
  js?: unknown;
  hasJs: boolean;
  noRoundTrip?: string;
}

export interface PlannedType {
  spec: TypeSpec;
  cases: PlannedCase[];
}

export interface CaseOutcome {
  text?: unknown;
  binary?: unknown;
  /** What the server prints for the stored value (for failure messages). */
  serverText?: string | null;
  sentText?: string | null;
  equal?: boolean | null;
  textEqual?: boolean | null;
  error?: string;
}

/** The types that run on `backend` (version and exclusions applied), arrays derived. */
export function plan(backend: Backend, serverVersion: number): { types: PlannedType[]; excluded: string[] } {
  const types: PlannedType[] = [];
  const excluded: string[] = [];
  for (const base of TYPES) {
    for (const spec of [base, arrayCases(base)]) {
      if (spec === undefined) continue;
      const reason = spec.exclude?.[backend];
      if (reason !== undefined) {
        excluded.push(`${spec.name}: ${reason}`);
        continue;
      }
      if (spec.minVersion !== undefined && serverVersion < spec.minVersion) {
        excluded.push(`${spec.name}: needs server_version_num ≥ ${spec.minVersion}`);
        continue;
      }
      const cases: PlannedCase[] = [{ n: 0, label: "NULL", js: null, hasJs: true }];
      spec.values.forEach((v, i) => {
        const c: ValueCase = typeof v === "string" ? { sql: v } : v;
        cases.push({ n: i + 1, label: c.sql, js: c.js, hasJs: "js" in c, noRoundTrip: c.noRoundTrip });
      });
      for (let r = 1; r <= (spec.random === undefined ? 0 : (spec.randomCount ?? 8)); r++) {
        cases.push({ n: 1000 + r, label: `random #${r}`, hasJs: false });
      }
      types.push({ spec, cases });
    }
  }
  return { types, excluded };
}

/** User types and extensions the cases refer to; `schema` keeps parallel runs apart. */
export async function setUp(con: Connection, schema: string, extensions: boolean): Promise<void> {
  if (extensions) {
    await con.run("CREATE EXTENSION IF NOT EXISTS hstore; CREATE EXTENSION IF NOT EXISTS citext");
  }
  await con.run(
    `DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path = ${schema}, public`,
  );
  await con.run(`
    CREATE TYPE conf_mood AS ENUM ('sad', 'happy', 'with space', 'ü😀');
    CREATE DOMAIN conf_posint AS int4 CHECK (VALUE > 0);
    CREATE TYPE conf_pair AS (a int, b text);
  `);
}

export async function tearDown(con: Connection, schema: string): Promise<void> {
  await con.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Column expressions that compare the stored value `v` with the parameter $2 sent back. */
function comparison(spec: TypeSpec): { equal: string; textEqual: string; sent: string } {
  let original = "v";
  // Dates keep milliseconds: drop further fraction digits of the server's ISO text (a floor on
  // the timeline, as the decoders do), in scalars, arrays and ranges alike.
  if (spec.precision === "ms") original = `regexp_replace(v::text, '(:\\d\\d\\.\\d{3})\\d+', '\\1', 'g')::${spec.sql}`;
  // JS arrays start at 0 whatever the bounds: compare with the 1-based slice.
  if (spec.isArray) original = `(${original})[:]`;
  const sent = `$2::${spec.sql}`;
  if (spec.compareAs !== undefined) {
    const as = (e: string) => `(${e})::text::${spec.compareAs}`;
    const same = `${as(original)} IS NOT DISTINCT FROM ${as(sent)}`;
    return { equal: same, textEqual: same, sent };
  }
  return {
    equal: spec.eq === false ? "NULL::bool" : `(${original}) IS NOT DISTINCT FROM ${sent}`,
    textEqual: `(${original})::text IS NOT DISTINCT FROM (${sent})::text`,
    sent,
  };
}

/** Runs one type's cases on the server; outcomes by row number. */
export async function runType(
  con: Connection,
  planned: PlannedType,
  table: string,
  sequential: boolean,
): Promise<Map<number, CaseOutcome>> {
  const { spec, cases } = planned;
  const out = new Map<number, CaseOutcome>(cases.map((c) => [c.n, {}]));
  const exprOf = (n: number): string => {
    const v = spec.values[n - 1]!;
    return typeof v === "string" ? v : v.sql;
  };
  const all = async <T>(jobs: (() => Promise<T>)[]): Promise<T[]> => {
    if (!sequential) return Promise.all(jobs.map((j) => j()));
    const results: T[] = [];
    for (const j of jobs) results.push(await j());
    return results;
  };

  if (spec.inline) {
    // Pseudo-types such as record cannot be stored: select each value on its own.
    await all(
      cases.map((c) => async () => {
        const o = out.get(c.n)!;
        const expr = c.n === 0 ? `NULL::${spec.sql}` : `(${exprOf(c.n)})::${spec.sql}`;
        try {
          const [[text, serverText]] = (await con.run(`SELECT ${expr}, (${expr})::text`)) as [[unknown, string | null]];
          const [[binary]] = (await con.run(`SELECT ${expr} WHERE $1`, [true])) as [[unknown]];
          Object.assign(o, { text, binary, serverText });
        } catch (err) {
          o.error = errorText(err);
        }
      }),
    );
    return out;
  }

  try {
    const rows = cases
      .filter((c) => c.n < 1000)
      .map((c) => (c.n === 0 ? `(0, NULL)` : `(${c.n}, (${exprOf(c.n)})::${spec.sql})`));
    let sql = `CREATE TEMP TABLE ${table} (n int PRIMARY KEY, v ${spec.sql}); INSERT INTO ${table} VALUES ${rows.join(", ")};`;
    const randomCount = cases.filter((c) => c.n > 1000).length;
    if (randomCount > 0) {
      sql += ` SELECT setseed(${SEED}); INSERT INTO ${table} SELECT 1000 + k, (${spec.random})::${spec.sql} FROM generate_series(1, ${randomCount}) k;`;
    }
    await con.run(sql);
  } catch (err) {
    for (const o of out.values()) o.error = `setting up ${spec.name}: ${errorText(err)}`;
    return out;
  }

  const fetch = async (path: "text" | "binary"): Promise<void> => {
    try {
      const rows =
        path === "text"
          ? await con.run(`SELECT n, v, v::text FROM ${table} ORDER BY n`)
          : await con.run(`SELECT n, v FROM ${table} WHERE $1 ORDER BY n`, [true]);
      for (const row of rows!) {
        const o = out.get(row[0] as number)!;
        o[path] = row[1];
        if (path === "text") o.serverText = row[2] as string | null;
      }
    } catch (err) {
      for (const o of out.values()) o.error ??= `${path} path: ${errorText(err)}`;
    }
  };
  await fetch("text");
  await fetch("binary");

  if (spec.noRoundTrip === undefined) {
    const { equal, textEqual, sent } = comparison(spec);
    const roundTrip = `SELECT ${equal}, ${textEqual}, (${sent})::text FROM ${table} WHERE n = $1`;
    await all(
      cases.map((c) => async () => {
        const o = out.get(c.n)!;
        if (o.error !== undefined || !("binary" in o) || c.noRoundTrip !== undefined) return;
        try {
          const param =
            spec.toParam === undefined || o.binary === null ? o.binary : spec.toParam(o.binary, o.serverText ?? "");
          const rows = (await con.run(roundTrip, [c.n, param as never])) as [boolean | null, boolean, string | null][];
          [o.equal, o.textEqual, o.sentText] = rows[0]!;
        } catch (err) {
          o.error = `round trip: ${errorText(err)}`;
        }
      }),
    );
  }
  return out;
}

// ---- comparing JS values ------------------------------------------------------------------

/** Structural equality with Object.is for numbers (NaN equals NaN, -0 differs from 0). */
export function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same(ra[k], rb[k]));
}

/** A short, exact rendering of a decoded value for failure messages. */
export function show(v: unknown, depth = 0): string {
  if (depth > 4) return "…";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}…` : v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : `Date(${v.toISOString()})`;
  if (v instanceof Uint8Array)
    return `Uint8Array[${v.length}](${Array.from(v.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("")}${v.length > 16 ? "…" : ""})`;
  if (Array.isArray(v))
    return `[${v
      .slice(0, 8)
      .map((x) => show(x, depth + 1))
      .join(", ")}${v.length > 8 ? `, … ${v.length} in all` : ""}]`;
  if (v !== null && typeof v === "object") {
    const name = v.constructor?.name && v.constructor.name !== "Object" ? v.constructor.name : "";
    return `${name}{${Object.entries(v)
      .slice(0, 8)
      .map(([k, x]) => `${k}: ${show(x, depth + 1)}`)
      .join(", ")}}`;
  }
  return String(v);
}

// ---- the vitest suite ---------------------------------------------------------------------

export interface SuiteOptions {
  backend: Backend;
  serverVersion: number;
  /** Opens the connection(s) the suite runs on (after setup). */
  connect: () => Promise<Connection>;
  /** Run round trips one at a time (single-connection servers). */
  sequential: boolean;
  /** Create hstore and citext with CREATE EXTENSION. */
  extensions: boolean;
  /** Connections to spread the types over. */
  connections: number;
}

export function defineConformanceSuite(options: SuiteOptions): void {
  const { types, excluded } = plan(options.backend, options.serverVersion);
  const total = types.reduce((sum, t) => sum + t.cases.length, 0);
  const outcomes = new Map<PlannedType, Map<number, CaseOutcome>>();
  const schema = `conf_${options.backend}_${process.pid}`;
  const connections: Connection[] = [];

  beforeAll(async () => {
    const started = Date.now();
    for (let i = 0; i < options.connections; i++) {
      const con = await options.connect();
      if (i === 0) await setUp(con, schema, options.extensions);
      else await con.run(`SET search_path = ${schema}, public`);
      connections.push(con);
    }
    // Types are dealt out to the connections; each connection runs its types one after another.
    let next = 0;
    await Promise.all(
      connections.map(async (con) => {
        for (let i = next++; i < types.length; i = next++) {
          outcomes.set(types[i]!, await runType(con, types[i]!, `conf_t${i}`, options.sequential));
        }
      }),
    );
    console.log(
      `conformance on ${options.backend} (server_version_num ${options.serverVersion}): ${total} cases in ${types.length} types, ` +
        `${Date.now() - started} ms` +
        (excluded.length > 0 ? `; left out: ${excluded.join("; ")}` : ""),
    );
  }, 120_000);

  afterAll(async () => {
    if (connections[0] !== undefined && !connections[0].closed)
      await tearDown(connections[0], schema).catch(() => undefined);
    for (const con of connections) await con.close().catch(() => undefined);
  });

  test(`at least 500 cases on ${options.backend}`, () => {
    expect(total).toBeGreaterThanOrEqual(500);
  });

  for (const planned of types) {
    const { spec } = planned;
    describe(spec.name, () => {
      test.each(planned.cases.map((c) => [c.label, c] as const))("%s", (_label, c) => {
        const o = outcomes.get(planned)?.get(c.n);
        const where = `${spec.name} value ${c.label}${o?.serverText !== undefined ? ` (server text ${show(o.serverText)})` : ""}`;
        expect(o, `${where}: not run`).toBeDefined();
        expect(o!.error, `${where}: ${o!.error}`).toBeUndefined();
        expect(same(o!.binary, o!.text), `${where}: binary path ${show(o!.binary)} ≠ text path ${show(o!.text)}`).toBe(
          true,
        );
        if (c.hasJs)
          expect(same(o!.binary, c.js), `${where}: decoded ${show(o!.binary)}, expected ${show(c.js)}`).toBe(true);
        if (spec.noRoundTrip === undefined && c.noRoundTrip === undefined) {
          const sent = `${where}: sent back ${show(o!.binary)}, the server read ${show(o!.sentText)}`;
          if (spec.eq !== false || spec.compareAs !== undefined) expect(o!.equal, `${sent}; = is false`).toBe(true);
          expect(o!.textEqual, `${sent}; text forms differ`).toBe(true);
        }
      });
      for (const e of spec.errors ?? []) {
        test(`${e.sql} fails to decode on both paths`, async () => {
          const con = connections[0]!;
          await expect(con.run(`SELECT ${e.sql}`), `${spec.name} ${e.sql} (text path)`).rejects.toThrow(e.error);
          await expect(
            con.run(`SELECT ${e.sql} WHERE $1`, [true]),
            `${spec.name} ${e.sql} (binary path)`,
          ).rejects.toThrow(e.error);
          expect(await con.run("SELECT 1")).toEqual([[1]]); // the connection is intact
        });
      }
    });
  }
}
