// DB-API 2.0 cursor (PEP 249) with pg8000's per-cursor paramstyle.

import type { QueryResult } from "../core/query.js";
import { InterfaceError, ProgrammingError } from "../errors.js";
import type { Connection } from "./connection.js";
import type { Paramstyle } from "./paramstyle.js";
import { DBAPITypeObject } from "./type-objects.js";

/** [name, type_code, display_size, internal_size, precision, scale, null_ok] */
export type ColumnDescription = [
  name: string,
  type_code: number,
  display_size: number | null,
  internal_size: number | null,
  precision: number | null,
  scale: number | null,
  null_ok: boolean | null,
];

export type Row = unknown[];
export type Parameters = unknown[] | Record<string, unknown>;

export interface ExecuteOptions {
  /** COPY source or destination. */
  stream?: unknown;
}

const NUMERIC = 1700;

export class Cursor implements Iterable<Row>, AsyncIterable<Row> {
  /** Rows fetchmany() returns by default. */
  arraysize = 1;
  /** Placeholder style of this cursor's queries. */
  paramstyle: Paramstyle;
  /** Rows affected or returned by the last execute; -1 when unknown. */
  rowcount = -1;
  private rows: Row[] | null = null;
  private position = 0;
  private columnsDescription: ColumnDescription[] | null = null;
  private inputOids: (number | undefined)[] | null = null;
  private executed = false;
  private con: Connection | null;

  constructor(connection: Connection, paramstyle: Paramstyle = "format") {
    this.con = connection;
    this.paramstyle = paramstyle;
  }

  /** The connection this cursor runs on (PEP 249's extension); null once the cursor is closed. */
  get connection(): Connection | null {
    return this.con;
  }

  /** null, or one 7-item description per column of the last result. */
  get description(): ColumnDescription[] | null {
    return this.columnsDescription;
  }

  private open(): Connection {
    if (this.con === null) throw new InterfaceError("Cursor closed");
    return this.con;
  }

  /**
   * Runs one statement. Without params (and no stream) the SQL goes verbatim through the simple
   * query protocol; otherwise the placeholders of `paramstyle` become $n and the values travel
   * separately. Resolves to this cursor.
   */
  async execute(operation: string, params?: Parameters | null, options: ExecuteOptions = {}): Promise<this> {
    const con = this.open();
    const oids = this.inputOids ?? undefined;
    this.inputOids = null;
    const result = await con.executeForCursor(this.paramstyle, operation, params, options, oids);
    this.load(result);
    return this;
  }

  /**
   * Runs the statement once per parameter set, in order; after a set fails, none of the later
   * sets runs and the error is raised (as in pg8000). Inside a transaction block (autocommit
   * off, or after BEGIN) the sets are pipelined: all sent before the first answer, since a
   * failure aborts the transaction and the server refuses the rest. In autocommit each set
   * commits on its own and waits for the previous one.
   *
   * rowcount is the sum, or -1 if any run reports none; the rows are those of the last set.
   * After a failure the cursor holds the result of the last set that succeeded (pg8000's
   * cursor does the same), or what it held before when the first set failed.
   */
  async executemany(operation: string, paramSets: Iterable<Parameters>): Promise<this> {
    const con = this.open();
    const oids = this.inputOids ?? undefined;
    this.inputOids = null;
    const outcome = await con.executeManyForCursor(this.paramstyle, operation, paramSets, oids);
    const { results } = outcome;
    const last = results[results.length - 1];
    if (last !== undefined) this.load(last);
    if (outcome.failed) throw outcome.error;
    if (last === undefined) {
      this.rowcount = -1;
      this.columnsDescription = null;
      this.rows = null;
      this.executed = true;
      return this;
    }
    this.rowcount = results.some((r) => r.rowCount < 0) ? -1 : results.reduce((n, r) => n + r.rowCount, 0);
    return this;
  }

  /** CALL procname(params…); INOUT results can be fetched. */
  async callproc(procname: string, params: unknown[] = []): Promise<this> {
    const con = this.open();
    if (typeof procname !== "string" || !/^[\p{L}_"][\p{L}\p{N}_$".]*$/u.test(procname)) {
      throw new InterfaceError("callproc: procname must be a procedure name, optionally schema-qualified and quoted");
    }
    const placeholders = params.map((_, i) => `$${i + 1}`).join(", ");
    this.load(await con.callprocForCursor(`CALL ${procname}(${placeholders})`, params));
    return this;
  }

  private load(result: QueryResult): void {
    this.executed = true;
    this.rowcount = result.rowCount;
    if (result.columns === null) {
      this.columnsDescription = null;
      this.rows = null;
    } else {
      this.columnsDescription = result.columns.map((c) =>
        describeColumn(c.name, c.type_oid, c.type_size, c.type_modifier),
      );
      this.rows = result.rows;
    }
    this.position = 0;
  }

  /** The buffered result; still readable after close(), as in pg8000. */
  private resultRows(): Row[] {
    if (this.rows === null) {
      throw new ProgrammingError(
        this.executed ? "no result set: the last statement did not return rows" : "attempting to use unexecuted cursor",
      );
    }
    return this.rows;
  }

  /** The next row, or null when there are no more. */
  fetchone(): Row | null {
    const rows = this.resultRows();
    return this.position < rows.length ? rows[this.position++]! : null;
  }

  /** Up to `size` next rows; arraysize when `size` is omitted or null (pg8000's None). */
  fetchmany(size?: number | null): Row[] {
    const rows = this.resultRows();
    const out = rows.slice(this.position, this.position + Math.max(0, size ?? this.arraysize));
    this.position += out.length;
    return out;
  }

  /** All remaining rows. */
  fetchall(): Row[] {
    const rows = this.resultRows();
    const out = rows.slice(this.position);
    this.position = rows.length;
    return out;
  }

  /**
   * Parameter types for the next execute/executemany: a type OID per parameter, a type object
   * (its primary code: STRING is varchar), a constructor (Number, String, Boolean, BigInt, Date,
   * Uint8Array), or null to let the server infer.
   */
  setinputsizes(...sizes: unknown[]): void {
    this.inputOids = sizes.map(oidForSize);
  }

  /** Accepted for DB-API compatibility; has no effect. */
  setoutputsize(_size: number, _column?: number): void {}

  /** Detaches the cursor: later executes raise InterfaceError("Cursor closed"); fetched rows stay readable. */
  close(): void {
    this.con = null;
  }

  /** `using cur = con.cursor()` closes the cursor at the end of the block (pg8000's `with`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `await using cur = con.cursor()` does the same. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  *[Symbol.iterator](): Iterator<Row> {
    for (let row = this.fetchone(); row !== null; row = this.fetchone()) yield row;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Row> {
    for (const row of this) yield row;
  }
}

/** @internal One description entry; precision and scale are filled for numeric(p, s). */
export function describeColumn(name: string, oid: number, size: number, modifier: number): ColumnDescription {
  let precision: number | null = null;
  let scale: number | null = null;
  if (oid === NUMERIC && modifier >= 4) {
    precision = ((modifier - 4) >> 16) & 0xffff;
    scale = (modifier - 4) & 0xffff;
  }
  return [name, oid, null, size >= 0 ? size : null, precision, scale, null];
}

function oidForSize(size: unknown): number | undefined {
  if (size === null || size === undefined) return undefined;
  if (typeof size === "number" && Number.isInteger(size)) return size;
  // pg8000's type objects are plain OIDs, so pg8000 code passes e.g. STRING here.
  if (size instanceof DBAPITypeObject) return size.primary;
  switch (size) {
    case Boolean:
      return 16;
    case Number:
      return 701;
    case BigInt:
      return 20;
    case String:
      return 25;
    case Date:
      return 1184;
    case Uint8Array:
      return 17;
    default:
      throw new InterfaceError(
        "setinputsizes: give type OIDs (numbers), type objects (STRING…) or one of Boolean, Number, BigInt, String, Date, Uint8Array",
      );
  }
}
