// JavaScript values → query parameters (TYPES.md "JavaScript → PostgreSQL").
//
// Parameters go out as text with OID 0 (the server infers the type from the statement, as in
// pg8000), except where the JS type pins the PG type: boolean (16), bigint (20), bytes (binary
// bytea, 17), Date (timestamptz, 1184) and PGInterval (1186).

import { InterfaceError } from "../errors.js";
import { formatArray } from "./array.js";
import { asBytes, bytesToHex } from "./bytea.js";
import { dateToTimestamptzText } from "./datetime.js";
import { PGInterval } from "./interval.js";
import { BIGINT, BOOLEAN, BYTES, INTERVAL, TIMESTAMPTZ } from "./oids.js";
import { formatRange, Range } from "./range.js";

/** Turns a value of a registered class into its PG text (or bytea bytes, or NULL). */
/** Any class or built-in constructor (including BigInt, which is not constructible) an out-adapter can be registered for. */
// biome-ignore lint/complexity/noBannedTypes: BigInt and Symbol have no construct signature
export type AnyConstructor = Function;

// biome-ignore lint/suspicious/noExplicitAny: an adapter registered for a class receives instances of it
export type OutAdapter = (value: any) => string | Uint8Array | null;

export interface EncodedParameter {
  /** Parameter type OID for Parse; 0 lets the server infer it. */
  oid: number;
  /** 0 text, 1 binary. */
  format: 0 | 1;
  /** null is SQL NULL. */
  data: string | Uint8Array | null;
}

const NULL_PARAM: EncodedParameter = Object.freeze({ oid: 0, format: 0, data: null });

function text(data: string, oid = 0): EncodedParameter {
  return { oid, format: 0, data };
}

/**
 * Numbers are sent as String(n): exact for every double, and "NaN"/"Infinity"/"-Infinity" are
 * valid float input. -0 is spelled "-0" so float8 keeps its sign. Integers of 1e21 and more
 * print with an exponent ("1e+21"): numeric and float accept that, integer types do not —
 * but such numbers are beyond int8 anyway; use bigint or a string for exact large integers.
 */
export function numberText(n: number): string {
  return Object.is(n, -0) ? "-0" : String(n);
}

/** What `prepare` makes of a value: a parameter, or an array still to be laid out. */
type Prepared = { param: EncodedParameter } | { array: readonly unknown[] };

// Built-ins whose JSON.stringify would silently send "{}" instead of their contents.
const NOT_JSON: readonly [AnyConstructor, string][] = [
  [Map, "Map"],
  [Set, "Set"],
  [WeakMap, "WeakMap"],
  [WeakSet, "WeakSet"],
  [Promise, "Promise"],
];

export class ParameterEncoder {
  /** `findAdapter` returns the out adapter registered for a value's class, if any. */
  constructor(private readonly findAdapter: (value: unknown) => OutAdapter | undefined) {}

  encode(value: unknown): EncodedParameter {
    const p = this.prepare(value, new Set());
    return "param" in p ? p.param : text(this.arrayLiteral(p.array, new Set()));
  }

  /** A value's text form as it appears inside arrays, ranges and literals (bytes as "\x…"). */
  text(value: unknown): string | null {
    return paramText(this.encode(value));
  }

  private arrayLiteral(items: readonly unknown[], seen: Set<object>): string {
    // A list of ranges is written as a multirange literal "{[1,3),[5,7)}", as pg8000 does:
    // multiranges reject quoted ranges, while range[] (which needs them quoted) is rarer.
    if (items.length > 0 && items.every((r) => r instanceof Range && this.findAdapter(r) === undefined)) {
      return `{${items.map((r) => this.rangeLiteral(r as Range)).join(",")}}`;
    }
    return formatArray(items, (element) => {
      const p = this.prepare(element, seen);
      return "param" in p ? paramText(p.param) : p.array;
    });
  }

  private rangeLiteral(range: Range): string {
    return formatRange(range, (bound) => this.text(bound) ?? "");
  }

  /** Applies out adapters and toPostgres(), then the built-in rules. */
  private prepare(value: unknown, seen: Set<object>): Prepared {
    if (value === null || value === undefined) return { param: NULL_PARAM };
    const adapter = this.findAdapter(value);
    if (adapter !== undefined) return { param: this.adapted(adapter(value), seen) };
    if (hasToPostgres(value)) {
      if (seen.has(value)) {
        throw new InterfaceError("toPostgres() returned a value that leads back to itself");
      }
      seen.add(value);
      try {
        return this.prepare(
          value.toPostgres((v: unknown) => this.text(v)),
          seen,
        );
      } finally {
        seen.delete(value);
      }
    }
    if (Array.isArray(value)) return { array: value };
    return { param: this.builtin(value, seen) };
  }

  /** An adapter's result: its text, bytes or NULL; anything else by the built-in rules. */
  private adapted(result: unknown, seen: Set<object>): EncodedParameter {
    if (result === null || result === undefined) return NULL_PARAM;
    if (typeof result === "string") return text(result);
    if (result instanceof Uint8Array) return { oid: BYTES, format: 1, data: result };
    if (Array.isArray(result)) return text(this.arrayLiteral(result, seen));
    return this.builtin(result, seen);
  }

  private builtin(value: unknown, seen: Set<object>): EncodedParameter {
    switch (typeof value) {
      case "string":
        return text(value);
      case "number":
        return text(numberText(value));
      case "boolean":
        return text(value ? "true" : "false", BOOLEAN);
      case "bigint":
        return text(value.toString(), BIGINT);
      case "function":
      case "symbol":
        throw new InterfaceError(`cannot send a ${typeof value} as a query parameter`);
    }
    if (value === null || value === undefined) return NULL_PARAM;
    const bytes = asBytes(value);
    if (bytes !== undefined) return { oid: BYTES, format: 1, data: bytes };
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new InterfaceError("cannot send an Invalid Date");
      return text(dateToTimestamptzText(value), TIMESTAMPTZ);
    }
    if (value instanceof PGInterval) return text(value.toString(), INTERVAL);
    if (value instanceof Range) return text(this.rangeLiteral(value));
    if (Array.isArray(value)) return text(this.arrayLiteral(value, seen));
    if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt) {
      return this.builtin(value.valueOf(), seen); // boxed primitives
    }
    for (const [ctor, name] of NOT_JSON) {
      if (value instanceof ctor) {
        throw new InterfaceError(
          `cannot send a ${name} as a query parameter: convert it first (e.g. Object.fromEntries(map) ` +
            `or [...set]) or register an out adapter`,
        );
      }
    }
    return text(jsonText(value));
  }
}

function paramText(p: EncodedParameter): string | null {
  return p.data instanceof Uint8Array ? `\\x${bytesToHex(p.data)}` : p.data;
}

function hasToPostgres(value: unknown): value is { toPostgres(prepare: (v: unknown) => string | null): unknown } {
  return (
    typeof value === "object" && value !== null && typeof (value as { toPostgres?: unknown }).toPostgres === "function"
  );
}

function jsonText(value: object): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new InterfaceError(`cannot send object as JSON: ${(err as Error).message}`, { cause: err });
  }
  if (json === undefined) throw new InterfaceError("object's toJSON() returned undefined; nothing to send");
  return json;
}
