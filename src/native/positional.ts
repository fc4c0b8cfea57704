// The entry points ORM adapters (pg8000/kysely, pg8000/drizzle) use: their SQL is compiled
// PostgreSQL with `$n` placeholders and positional parameters, so it runs exactly as written.
// The native `:name` scanner must not see it: `arr[1:2]` (an array slice) or a `'::'` in an odd
// spot would read as a placeholder. Symbol-keyed, so no public name is added to Connection.

import type { NativeStatement } from "./placeholders.js";

/** `con[POSITIONAL_QUERY](sql, params, options)`: query() without `:name` scanning. */
export const POSITIONAL_QUERY: unique symbol = Symbol("pg8000.positionalQuery");
/** `con[POSITIONAL_STREAM](sql, params, options)`: stream() without `:name` scanning. */
export const POSITIONAL_STREAM: unique symbol = Symbol("pg8000.positionalStream");

/** `sql` as written, its `$n` bound to `params` in order (the server checks the count). */
export function positionalStatement(sql: string, params: readonly unknown[]): NativeStatement {
  return { sql, names: [], maxDollar: params.length };
}
