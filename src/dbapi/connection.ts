// DB-API 2.0 connection (PEP 249) with pg8000's extensions: run(), prepare(), two-phase commit.

import type { ColumnarResult } from "../core/columnar.js";
import { CoreConnection } from "../core/connection.js";
import type { ConnectOptions } from "../core/options.js";
import type { QueryResult } from "../core/query.js";
import * as errors from "../errors.js";
import { InterfaceError, ProgrammingError } from "../errors.js";
import {
  Connection as NativeConnection,
  type Params,
  type PreparedStatement,
  type RowStream,
  type RunOptions,
  type StreamOptions,
} from "../native/connection.js";
import { type ColumnDescription, Cursor, describeColumn, type ExecuteOptions, type Parameters } from "./cursor.js";
import { mayPipeline, type ParameterSetsOutcome, runInOrder, runPipelined } from "./executemany.js";
import { convertParamstyle, type Paramstyle } from "./paramstyle.js";

/** A two-phase commit transaction id: [format_id, global_transaction_id, branch_qualifier]. */
export type Xid = [format_id: number, gtrid: string, bqual: string];

export class Connection extends NativeConnection {
  /** When false (the default) the first statement after idle opens a transaction. */
  autocommit = false;
  private xidInProgress: Xid | null = null;

  static override async connect(options: ConnectOptions | string): Promise<Connection> {
    return new Connection(await CoreConnection.connect(options));
  }

  cursor(paramstyle?: Paramstyle): Cursor {
    return new Cursor(this, paramstyle);
  }

  /** pg8000's legacy Connection.description: the columns of the last run(), as a cursor describes them. */
  get description(): ColumnDescription[] | null {
    return this.columns?.map((c) => describeColumn(c.name, c.type_oid, c.type_size, c.type_modifier)) ?? null;
  }

  // PEP 249's optional extension: the exception classes as connection attributes, so code that
  // handles several drivers can write `catch (e) { if (e instanceof con.Error) … }`.
  get Warning(): typeof errors.Warning {
    return errors.Warning;
  }
  get Error(): typeof errors.Error {
    return errors.Error;
  }
  get InterfaceError(): typeof errors.InterfaceError {
    return errors.InterfaceError;
  }
  get DatabaseError(): typeof errors.DatabaseError {
    return errors.DatabaseError;
  }
  get DataError(): typeof errors.DataError {
    return errors.DataError;
  }
  get OperationalError(): typeof errors.OperationalError {
    return errors.OperationalError;
  }
  get IntegrityError(): typeof errors.IntegrityError {
    return errors.IntegrityError;
  }
  get InternalError(): typeof errors.InternalError {
    return errors.InternalError;
  }
  get ProgrammingError(): typeof errors.ProgrammingError {
    return errors.ProgrammingError;
  }
  get NotSupportedError(): typeof errors.NotSupportedError {
    return errors.NotSupportedError;
  }

  /** Commits the current transaction (sent even when idle, as pg8000 does). */
  async commit(): Promise<void> {
    await this.core.simpleQuery("COMMIT");
  }

  /** Rolls back the current transaction; nothing is sent when none is open. */
  async rollback(): Promise<void> {
    if (!this.core.inTransaction) return;
    await this.core.simpleQuery("ROLLBACK");
  }

  /**
   * Like native run() with `:name` params, inside the auto-opened transaction. As pg8000's
   * legacy run(), a statement without rows (DDL, SET…) gives an empty array, not null;
   * `description` then is null.
   */
  override async run(sql: string, params?: Params | null, options: RunOptions = {}): Promise<unknown[][]> {
    this.beginIfNeeded();
    return (await super.run(sql, params, options)) ?? [];
  }

  /**
   * As pg8000's legacy PreparedStatement: run() opens the transaction like any other statement
   * (outside autocommit) and gives [] for a statement without rows.
   */
  override async prepare(sql: string, types?: Record<string, number>): Promise<PreparedStatement> {
    const statement = await super.prepare(sql, types);
    const runOnce = statement.run.bind(statement);
    statement.run = async (params?: Params | null): Promise<unknown[][]> => {
      this.beginIfNeeded();
      return (await runOnce(params)) ?? [];
    };
    return statement;
  }

  override stream(sql: string, params?: Params | null, options: StreamOptions = {}): RowStream {
    this.beginIfNeeded();
    return super.stream(sql, params, options);
  }

  /** query() (inherited from the native connection) opens the transaction as run() does. */
  protected override execute(
    sql: string,
    params: Params | null | undefined,
    options: RunOptions,
  ): Promise<QueryResult> {
    this.beginIfNeeded();
    return super.execute(sql, params, options);
  }

  override async run_columnar(sql: string, params?: Params | null, options: RunOptions = {}): Promise<ColumnarResult> {
    this.beginIfNeeded();
    return super.run_columnar(sql, params, options);
  }

  /** Sends BEGIN ahead of a statement when autocommit is off and no transaction is open. */
  private beginIfNeeded(): void {
    if (!this.autocommit) this.core.beginIfIdle();
  }

  /** @internal Cursor.execute */
  executeForCursor(
    style: Paramstyle,
    sql: string,
    params: Parameters | null | undefined,
    options: ExecuteOptions,
    oids: (number | undefined)[] | undefined,
  ): Promise<QueryResult> {
    if (typeof sql !== "string") throw new InterfaceError("the operation must be a string");
    this.beginIfNeeded();
    if (params === undefined || params === null || isEmpty(params)) {
      return this.core.simpleQuery(sql, { stream: options.stream });
    }
    const converted = convertParamstyle(style, sql, params);
    return this.core.extendedQuery(converted.sql, converted.values, { oids, stream: options.stream });
  }

  /**
   * @internal Cursor.executemany: the sets run in order and none after a failure (pg8000's
   * result). Inside a transaction block they are pipelined, since a failure there makes the
   * server refuse the rest anyway; in autocommit each set waits for the previous one.
   */
  executeManyForCursor(
    style: Paramstyle,
    sql: string,
    paramSets: Iterable<Parameters>,
    oids: (number | undefined)[] | undefined,
  ): Promise<ParameterSetsOutcome> {
    if (typeof sql !== "string") throw new InterfaceError("the operation must be a string");
    const send = (params: Parameters): Promise<QueryResult> => this.executeForCursor(style, sql, params, {}, oids);
    this.beginIfNeeded();
    const inBlock = !this.autocommit || this.core.inTransaction;
    return inBlock && mayPipeline(sql) ? runPipelined(paramSets, send) : runInOrder(paramSets, send);
  }

  /** @internal Cursor.callproc: no auto-BEGIN, as in pg8000 (procedures may manage transactions). */
  callprocForCursor(sql: string, params: unknown[]): Promise<QueryResult> {
    return this.core.extendedQuery(sql, params);
  }

  // ---- two-phase commit ------------------------------------------------------------------

  xid(format_id: number, global_transaction_id: string, branch_qualifier: string): Xid {
    return [format_id, global_transaction_id, branch_qualifier];
  }

  async tpc_begin(xid: Xid): Promise<void> {
    this.xidInProgress = xid;
    if (this.autocommit) await this.core.simpleQuery("BEGIN TRANSACTION");
  }

  async tpc_prepare(): Promise<void> {
    const xid = this.requireXid(null, "tpc_prepare");
    await this.core.simpleQuery(`PREPARE TRANSACTION ${quoteGid(xid[1])}`);
  }

  async tpc_commit(xid: Xid | null = null): Promise<void> {
    await this.finishTpc(xid, "tpc_commit", "COMMIT PREPARED", () => this.commit());
  }

  async tpc_rollback(xid: Xid | null = null): Promise<void> {
    await this.finishTpc(xid, "tpc_rollback", "ROLLBACK PREPARED", () => this.rollback());
  }

  private async finishTpc(
    xid: Xid | null,
    method: string,
    command: string,
    onePhase: () => Promise<void>,
  ): Promise<void> {
    const target = this.requireXid(xid, method);
    const previous = this.autocommit;
    this.autocommit = true;
    try {
      const prepared = await this.tpc_recover();
      if (prepared.some((x) => x[1] === target[1])) {
        await this.core.simpleQuery(`${command} ${quoteGid(target[1])}`);
      } else {
        await onePhase();
      }
    } finally {
      this.autocommit = previous;
      this.xidInProgress = null;
    }
  }

  /** Transactions prepared on the server, as xids [0, gid, ""]. */
  async tpc_recover(): Promise<Xid[]> {
    const previous = this.autocommit;
    this.autocommit = true;
    try {
      const result = await this.core.simpleQuery("SELECT gid FROM pg_prepared_xacts");
      return result.rows.map((row) => [0, row[0] as string, ""]);
    } finally {
      this.autocommit = previous;
    }
  }

  private requireXid(xid: Xid | null, method: string): Xid {
    const target = xid ?? this.xidInProgress;
    if (!target) {
      // pg8000's wording, which differs for tpc_rollback
      const what = method === "tpc_rollback" ? "TPC prepared transaction" : "TPC transaction";
      throw new ProgrammingError(`Cannot ${method}() without a ${what}!`);
    }
    return target;
  }
}

/** pg8000's `len(args) == 0`: an empty array or an empty object. */
function isEmpty(params: Parameters): boolean {
  if (Array.isArray(params)) return params.length === 0;
  for (const _ in params) return false;
  return true;
}

/** The gid is a string literal in PREPARE/COMMIT PREPARED (no parameters allowed there). */
function quoteGid(gid: string): string {
  if (gid.includes("\0")) throw new InterfaceError("transaction id cannot contain the NUL character");
  return `'${gid.replaceAll("'", "''")}'`;
}

export async function connect(options: ConnectOptions | string): Promise<Connection> {
  return Connection.connect(options);
}
