// Placeholders of the native API: `:name` and PostgreSQL's own `$n`, converted once per
// statement (toStatement) and bound to each run's params (bindNamed, bindTypes).
//
// With a params object, `$n` takes the n-th value in the object's key order (pg8000: "$1
// indexes the keyword arguments in call order"; note that JS puts integer-like keys such as
// "2" first). Mixing works: `:name` placeholders are numbered after the highest literal `$n`.
// Unlike pg8000 the values follow the $n numbers, not the order of appearance, so
// "SELECT $2, $1" with { a, b } yields [b, a] (pg8000 returns [a, b]).
//
// pg8000 forbids the names `types` and `stream` because its params are Python keyword
// arguments of run(); ours travel in their own object beside the options, so every name works.

import {
  checkCount,
  describeKind,
  endOfName,
  forEachCodeSpan,
  isDigit,
  isNameChar,
  isNameStart,
  valueByName,
} from "../core/sql-scanner.js";
import { InterfaceError } from "../errors.js";

export interface NativeStatement {
  /** The SQL with every `:name` replaced by `$n`; literal `$n` are left as written. */
  sql: string;
  /** Distinct `:name` placeholders in order of first appearance; names[i] is $(maxDollar + i + 1). */
  names: string[];
  /** The highest `$n` written literally in the SQL, 0 if none. */
  maxDollar: number;
}

const COLON = 0x3a; // :
const DOLLAR = 0x24; // $

/** Converts `sql` once; the result is bound to params with bindNamed() on every run. */
export function toStatement(sql: string): NativeStatement {
  // The numbers of :name placeholders depend on the highest $n, which may come later in the
  // text, so the output is assembled after the scan: text pieces alternate with name indexes.
  const pieces: (string | number)[] = [];
  const names: string[] = [];
  const indexByName = new Map<string, number>();
  let maxDollar = 0;
  let copiedUpTo = 0;

  forEachCodeSpan(sql, (start, end) => {
    let i = start;
    while (i < end) {
      const code = sql.charCodeAt(i);
      if (isNameStart(code)) {
        // Skip whole words, so that `$1` inside an identifier such as col$1 is not a parameter.
        i++;
        while (i < end && (isNameChar(sql.charCodeAt(i)) || sql.charCodeAt(i) === DOLLAR)) i++;
      } else if (code === DOLLAR && i + 1 < end && isDigit(sql.charCodeAt(i + 1))) {
        let digitsEnd = i + 2;
        while (digitsEnd < end && isDigit(sql.charCodeAt(digitsEnd))) digitsEnd++;
        maxDollar = Math.max(maxDollar, Number(sql.slice(i + 1, digitsEnd)));
        i = digitsEnd;
      } else if (
        code === COLON &&
        sql.charCodeAt(i - 1) !== COLON && // the second colon of a :: cast
        i + 1 < end &&
        isNameStart(sql.charCodeAt(i + 1))
      ) {
        const nameEnd = endOfName(sql, i + 2, end);
        const name = sql.slice(i + 1, nameEnd);
        let index = indexByName.get(name);
        if (index === undefined) {
          index = names.push(name) - 1;
          indexByName.set(name, index);
        }
        pieces.push(sql.slice(copiedUpTo, i), index);
        copiedUpTo = i = nameEnd;
      } else {
        i++;
      }
    }
  });

  if (names.length === 0) return { sql, names, maxDollar };
  pieces.push(sql.slice(copiedUpTo));
  const text = pieces.map((piece) => (typeof piece === "number" ? `$${maxDollar + piece + 1}` : piece));
  return { sql: text.join(""), names, maxDollar };
}

/**
 * The value for each $n of `statement`, at index n - 1. An array binds `$n` to params[n - 1]
 * and must match the placeholders exactly; an object binds `:name` by name and `$n` by key
 * order, and may hold keys the query does not use.
 */
export function bindNamed(statement: NativeStatement, params: Record<string, unknown> | unknown[]): unknown[] {
  if (Array.isArray(params)) {
    checkArrayParams(statement, params);
    return params;
  }
  const object = expectParamsObject(params);
  return keysOfSlots(statement, object).map((key) => valueByName(object, key));
}

/**
 * The type OID for each $n of `statement`, undefined where the value's own type applies. `types` is keyed
 * like the params: by name for an object (a literal `$n` uses the n-th key of `params`), by
 * the 1-based position ("1", "2", …) for an array.
 */
export function bindTypes(
  statement: NativeStatement,
  params: Record<string, unknown> | unknown[],
  types: Record<string, number>,
): (number | undefined)[] {
  // Unlisted parameters keep the type their value implies (bool, bigint, bytea, Date…).
  const oidOf = (key: string): number | undefined => (Object.hasOwn(types, key) ? types[key] : undefined);
  if (Array.isArray(params)) {
    checkArrayParams(statement, params);
    return params.map((_, i) => oidOf(String(i + 1)));
  }
  return keysOfSlots(statement, expectParamsObject(params)).map(oidOf);
}

function checkArrayParams(statement: NativeStatement, params: unknown[]): void {
  if (statement.names.length > 0) {
    throw new InterfaceError(
      `The query has the placeholder ':${statement.names[0]}', so params must be an object, but an array was given.`,
    );
  }
  checkCount(statement.maxDollar, params.length);
}

function expectParamsObject(params: unknown): Record<string, unknown> {
  if (typeof params === "object" && params !== null) return params as Record<string, unknown>;
  throw new InterfaceError(`params must be an object or an array, but ${describeKind(params)} was given.`);
}

/** The params key bound to each $n: the first maxDollar keys in order, then the :names. */
function keysOfSlots(statement: NativeStatement, params: Record<string, unknown>): string[] {
  if (statement.maxDollar === 0) return statement.names;
  const keys = Object.keys(params);
  if (statement.maxDollar > keys.length) {
    throw new InterfaceError(
      `There's a placeholder '$${statement.maxDollar}' in the query, but only ${keys.length} ` +
        `parameter${keys.length === 1 ? " was" : "s were"} given.`,
    );
  }
  keys.length = statement.maxDollar;
  return keys.concat(statement.names);
}
