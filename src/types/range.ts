// Range and multirange values. Ranges keep the bounds exactly as the server sent them: the
// server canonicalises discrete ranges itself ('(,5]'::int8range comes back as "(,6)"), so
// the client never rewrites bounds.

import { DataError, InterfaceError } from "../errors.js";

export type RangeBounds = "[)" | "[]" | "(]" | "()";

const VALID_BOUNDS: ReadonlySet<string> = new Set(["[)", "[]", "(]", "()"]);

export class Range<T = unknown> {
  /** null: unbounded below. */
  lower: T | null;
  /** null: unbounded above. */
  upper: T | null;
  /** "[" / "]" include the bound, "(" / ")" exclude it. PG's default is "[)". */
  bounds: RangeBounds;
  is_empty: boolean;

  constructor(lower: T | null = null, upper: T | null = null, bounds: RangeBounds = "[)", is_empty = false) {
    if (!VALID_BOUNDS.has(bounds)) {
      throw new InterfaceError(`Range bounds must be one of "[)", "[]", "(]", "()", got ${JSON.stringify(bounds)}`);
    }
    this.lower = lower;
    this.upper = upper;
    this.bounds = bounds;
    this.is_empty = is_empty;
  }

  /** The PG range literal, e.g. "[1,10)", "(,5]", "empty", with bounds quoted when needed. */
  toString(): string {
    return formatRange(this, defaultBoundText);
  }

  /** Empty ranges are all equal; otherwise bounds and both ends must match (no canonicalising). */
  equals(other: unknown): boolean {
    if (!(other instanceof Range)) return false;
    if (this.is_empty || other.is_empty) return this.is_empty && other.is_empty;
    return this.bounds === other.bounds && boundEquals(this.lower, other.lower) && boundEquals(this.upper, other.upper);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Compares values that Range holds: primitives, Dates by time, and objects with equals(). */
function boundEquals(a: unknown, b: unknown): boolean {
  if (Object.is(a, b) || a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a !== null && typeof a === "object" && typeof (a as { equals?: unknown }).equals === "function") {
    return (a as { equals(o: unknown): boolean }).equals(b);
  }
  return false;
}

/** Text of a bound for Range.toString(), which has no connection (and so no out adapters). */
function defaultBoundText(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * A range literal with each present bound turned into text by `boundText` and quoted when the
 * range parser would otherwise misread it (empty text means "unbounded" unless quoted).
 */
export function formatRange(range: Range, boundText: (value: unknown) => string): string {
  if (range.is_empty) return "empty";
  const text = (v: unknown): string => (v === null || v === undefined ? "" : quoteRangeBound(boundText(v)));
  return `${range.bounds[0]}${text(range.lower)},${text(range.upper)}${range.bounds[1]}`;
}

function quoteRangeBound(text: string): string {
  if (text !== "" && !/[\s"\\,()[\]]/.test(text)) return text;
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * Reads one bound starting at `pos` up to (not including) the next unquoted "," or closing
 * bracket. Returns null for an absent (infinite) bound. Inside quotes PG writes '""' or '\"' for
 * a quote and '\\' for a backslash; outside quotes a backslash escapes the next character.
 */
function readBound(text: string, pos: number): [string | null, number] {
  let value = "";
  let quotedOrEscaped = false;
  let inQuotes = false;
  let i = pos;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === "\\") value += text[++i] ?? "";
      else if (c === '"') {
        if (text[i + 1] === '"') value += text[++i];
        else inQuotes = false;
      } else value += c;
    } else if (c === '"') {
      inQuotes = quotedOrEscaped = true;
    } else if (c === "\\") {
      quotedOrEscaped = true;
      value += text[++i] ?? "";
    } else if (c === "," || c === ")" || c === "]") {
      break;
    } else value += c;
  }
  return [value === "" && !quotedOrEscaped ? null : value, i];
}

/** Parses a range literal; present bounds go through `element` (the subtype's text decoder). */
export function parseRange<T = unknown>(text: string, element: (text: string) => T = (s) => s as T): Range<T> {
  const s = text.trim();
  if (s.toLowerCase() === "empty") return new Range<T>(null, null, "[)", true);
  const [lower, comma] = readBound(s, 1);
  const [upper, close] = readBound(s, comma + 1);
  const bounds = `${s[0]}${s[close]}`;
  if (s[comma] !== "," || close !== s.length - 1 || !VALID_BOUNDS.has(bounds)) {
    throw new DataError(`malformed range literal ${JSON.stringify(text)}`);
  }
  return new Range<T>(
    lower === null ? null : element(lower),
    upper === null ? null : element(upper),
    bounds as RangeBounds,
  );
}

/** Splits a multirange literal "{[1,3),[5,7)}" (or "{}") into its range literals. */
export function splitMultirange(text: string): string[] {
  const s = text.trim();
  if (s[0] !== "{" || s[s.length - 1] !== "}") {
    throw new DataError(`malformed multirange literal ${JSON.stringify(text)}`);
  }
  const ranges: string[] = [];
  let i = 1;
  while (i < s.length - 1) {
    const c = s[i]!;
    if (c === "," || /\s/.test(c)) {
      i++;
      continue;
    }
    // The range ends at its closing bracket outside quotes (or after "empty").
    let end: number;
    if (s.slice(i, i + 5).toLowerCase() === "empty") end = i + 5;
    else {
      const [, comma] = readBound(s, i + 1);
      const [, close] = readBound(s, comma + 1);
      end = close + 1;
    }
    ranges.push(s.slice(i, end));
    i = end;
  }
  return ranges;
}

/** Parses a multirange literal into its ranges, bounds decoded by `element`. */
export function parseMultirange<T = unknown>(text: string, element: (text: string) => T = (s) => s as T): Range<T>[] {
  return splitMultirange(text).map((r) => parseRange(r, element));
}
