// pg8000's native API: run(sql, params) with :name and $n placeholders, rows as arrays.

import type { ColumnarResult } from "../core/columnar.js";
import { CoreConnection, type ExecuteOptions } from "../core/connection.js";
import { CopyOutStream } from "../core/copy-out-stream.js";
import type { ConnectionEventName, ConnectionEvents, Notification } from "../core/events.js";
import type { CloseOptions } from "../core/graceful-close.js";
import type { ConnectOptions } from "../core/options.js";
import type { QueryResult as CoreResult } from "../core/query.js";
import type { ReplicationStream } from "../core/replication.js";
import { type StatementEntry, statementNamePrefix } from "../core/statement-cache.js";
import { InterfaceError, type ServerFields } from "../errors.js";
import type { ColumnInfo } from "../protocol/messages.js";
import type { AnyConstructor } from "../types/encode.js";
import type { InAdapter, OutAdapter } from "../types/registry.js";
import { bindNamed, bindTypes, type NativeStatement, toStatement } from "./placeholders.js";
import { POSITIONAL_QUERY, POSITIONAL_STREAM, positionalStatement } from "./positional.js";
import { checkRowMode, type QueryOptions, type QueryResult, toQueryResult } from "./query-result.js";

export type Params = Record<string, unknown> | unknown[];

export interface RunOptions {
  /** COPY source (FROM STDIN) or destination (TO STDOUT). */
  stream?: unknown;
  /** Parameter type OIDs by parameter name (or "1", "2"… for array params). */
  types?: Record<string, number>;
  /** Cancels the query on the server when aborted. */
  signal?: AbortSignal;
  /** Seconds; the query is cancelled on the server when exceeded. */
  timeout?: number;
}

export interface StreamOptions extends Omit<RunOptions, "stream"> {
  /** Rows fetched per round trip (default 1000). */
  batch_size?: number;
}

/** The rows of stream(); `columns` is known once the first batch arrived (after the first next()). */
export interface RowStream extends AsyncIterableIterator<unknown[]> {
  readonly columns: ColumnInfo[] | null;
  /**
   * The command tag once the stream ended, as the server sent it ("INSERT 0 7"); for rows read
   * in several batches PostgreSQL counts only the last batch there. null before the end.
   */
  readonly command: string | null;
  /** Once the stream ended: all the rows it returned, or a command's count (INSERT …); -1 before. */
  readonly row_count: number;
}

/**
 * The batches of stream_columnar(): each a ColumnarResult holding one portal batch (at most
 * `batch_size` rows, never empty); `columns` is known once the first batch arrived.
 */
export interface ColumnarStream extends AsyncIterableIterator<ColumnarResult> {
  readonly columns: ColumnInfo[] | null;
  /**
   * The command tag once the stream ended, as the server sent it ("INSERT 0 7"); for rows read
   * in several batches PostgreSQL counts only the last batch there. null before the end.
   */
  readonly command: string | null;
  /** Once the stream ended: all the rows it returned, or a command's count (INSERT …); -1 before. */
  readonly row_count: number;
  /**
   * Rows asked for by the next round trip (starts as the `batch_size` option); may be changed
   * between batches, e.g. a small first batch to show rows soon, then larger ones.
   */
  batch_size: number;
}

/**
 * Converted statements by SQL text, so the scanning stays off the hot path. The conversion
 * depends on the text alone, so one map serves every connection (and every pool loan).
 */
const STATEMENT_MEMO_LIMIT = 512;
const memo = new Map<string, NativeStatement>();

export class Connection {
  /** Columns of the last result, or null. */
  columns: ColumnInfo[] | null = null;
  /** Rows affected/returned by the last run; -1 when the command reports none; null before any run. */
  row_count: number | null = null;
  private preparedCounter = 0;
  /**
   * Unique per connection (statementNamePrefix: random per process, then a counter), so a pooled
   * server session never holds another client's statement under this name; made at the first
   * prepare() (a pool loan is a new Connection each time).
   */
  private statementPrefix: string | null = null;

  protected constructor(protected readonly core: CoreConnection) {}

  static async connect(options: ConnectOptions | string): Promise<Connection> {
    return new Connection(await CoreConnection.connect(options));
  }

  get closed(): boolean {
    return this.core.closed;
  }
  get parameter_statuses(): Record<string, string> {
    return this.core.parameter_statuses;
  }
  get notifications(): Notification[] {
    return this.core.notifications;
  }
  get notices(): ServerFields[] {
    return this.core.notices;
  }
  /** The session's transaction status from the last ReadyForQuery: "I" idle, "T" in a transaction, "E" in a failed one; null before the first. */
  get transaction_status(): "I" | "T" | "E" | null {
    return this.core.transactionStatus;
  }
  /** The server process id of this session (for pg_cancel_backend / pg_terminate_backend). */
  get backend_pid(): number {
    return this.core.backendPid;
  }

  on<E extends ConnectionEventName>(event: E, listener: ConnectionEvents[E]): () => void {
    return this.core.on(event, listener);
  }

  /**
   * Runs SQL. Without params it is sent verbatim (several statements allowed; a single one goes
   * through the extended protocol for binary results); with params, `:name` (object) and `$n`
   * placeholders are bound separately.
   * Resolves to the rows, or null when the statement returns no rows description.
   */
  async run(sql: string, params?: Params | null, options: RunOptions = {}): Promise<unknown[][] | null> {
    const result = await this.execute(sql, params, options);
    this.columns = result.columns;
    this.row_count = result.rowCount;
    return result.columns === null ? null : result.rows;
  }

  /** `positional`: the SQL is `$n` SQL with array params, run as written (ORM adapters). */
  protected execute(
    sql: string,
    params: Params | null | undefined,
    options: RunOptions,
    positional = false,
  ): Promise<CoreResult> {
    if (typeof sql !== "string") throw new InterfaceError("the SQL must be a string");
    const execute: ExecuteOptions = { stream: options.stream, signal: options.signal, timeout: options.timeout };
    // No params: the SQL goes verbatim (one statement extended, several simple; COPY simple).
    if (isEmpty(params)) return this.core.queryWithoutParameters(sql, execute);
    const given = params ?? [];
    const statement = positional ? positionalStatement(sql, given as unknown[]) : this.statementFor(sql);
    const values = bindNamed(statement, given);
    if (options.types) execute.oids = bindTypes(statement, given, options.types);
    try {
      return this.core.extendedQuery(statement.sql, values, execute);
    } catch (err) {
      throw nameTheParameter(err, statement);
    }
  }

  /**
   * Runs one statement and resolves to `{ rows, fields, command, row_count }`, rows as objects
   * keyed by column name (arrays with `row_mode: "array"`). `Row` types the rows.
   */
  query<Row = unknown[]>(
    sql: string,
    params: Params | null | undefined,
    options: QueryOptions & { row_mode: "array" },
  ): Promise<QueryResult<Row>>;
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: Params | null,
    options?: QueryOptions,
  ): Promise<QueryResult<Row>>;
  async query(sql: string, params?: Params | null, options: QueryOptions = {}): Promise<QueryResult<unknown>> {
    checkRowMode(options.row_mode);
    const result = await this.execute(sql, params, options);
    this.remember(result);
    return toQueryResult(result, options.row_mode);
  }

  /** @internal query() for ORM SQL: `$n` placeholders, positional params, no `:name` scanning. */
  async [POSITIONAL_QUERY](
    sql: string,
    params: readonly unknown[],
    options: QueryOptions = {},
  ): Promise<QueryResult<unknown>> {
    checkRowMode(options.row_mode);
    const result = await this.execute(sql, [...params], options, true);
    this.remember(result);
    return toQueryResult(result, options.row_mode);
  }

  /**
   * Rows one by one from a server-side portal, fetched `batch_size` (default 1000) at a time, so
   * memory stays bounded whatever the result size; `break` closes the portal. Other queries on
   * this connection wait until the stream ends.
   */
  stream(sql: string, params?: Params | null, options: StreamOptions = {}): RowStream {
    if (typeof sql !== "string") throw new InterfaceError("the SQL must be a string");
    return this.streamStatement(this.statementFor(sql), params ?? [], options);
  }

  /** @internal stream() for ORM SQL: `$n` placeholders, positional params, no `:name` scanning. */
  [POSITIONAL_STREAM](sql: string, params: readonly unknown[], options: StreamOptions = {}): RowStream {
    if (typeof sql !== "string") throw new InterfaceError("the SQL must be a string");
    return this.streamStatement(positionalStatement(sql, params), [...params], options);
  }

  private streamStatement(statement: NativeStatement, given: Params, options: StreamOptions): RowStream {
    return this.core.stream(statement.sql, bindNamed(statement, given), {
      oids: options.types ? bindTypes(statement, given, options.types) : undefined,
      signal: options.signal,
      timeout: options.timeout,
      batchSize: options.batch_size,
    });
  }

  /**
   * stream(), a portal batch at a time, each batch column by column as run_columnar() returns
   * a result: typed arrays for fixed-width types, plain arrays for the rest. No object per row
   * and one await per batch, so a large result reaches a grid or a chart with far less work.
   * Rows received before an error are handed out before the error is thrown.
   */
  stream_columnar(sql: string, params?: Params | null, options: StreamOptions = {}): ColumnarStream {
    if (typeof sql !== "string") throw new InterfaceError("the SQL must be a string");
    const given = params ?? [];
    const statement = this.statementFor(sql);
    return this.core.streamColumnar(statement.sql, bindNamed(statement, given), {
      oids: options.types ? bindTypes(statement, given, options.types) : undefined,
      signal: options.signal,
      timeout: options.timeout,
      batchSize: options.batch_size,
    });
  }

  /**
   * Runs a query and returns its result column by column: typed arrays straight from the WASM
   * codec for fixed-width types (see ColumnarResult), plain arrays for the rest.
   */
  async run_columnar(sql: string, params?: Params | null, options: RunOptions = {}): Promise<ColumnarResult> {
    if (typeof sql !== "string") throw new InterfaceError("the SQL must be a string");
    const given = params ?? [];
    const statement = this.statementFor(sql);
    const result = await this.core.columnar(statement.sql, bindNamed(statement, given), {
      oids: options.types ? bindTypes(statement, given, options.types) : undefined,
      signal: options.signal,
      timeout: options.timeout,
    });
    this.columns = null;
    this.row_count = result.row_count;
    return result;
  }

  /**
   * Runs START_REPLICATION (on a connection made with `replication`) and returns the WAL stream:
   * an async iterator of XLogData / keepalive messages with acknowledge(lsn) and end().
   */
  start_replication(sql: string): ReplicationStream {
    if (typeof sql !== "string") throw new InterfaceError("the SQL must be a string");
    return this.core.startReplication(sql);
  }

  /**
   * COPY … FROM STDIN from `source` (any COPY source run() accepts). `target` is either a whole
   * COPY statement or the SQL after COPY, e.g. `my_table (a, b)` — it is SQL text, so never
   * build it from untrusted input (use identifier()). Resolves to the number of rows copied.
   */
  async copy_from(target: string, source: unknown): Promise<number> {
    const sql = /^\s*COPY\s/i.test(target) ? target : `COPY ${target} FROM STDIN`;
    await this.run(sql, null, { stream: source });
    return this.row_count ?? -1;
  }

  /**
   * COPY … TO STDOUT as an async iterator of byte chunks, read as you consume them (the socket
   * is paused while you don't). `sql` is a whole COPY statement or a query to copy out.
   * Stopping early reads the rest of the COPY and drops it.
   */
  copy_to(sql: string): AsyncIterableIterator<Uint8Array> {
    const statement = /^\s*COPY\s/i.test(sql) ? sql : `COPY (${sql}) TO STDOUT`;
    return new CopyOutStream((destination) => this.run(statement, null, { stream: destination }));
  }

  private statementFor(sql: string): NativeStatement {
    let statement = memo.get(sql);
    if (!statement) {
      statement = toStatement(sql);
      if (memo.size >= STATEMENT_MEMO_LIMIT) memo.delete(memo.keys().next().value!);
      memo.set(sql, statement);
    }
    return statement;
  }

  /** Parses the statement once on the server; run it many times with different params. */
  async prepare(sql: string, types?: Record<string, number>): Promise<PreparedStatement> {
    const statement = toStatement(sql);
    const oids = types ? bindTypes(statement, slotsAsObject(statement), types).map((oid) => oid ?? 0) : [];
    this.statementPrefix ??= statementNamePrefix();
    const name = `${this.statementPrefix}prepared${++this.preparedCounter}`;
    const entry = await this.core.prepareNamed(name, statement.sql, oids);
    return new PreparedStatement(this, this.core, statement, entry);
  }

  register_in_adapter(oid: number, fn: InAdapter): void {
    if (!Number.isInteger(oid) || oid <= 0) {
      throw new InterfaceError(
        `register_in_adapter needs a type OID (a positive integer, e.g. BIGINT), got ${String(oid)}`,
      );
    }
    this.core.registerInAdapter(oid, fn);
  }

  register_out_adapter(ctor: abstract new (...args: never[]) => unknown, fn: OutAdapter): void {
    this.core.registry.registerOutAdapter(ctor as unknown as AnyConstructor, fn);
  }

  /** Asks the server to cancel the statement this connection is running. */
  cancel(): Promise<void> {
    return this.core.cancel();
  }

  /**
   * Sends Terminate and closes the socket; resolves once Terminate has left this process (the
   * server's backend finishes exiting on its own). `{ wait_for_server: true }` resolves only once
   * the server has closed the connection: the session's locks, temporary tables and connection
   * slot are released by then. Closing twice raises InterfaceError.
   */
  close(options?: CloseOptions): Promise<void> {
    return this.core.close(options);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.core.closed) await this.core.close();
  }

  /** @internal used by PreparedStatement to record the result like run() does. */
  remember(result: CoreResult): void {
    this.columns = result.columns;
    this.row_count = result.rowCount;
  }
}

export class PreparedStatement {
  private closed = false;

  constructor(
    private readonly owner: Connection,
    private readonly core: CoreConnection,
    private readonly statement: NativeStatement,
    private readonly entry: StatementEntry,
  ) {}

  /** Columns of the statement's result (known since prepare), or null. */
  get columns(): ColumnInfo[] | null {
    return this.entry.columns ?? null;
  }

  async run(params?: Params | null): Promise<unknown[][] | null> {
    if (this.closed) throw new InterfaceError("prepared statement is closed");
    const values = bindNamed(this.statement, params ?? (this.statement.names.length > 0 ? {} : []));
    const result = await this.core.executeNamed(this.entry, values);
    this.owner.remember(result);
    return result.columns === null ? null : result.rows;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.core.closeNamed(this.entry.name);
  }
}

function isEmpty(params: Params | null | undefined): boolean {
  if (params === undefined || params === null) return true;
  if (Array.isArray(params)) return params.length === 0;
  if (typeof params !== "object")
    throw new InterfaceError(`params must be an object or an array, got ${typeof params}`);
  for (const _ in params) return false;
  return true;
}

/** An object with one key per slot, so bindTypes can map types for a statement with no values yet. */
function slotsAsObject(statement: NativeStatement): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 1; i <= statement.maxDollar; i++) o[String(i)] = null;
  for (const name of statement.names) o[name] = null;
  return o;
}

export async function connect(options: ConnectOptions | string): Promise<Connection> {
  return Connection.connect(options);
}

/** The core names a bad value "parameter $n"; in a query written with :name, say which name. */
function nameTheParameter(err: unknown, statement: NativeStatement): unknown {
  if (!(err instanceof InterfaceError)) return err;
  const match = /^parameter \$(\d+) /.exec(err.message);
  const name = match ? statement.names[Number(match[1]) - statement.maxDollar - 1] : undefined;
  if (name !== undefined) err.message = err.message.replace(/^parameter \$(\d+) /, `parameter :${name} ($$$1) `);
  return err;
}
