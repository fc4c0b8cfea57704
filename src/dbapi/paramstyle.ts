// DB-API paramstyles (PEP 249) rewritten to PostgreSQL's $n placeholders; the values are
// always sent separately, never interpolated. Quotes, comments and dollar quotes are found by
// the shared scanner, and nothing inside them changes (not even %% in format/pyformat, as in
// pg8000).
//
// Where we differ from pg8000 on purpose: /* */ comments, $tag$ quotes and lower-case e''
// strings are recognised; a placeholder/parameter count mismatch or a wrong kind of `args`
// fails here with an InterfaceError instead of at the server.

import {
  checkCount,
  describeKind,
  endOfName,
  forEachCodeSpan,
  isDigit,
  isNameStart,
  valueByName,
} from "../core/sql-scanner.js";
import { InterfaceError } from "../errors.js";

export type Paramstyle = "format" | "pyformat" | "named" | "qmark" | "numeric";

export interface ConvertedQuery {
  /** The SQL with $1, $2, … placeholders. */
  sql: string;
  /** The value for each $n, at index n - 1. For the array-based styles this is `args` itself. */
  values: unknown[];
}

const QUESTION_MARK = 0x3f; // ?
const COLON = 0x3a; // :
const PERCENT = 0x25; // %
const OPEN_PAREN = 0x28; // (
const LOWER_S = 0x73; // s

/**
 * Rewrites `sql` written in `style` to $n placeholders and lines the values up with them.
 *
 * - qmark `?`: every `?` in code becomes a placeholder, so jsonb's `?`, `?|` and `?&` operators
 *   cannot be used with this style (as in pg8000); write jsonb_exists(), jsonb_exists_any()
 *   and jsonb_exists_all() instead, or use another style.
 * - numeric `:1`: digits only; `::` casts and `:=` are left alone.
 * - named `:name`: a name starts with a letter or `_` (so `arr[1:2]` is not a placeholder);
 *   a repeated name reuses its $n; keys of `args` that the query does not use are ignored.
 * - format `%s`, with `%%` for a literal `%`; any other `%` is an error.
 * - pyformat `%(name)s` with an object, or `%s` with an array (pg8000 accepts both); `%%` too.
 */
export function convertParamstyle(
  style: Paramstyle,
  sql: string,
  args: unknown[] | Record<string, unknown>,
): ConvertedQuery {
  switch (style) {
    case "qmark":
      return convertQmark(sql, expectArray(style, args));
    case "numeric":
      return convertNumeric(sql, expectArray(style, args));
    case "format":
      return convertPercent(sql, expectArray(style, args), false);
    case "named":
      return convertNamed(sql, expectObject(style, args));
    case "pyformat":
      if (Array.isArray(args)) return convertPercent(sql, args, true);
      return convertPyformatNamed(sql, expectObject(style, args));
    default:
      throw new InterfaceError(`Unknown paramstyle '${String(style)}'.`);
  }
}

/** Accumulates the output as slices of the input, so unchanged stretches are never copied char by char. */
class SliceWriter {
  private readonly sql: string;
  private readonly parts: string[] = [];
  private copiedUpTo = 0;

  constructor(sql: string) {
    this.sql = sql;
  }

  /** Emits the input up to `start` unchanged, then `text` in place of [start, end). */
  replace(start: number, end: number, text: string): void {
    this.parts.push(this.sql.slice(this.copiedUpTo, start), text);
    this.copiedUpTo = end;
  }

  finish(): string {
    if (this.copiedUpTo === 0) return this.sql;
    this.parts.push(this.sql.slice(this.copiedUpTo));
    return this.parts.join("");
  }
}

function convertQmark(sql: string, args: unknown[]): ConvertedQuery {
  const out = new SliceWriter(sql);
  let count = 0;
  forEachCodeSpan(sql, (start, end) => {
    for (let i = start; i < end; i++) {
      if (sql.charCodeAt(i) === QUESTION_MARK) out.replace(i, i + 1, `$${++count}`);
    }
  });
  checkCount(count, args.length);
  return { sql: out.finish(), values: args };
}

function convertNumeric(sql: string, args: unknown[]): ConvertedQuery {
  const out = new SliceWriter(sql);
  let highest = 0;
  forEachCodeSpan(sql, (start, end) => {
    for (let i = start; i < end; i++) {
      if (!isPlaceholderColon(sql, i) || !isDigit(sql.charCodeAt(i + 1)) || i + 1 >= end) continue;
      let digitsEnd = i + 2;
      while (digitsEnd < end && isDigit(sql.charCodeAt(digitsEnd))) digitsEnd++;
      const n = Number(sql.slice(i + 1, digitsEnd));
      if (n === 0) throw new InterfaceError("Numeric placeholders start at :1, but the query has :0.");
      if (n > highest) highest = n;
      out.replace(i, digitsEnd, `$${n}`);
      i = digitsEnd - 1;
    }
  });
  checkCount(highest, args.length);
  return { sql: out.finish(), values: args };
}

function convertNamed(sql: string, args: Record<string, unknown>): ConvertedQuery {
  const out = new SliceWriter(sql);
  const numbers = new PlaceholderNumbers();
  forEachCodeSpan(sql, (start, end) => {
    for (let i = start; i < end; i++) {
      if (!isPlaceholderColon(sql, i) || i + 1 >= end || !isNameStart(sql.charCodeAt(i + 1))) continue;
      const nameEnd = endOfName(sql, i + 2, end);
      out.replace(i, nameEnd, `$${numbers.of(sql.slice(i + 1, nameEnd))}`);
      i = nameEnd - 1;
    }
  });
  return { sql: out.finish(), values: numbers.valuesFrom(args) };
}

/** format, and pyformat given an array: `%s` placeholders and `%%` escapes. */
function convertPercent(sql: string, args: unknown[], pyformat: boolean): ConvertedQuery {
  const out = new SliceWriter(sql);
  let count = 0;
  forEachCodeSpan(sql, (start, end) => {
    for (let i = start; i < end; i++) {
      if (sql.charCodeAt(i) !== PERCENT) continue;
      const next = i + 1 < end ? sql.charCodeAt(i + 1) : NaN;
      if (next === PERCENT) {
        out.replace(i, i + 2, "%");
      } else if (next === LOWER_S) {
        out.replace(i, i + 2, `$${++count}`);
      } else if (pyformat && next === OPEN_PAREN) {
        throw new InterfaceError(
          "The query has a %(name)s placeholder, so the parameters must be an object, but an array was given.",
        );
      } else {
        throw unsupportedPercent(pyformat);
      }
      i++;
    }
  });
  checkCount(count, args.length);
  return { sql: out.finish(), values: args };
}

/** pyformat given an object: `%(name)s` placeholders and `%%` escapes. */
function convertPyformatNamed(sql: string, args: Record<string, unknown>): ConvertedQuery {
  const out = new SliceWriter(sql);
  const numbers = new PlaceholderNumbers();
  forEachCodeSpan(sql, (start, end) => {
    for (let i = start; i < end; i++) {
      if (sql.charCodeAt(i) !== PERCENT) continue;
      const next = i + 1 < end ? sql.charCodeAt(i + 1) : NaN;
      if (next === PERCENT) {
        out.replace(i, i + 2, "%");
        i++;
      } else if (next === OPEN_PAREN) {
        const close = sql.indexOf(")", i + 2);
        if (close < 0 || close + 1 >= end || sql.charCodeAt(close + 1) !== LOWER_S) {
          throw unsupportedPercent(true);
        }
        out.replace(i, close + 2, `$${numbers.of(sql.slice(i + 2, close))}`);
        i = close + 1;
      } else if (next === LOWER_S) {
        throw new InterfaceError(
          "The query has a %s placeholder, so the parameters must be an array, but an object was given.",
        );
      } else {
        throw unsupportedPercent(true);
      }
    }
  });
  return { sql: out.finish(), values: numbers.valuesFrom(args) };
}

/** Gives each distinct name the next $n, in order of first appearance. */
class PlaceholderNumbers {
  private readonly byName = new Map<string, number>();

  of(name: string): number {
    let n = this.byName.get(name);
    if (n === undefined) {
      n = this.byName.size + 1;
      this.byName.set(name, n);
    }
    return n;
  }

  valuesFrom(args: Record<string, unknown>): unknown[] {
    const values: unknown[] = [];
    for (const name of this.byName.keys()) values.push(valueByName(args, name));
    return values;
  }
}

/** A `:` that may start a placeholder: not part of a `::` cast (`:=` is excluded by what follows). */
function isPlaceholderColon(sql: string, i: number): boolean {
  return sql.charCodeAt(i) === COLON && sql.charCodeAt(i - 1) !== COLON;
}

function unsupportedPercent(pyformat: boolean): InterfaceError {
  return new InterfaceError(
    pyformat ? "Only %(name)s, %s and %% are supported in the query." : "Only %s and %% are supported in the query.",
  );
}

function expectArray(style: Paramstyle, args: unknown): unknown[] {
  if (Array.isArray(args)) return args;
  throw new InterfaceError(
    `The '${style}' paramstyle expects the parameters as an array, but ${describeKind(args)} was given.`,
  );
}

function expectObject(style: Paramstyle, args: unknown): Record<string, unknown> {
  if (typeof args === "object" && args !== null && !Array.isArray(args)) {
    return args as Record<string, unknown>;
  }
  throw new InterfaceError(
    `The '${style}' paramstyle expects the parameters as an object, but ${describeKind(args)} was given.`,
  );
}
