// query(): the result as node-postgres users know it — rows as objects keyed by column name
// (or arrays), the fields, the command tag's verb and the row count.

import type { QueryResult as CoreResult } from "../core/query.js";
import { InterfaceError } from "../errors.js";
import type { ColumnInfo } from "../protocol/messages.js";
import type { RunOptions } from "./connection.js";

export interface QueryOptions extends RunOptions {
  /** "object" (default): each row an object keyed by column name; "array": each row an array. */
  row_mode?: "object" | "array";
}

export interface QueryResult<Row = Record<string, unknown>> {
  /** One entry per row: an object keyed by column name, or an array with `row_mode: "array"`. */
  rows: Row[];
  /** The result's columns (as `Connection.columns`); empty when the statement returns no rows. */
  fields: ColumnInfo[];
  /** The command tag's verb: "SELECT", "INSERT", "UPDATE", "CREATE"…; "" when there was none. */
  command: string;
  /** Rows affected or returned, from the command tag; -1 when the command reports none. */
  row_count: number;
}

/** The first word of a CommandComplete tag: "INSERT 0 1" → "INSERT", "CREATE TABLE" → "CREATE". */
export function commandOfTag(tag: string | null): string {
  if (!tag) return "";
  const space = tag.indexOf(" ");
  return space < 0 ? tag : tag.slice(0, space);
}

/**
 * Rows as objects keyed by column name. With duplicate names (e.g. two `id` columns of a join)
 * the last column wins, as in node-postgres; use `row_mode: "array"` to keep them all.
 */
export function rowsAsObjects(columns: readonly ColumnInfo[], rows: readonly unknown[][]): Record<string, unknown>[] {
  const names = columns.map((c) => c.name);
  const n = names.length;
  // A column named __proto__ must become a property, not the object's prototype.
  const unsafe = names.includes("__proto__");
  const out = new Array<Record<string, unknown>>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const o: Record<string, unknown> = {};
    if (unsafe) for (let c = 0; c < n; c++) Object.defineProperty(o, names[c]!, field(row[c]));
    else for (let c = 0; c < n; c++) o[names[c]!] = row[c];
    out[r] = o;
  }
  return out;
}

function field(value: unknown): PropertyDescriptor {
  return { value, writable: true, enumerable: true, configurable: true };
}

export function checkRowMode(rowMode: unknown): void {
  if (rowMode !== undefined && rowMode !== "object" && rowMode !== "array") {
    throw new InterfaceError(`row_mode must be "object" or "array", got ${JSON.stringify(rowMode)}`);
  }
}

export function toQueryResult(result: CoreResult, rowMode: "object" | "array" | undefined): QueryResult<unknown> {
  const fields = result.columns ?? [];
  const rows = result.columns === null ? [] : rowMode === "array" ? result.rows : rowsAsObjects(fields, result.rows);
  return { rows, fields, command: commandOfTag(result.command), row_count: result.rowCount };
}
