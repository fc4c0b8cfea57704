// DB-API 2.0 connection (PEP 249) with pg8000's extensions: run(), prepare(), two-phase commit.

import type { ColumnarResult } from "../core/columnar.js";
import { CoreConnection } from "../core/connection.js";
import type { ConnectOptions } from "../core/options.js";
import type { QueryResult } from "../core/query.js";
import { InterfaceError, ProgrammingError } from "../errors.js";
import {
  Connection as NativeConnection,
  type Params,
  type RowStream,
  type RunOptions,
  type StreamOptions,
} from "../native/connection.js";
import { Cursor, type ExecuteOptions, type Parameters } from "./cursor.js";
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

  /** Commits the current transaction (sent even when idle, as pg8000 does). */
  async commit(): Promise<void> {
    await this.core.simpleQuery("COMMIT");
  }

  /** Rolls back the current transaction; nothing is sent when none is open. */
  async rollback(): Promise<void> {
    if (!this.core.inTransaction) return;
    await this.core.simpleQuery("ROLLBACK");
  }

  /** Like native run() with `:name` params, inside the auto-opened transaction. */
  override async run(sql: string, params?: Params | null, options: RunOptions = {}): Promise<unknown[][] | null> {
    this.beginIfNeeded();
    return super.run(sql, params, options);
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
    if (this.autocommit || this.core.closed) return;
    if (this.core.transactionStatus === "I" || this.core.transactionStatus === null) {
      // Pipelined in front of the statement; its result needs no await (errors surface there).
      this.core.simpleQuery("BEGIN TRANSACTION").catch(() => undefined);
      this.core.transactionStatus = "T";
    }
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
    const empty = params === undefined || params === null || (Array.isArray(params) && params.length === 0);
    if (empty) return this.core.simpleQuery(sql, { stream: options.stream });
    const converted = convertParamstyle(style, sql, params);
    return this.core.extendedQuery(converted.sql, converted.values, { oids, stream: options.stream });
  }

  /** @internal Cursor.executemany: every set is sent before the first answer arrives. */
  async executeManyForCursor(
    style: Paramstyle,
    sql: string,
    paramSets: Iterable<Parameters>,
    oids: (number | undefined)[] | undefined,
  ): Promise<QueryResult[]> {
    this.beginIfNeeded();
    const pending: Promise<QueryResult>[] = [];
    for (const params of paramSets) {
      const converted = convertParamstyle(style, sql, params);
      const p = this.core.extendedQuery(converted.sql, converted.values, { oids });
      p.catch(() => undefined); // observed below; avoid an unhandled rejection for later failures
      pending.push(p);
    }
    return Promise.all(pending);
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
    if (!target) throw new ProgrammingError(`Cannot ${method}() without a TPC transaction!`);
    return target;
  }
}

/** The gid is a string literal in PREPARE/COMMIT PREPARED (no parameters allowed there). */
function quoteGid(gid: string): string {
  if (gid.includes("\0")) throw new InterfaceError("transaction id cannot contain the NUL character");
  return `'${gid.replaceAll("'", "''")}'`;
}

export async function connect(options: ConnectOptions | string): Promise<Connection> {
  return Connection.connect(options);
}
