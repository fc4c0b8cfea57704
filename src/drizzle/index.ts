// pg8000/drizzle — Drizzle ORM over a pg8000 Pool, built on drizzle-orm/pg-proxy: Drizzle
// compiles the SQL and maps the rows; queries run on the pool, and transactions (which pg-proxy
// leaves out) hold one pool connection from BEGIN to COMMIT, with savepoints when nested.

import {
  createTableRelationsHelpers,
  DefaultLogger,
  type DrizzleConfig,
  entityKind,
  extractTablesRelationalConfig,
  type Logger,
  type RelationalSchemaConfig,
  sql,
  type TablesRelationalConfig,
} from "drizzle-orm";
import type { Cache } from "drizzle-orm/cache/core/cache";
import { PgDatabase, PgDialect, type PgQueryResultHKT, type PgTransactionConfig } from "drizzle-orm/pg-core";
import { PgProxyTransaction, PgRemoteSession, type RemoteCallback } from "drizzle-orm/pg-proxy";
import { POSITIONAL_QUERY } from "../native/positional.js";
import type { Pool } from "../pool/pool.js";
import type { PooledConnection } from "../pool/pooled-connection.js";
import type { ColumnInfo } from "../protocol/messages.js";
import { PGInterval } from "../types/interval.js";
import { INTERVAL } from "../types/oids.js";

/** What `db.execute()` and a write without `.returning()` resolve to: the rows, plus the tag. */
export type Pg8000QueryResult<Row> = Row[] & {
  /** Rows affected or returned (from the command tag); -1 when the command reports none. */
  rowCount: number;
  /** The command tag's verb: "INSERT", "UPDATE", "DELETE", "SELECT"… */
  command: string;
};

export interface Pg8000QueryResultHKT extends PgQueryResultHKT {
  // biome-ignore lint/suspicious/noExplicitAny: Drizzle's own row shape for untyped results.
  type: Pg8000QueryResult<this["row"] extends Record<string, any> ? this["row"] : Record<string, any>>;
}

export class Pg8000Database<TSchema extends Record<string, unknown> = Record<string, never>> extends PgDatabase<
  Pg8000QueryResultHKT,
  TSchema
> {
  static override readonly [entityKind]: string = "Pg8000Database";
  /** The pool the queries run on. */
  declare $client: Pool;
}

type Schema = RelationalSchemaConfig<TablesRelationalConfig> | undefined;
interface SessionOptions {
  logger?: Logger;
  cache?: Cache;
}

/** Drizzle's calls, run on the pool (or on a transaction's connection). */
function callbackFor(target: Pool | PooledConnection): RemoteCallback {
  return async (text, params, method) => {
    const con = "release" in target ? target : await target.connect();
    try {
      // Drizzle compiles to `$n` SQL: run as written (an array slice `a[1:2]` is no `:name`).
      // "all": Drizzle maps array rows to its fields; "execute": raw results, rows as objects.
      if (method === "all") {
        const result = await con[POSITIONAL_QUERY](text, params, { row_mode: "array" });
        return { rows: intervalsAsText(result.fields, result.rows as unknown[][]) };
      }
      const result = await con[POSITIONAL_QUERY](text, params);
      const rows = Object.assign(result.rows, { rowCount: result.row_count, command: result.command });
      return { rows };
    } finally {
      if (con !== target) con.release();
    }
  };
}

/** Drizzle types interval columns as strings (PostgreSQL's text form); the driver gives PGInterval. */
function intervalsAsText(fields: readonly ColumnInfo[], rows: unknown[][]): unknown[][] {
  const at: number[] = [];
  fields.forEach((field, i) => {
    if (field.type_oid === INTERVAL) at.push(i);
  });
  if (at.length === 0) return rows;
  for (const row of rows) for (const i of at) if (row[i] instanceof PGInterval) row[i] = String(row[i]);
  return rows;
}

class Pg8000Session extends PgRemoteSession<Record<string, unknown>, TablesRelationalConfig> {
  static override readonly [entityKind]: string = "Pg8000Session";

  constructor(
    private readonly pool: Pool,
    connection: PooledConnection | null,
    dialect: PgDialect,
    private readonly relations: Schema,
    private readonly options: SessionOptions,
  ) {
    super(callbackFor(connection ?? pool), dialect, relations, options);
  }

  override async transaction<T>(
    fn: (tx: PgProxyTransaction<Record<string, unknown>, TablesRelationalConfig>) => Promise<T>,
    config?: PgTransactionConfig,
  ): Promise<T> {
    const con = await this.pool.connect();
    try {
      const session = new Pg8000Session(this.pool, con, this.dialect, this.relations, this.options);
      const tx = new Pg8000Transaction(this.dialect, session, this.relations);
      const settings = config
        ? sql` ${(tx as unknown as TransactionConfigSql).getTransactionConfigSQL(config)}`
        : undefined;
      await tx.execute(sql`begin${settings}`);
      try {
        const value = await fn(tx);
        await tx.execute(sql`commit`);
        return value;
      } catch (err) {
        // A failed ROLLBACK leaves the connection in the transaction: release() then discards it.
        await tx.execute(sql`rollback`).catch(() => undefined);
        throw err;
      }
    } finally {
      con.release();
    }
  }
}

/** Drizzle's internal helper that renders isolation level, access mode and deferrable. */
interface TransactionConfigSql {
  getTransactionConfigSQL(config: PgTransactionConfig): ReturnType<typeof sql.raw>;
}

class Pg8000Transaction extends PgProxyTransaction<Record<string, unknown>, TablesRelationalConfig> {
  static override readonly [entityKind]: string = "Pg8000Transaction";

  constructor(
    private readonly pgDialect: PgDialect,
    private readonly pgSession: Pg8000Session,
    schema: Schema,
    nestedIndex = 0,
  ) {
    super(pgDialect, pgSession, schema, nestedIndex);
  }

  /** A nested transaction is a savepoint on the same connection. */
  override async transaction<T>(
    fn: (tx: PgProxyTransaction<Record<string, unknown>, TablesRelationalConfig>) => Promise<T>,
  ): Promise<T> {
    const name = `sp${this.nestedIndex + 1}`;
    const tx = new Pg8000Transaction(this.pgDialect, this.pgSession, this.schema, this.nestedIndex + 1);
    await tx.execute(sql.raw(`savepoint ${name}`));
    try {
      const value = await fn(tx);
      await tx.execute(sql.raw(`release savepoint ${name}`));
      return value;
    } catch (err) {
      await tx.execute(sql.raw(`rollback to savepoint ${name}`));
      throw err;
    }
  }
}

/**
 * `drizzle(pool, { schema, logger, casing, cache })` — a Drizzle database whose queries run on
 * `pool`; `db.transaction()` works, nested ones as savepoints.
 */
export function drizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  pool: Pool,
  config: DrizzleConfig<TSchema> = {},
): Pg8000Database<TSchema> {
  const dialect = new PgDialect({ casing: config.casing });
  const logger = config.logger === true ? new DefaultLogger() : config.logger === false ? undefined : config.logger;
  let relations: Schema;
  if (config.schema) {
    const tables = extractTablesRelationalConfig(config.schema, createTableRelationsHelpers);
    relations = { fullSchema: config.schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap };
  }
  const session = new Pg8000Session(pool, null, dialect, relations, { logger, cache: config.cache });
  const db = new Pg8000Database<TSchema>(dialect, session, relations as RelationalSchemaConfig<never>);
  db.$client = pool;
  if (config.cache) {
    // As drizzle-orm/pg-proxy's drizzle() does: the cache is invalidated through onMutate.
    const cache = config.cache as Cache & { invalidate?: Cache["onMutate"] };
    cache.invalidate = cache.onMutate;
    (db as unknown as { $cache: Cache }).$cache = cache;
  }
  return db;
}
