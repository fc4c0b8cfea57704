// pg8000/kysely — a Kysely dialect over a pg8000 Pool: Kysely's own PostgreSQL query compiler,
// adapter and introspector; this module only moves compiled queries to the pool and back.

import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { identifier } from "../native/identifier.js";
import { rowsAsObjects } from "../native/query-result.js";
import type { Pool } from "../pool/pool.js";
import type { PooledConnection } from "../pool/pooled-connection.js";

export interface Pg8000DialectConfig {
  /** The pool queries run on, or a function making it on first use. `db.destroy()` closes it. */
  pool: Pool | (() => Pool | Promise<Pool>);
}

/** `new Kysely<DB>({ dialect: new Pg8000Dialect({ pool }) })` */
export class Pg8000Dialect implements Dialect {
  constructor(private readonly config: Pg8000DialectConfig) {}

  createDriver(): Driver {
    return new Pg8000Driver(this.config);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect interface takes Kysely<any>.
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class Pg8000Driver implements Driver {
  private pool: Pool | undefined;

  constructor(private readonly config: Pg8000DialectConfig) {}

  async init(): Promise<void> {
    const { pool } = this.config;
    this.pool = typeof pool === "function" ? await pool() : pool;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.pool) throw new Error("the Kysely instance was destroyed");
    return new Pg8000Connection(await this.pool.connect());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let sql = "begin";
    if (settings.isolationLevel || settings.accessMode) {
      sql = "start transaction";
      if (settings.isolationLevel) sql += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) sql += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(sql));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${identifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${identifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${identifier(name)}`));
  }

  /** The pool discards the connection if it is still in a transaction (a failed ROLLBACK). */
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as Pg8000Connection).con.release();
  }

  async destroy(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }
}

/** Commands whose tag count is the number of rows changed. */
const AFFECTING = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);

class Pg8000Connection implements DatabaseConnection {
  constructor(readonly con: PooledConnection) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.con.query(compiled.sql, compiled.parameters as unknown[]);
    return {
      rows: result.rows as R[],
      numAffectedRows: AFFECTING.has(result.command) ? BigInt(result.row_count) : undefined,
    };
  }

  /** Rows in batches of `chunkSize` through a server-side portal: memory holds one batch. */
  async *streamQuery<R>(compiled: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const stream = this.con.stream(compiled.sql, compiled.parameters as unknown[], { batch_size: chunkSize });
    let batch: unknown[][] = [];
    for await (const row of stream) {
      batch.push(row);
      if (batch.length >= chunkSize) {
        yield { rows: rowsAsObjects(stream.columns ?? [], batch) as R[] };
        batch = [];
      }
    }
    if (batch.length > 0) yield { rows: rowsAsObjects(stream.columns ?? [], batch) as R[] };
  }

  /** For `inflightQueryAbortStrategy: "cancel query"`: a CancelRequest for this session. */
  async cancelQuery(): Promise<void> {
    await this.con.cancel();
  }
}
