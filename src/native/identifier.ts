// Quoting of SQL identifiers for the places where a parameter cannot go (table and column
// names, LISTEN channels…). PostgreSQL docs: SQL Syntax, Identifiers and Key Words (4.1.1).

import { InterfaceError } from "../errors.js";

/**
 * `name` as a quoted identifier: always quoted (so case and reserved words are kept, as
 * pg8000 does since 1.31.3), with embedded `"` doubled. `identifier('a"b')` is `"a""b"`.
 */
export function identifier(name: string): string {
  if (typeof name !== "string") throw new InterfaceError("identifier must be a string");
  if (name.length === 0) throw new InterfaceError("identifier must be > 0 characters in length");
  // The server cannot store NUL in any text, so no quoting could make this name valid.
  if (name.includes("\0")) throw new InterfaceError("identifier cannot contain the code zero character");
  return `"${name.replaceAll('"', '""')}"`;
}
