// Runs SQL: the statement cache's policy (describe first, bind with binary results, re-prepare
// once when the server dropped a statement) and the one composer of requests' exchanges
// (written by exchange-writer.ts, which also records what the server must answer).
// PostgreSQL docs: Frontend/Backend Protocol, "Simple Query" and "Extended Query".

import { DatabaseError, InterfaceError } from "../errors.js";
import * as msg from "../protocol/serializer.js";
import type { EncodedParameter, TypeRegistry } from "../types/registry.js";
import type { CancelOptions, CancelWatcher } from "./cancel-watcher.js";
import { ColumnarCollector, type ColumnarResult } from "./columnar.js";
import { CopyHandler } from "./copy.js";
import type { Expectations } from "./exchange.js";
import { type Exchange, writeExchange } from "./exchange-writer.js";
import { PortalStream } from "./portal-stream.js";
import { type QueryHost, QueryRequest, type QueryResult } from "./query.js";
import { ReplicationStream } from "./replication.js";
import type { Request } from "./request.js";
import type { RequestQueue } from "./request-queue.js";
import type { RowDecoder } from "./rows.js";
import { newStatementEntry, type StatementCache, type StatementEntry } from "./statement-cache.js";
import { runsAsOneStatement } from "./statement-text.js";

/**
 * Runs of the same parameterless SQL text before it becomes a cached named statement (one round
 * trip a run instead of two), like pgjdbc's prepareThreshold (also 5): one-off notebook queries
 * leave no statement behind on the server.
 */
export const PREPARE_THRESHOLD = 5;
/** Parameterless texts counted towards the threshold; the counts start over beyond this. */
const COUNTED_TEXTS = 1000;

/** Per-call options of the query paths. */
export interface ExecuteOptions extends CancelOptions {
  /** Explicit parameter type OIDs (0 = let the server infer). */
  oids?: (number | undefined)[];
  /** COPY source (FROM STDIN) or destination (TO STDOUT). */
  stream?: unknown;
}

/** The server no longer has the statement, or its result type changed (DDL since it was prepared). */
function isStaleStatement(err: unknown): boolean {
  if (!(err instanceof DatabaseError)) return false;
  return err.code === "26000" || (err.code === "0A000" && /cached plan must not change result type/.test(err.message));
}

export interface RunnerHost extends QueryHost {
  readonly queue: RequestQueue;
  readonly cancels: CancelWatcher;
  /** Throws InterfaceError when the connection is closed (or closing). */
  assertOpen(): void;
  readonly closed: boolean;
}

export class StatementRunner {
  /** Portal and replication streams not finished yet; close() ends them. */
  readonly openStreams = new Set<{ return(): Promise<unknown> }>();

  /** Runs so far of each parameterless SQL text not cached yet (see PREPARE_THRESHOLD). */
  private readonly textRuns = new Map<string, number>();

  /**
   * `extendedWithoutParameters` false keeps SQL without parameters on the simple protocol
   * (replication connections: a walsender has no extended protocol).
   */
  constructor(
    private readonly host: RunnerHost,
    private readonly statements: StatementCache,
    private readonly registry: TypeRegistry,
    private readonly extendedWithoutParameters = true,
  ) {}

  /** Writes `exchange` for `request`, and what each message awaits; closes evicted statements first. */
  compose(w: msg.MessageWriter, request: { readonly expected: Expectations }, exchange: Exchange): void {
    const expected = request.expected;
    const toClose = this.statements.toClose;
    while (toClose.length > 0) {
      msg.close(w, "S", toClose.pop()!);
      expected.expect("close");
    }
    writeExchange(w, expected, exchange);
  }

  private send<T>(request: Request<T>, exchange: Exchange | (() => Exchange), exclusive = false): Promise<T> {
    return this.host.queue.enqueue(
      request,
      (w) => this.compose(w, request, typeof exchange === "function" ? exchange() : exchange),
      exclusive,
    );
  }

  /** Bind of a described statement, with binary results where its decoder has the codec decode. */
  private bindOf(entry: StatementEntry, values: EncodedParameter[]): Exchange["bind"] {
    const decoder = this.host.decoderOf(entry);
    return { statement: entry.name, values, formats: decoder ? decoder.resultFormats() : [] };
  }

  // ---- simple protocol ----

  /** The SQL verbatim, several statements allowed, text results. */
  simpleQuery(sql: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    this.host.assertOpen();
    this.host.cancels.check(options);
    if (typeof sql !== "string") throw new InterfaceError("the query must be a string");
    const copy =
      options.stream === undefined ? undefined : new CopyHandler(this.host.queue.copyHost, options.stream, false);
    const request = new QueryRequest(this.host, sql, { sink: copy ? { kind: "copy", copy } : undefined });
    const promise = this.send(request, { query: sql }, copy !== undefined);
    return this.host.cancels.watch(request, promise, options);
  }

  // ---- SQL without parameters ----

  /**
   * SQL the caller gave without parameters. One plain statement runs through the extended
   * protocol so its results come in binary where the codec decodes them: parsed and described
   * as the unnamed statement, then bound (two round trips), and once the same text has run
   * PREPARE_THRESHOLD times, as a cached named statement (one). Several statements, COPY,
   * empty text and text with `$n` keep the simple protocol (see statement-text.ts).
   */
  queryWithoutParameters(sql: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    if (
      !this.extendedWithoutParameters ||
      // Without named statements (statement_cache_size: 0, or a pooler seen mixing server
      // connections) the two round trips below could land on different server connections.
      !this.statements.enabled ||
      options.stream !== undefined ||
      typeof sql !== "string" ||
      !runsAsOneStatement(sql)
    ) {
      return this.simpleQuery(sql, options);
    }
    this.host.assertOpen();
    this.host.cancels.check(options);
    if (this.statements.enabled && this.repeated(sql)) return this.runCached(sql, [], [], options, true);
    const entry = newStatementEntry("", sql);
    const describe = new QueryRequest(this.host, sql, { statement: { entry, role: "describe" } });
    // Exclusive: the Bind below is composed only once the description is in, and nothing else
    // is written in between (a Parse or Query would replace the unnamed statement).
    const described = this.send(describe, { parse: { name: "", sql, oids: [] }, describeStatement: "" }, true);
    described.catch(() => undefined); // a parse error is reported by the run below
    const request = new QueryRequest(this.host, sql, { statement: { entry, role: "bind" } });
    const promise = this.send(
      request,
      this.boundOrFailed(request, entry, () => ({ bind: this.bindOf(entry, []), execute: 0 })),
    );
    return this.host.cancels.watch(request, promise, options).catch((err: unknown) => {
      // The unnamed statement described in the first round trip is gone at the Bind: a pooler
      // (PgBouncer, transaction mode) gave the two round trips different server connections.
      // No named statements from now on; outside a transaction block nothing ran, so run it again
      // as one simple Query, which a pooler keeps on one server connection.
      if (!(err instanceof DatabaseError) || err.code !== "26000") throw err;
      this.statements.mixedServers();
      if (request.startStatus !== "I" || this.host.closed) throw err;
      return this.simpleQuery(sql, options);
    });
  }

  /** The server dropped every prepared statement (DEALLOCATE ALL, DISCARD ALL): prepare anew. */
  statementsDropped(): void {
    this.statements.forgetAll();
    this.textRuns.clear();
  }

  /** Counts a run of `sql`; true from its PREPARE_THRESHOLD-th run on. */
  private repeated(sql: string): boolean {
    const runs = (this.textRuns.get(sql) ?? 0) + 1;
    if (runs >= PREPARE_THRESHOLD) return true;
    if (runs === 1 && this.textRuns.size >= COUNTED_TEXTS) this.textRuns.clear();
    this.textRuns.set(sql, runs);
    return false;
  }

  // ---- extended protocol ----

  /**
   * Parameters sent apart from the SQL. Statements are cached by SQL text and parameter types:
   * the first run parses and describes, later runs bind straight away with binary results where
   * the codec decodes them.
   */
  extendedQuery(sql: string, params: readonly unknown[], options: ExecuteOptions = {}): Promise<QueryResult> {
    this.host.assertOpen();
    this.host.cancels.check(options);
    if (typeof sql !== "string") throw new InterfaceError("the query must be a string");
    if (params.length > 65535) {
      throw new InterfaceError(
        `too many parameters: ${params.length} given, but PostgreSQL allows at most 65535 per statement; ` +
          "pass an array as one parameter instead (e.g. WHERE id = ANY($1))",
      );
    }
    const values = this.encodeParameters(params, options.oids);
    const oids = values.map((v) => v.oid);
    if (options.stream === undefined && this.statements.enabled) {
      return this.runCached(sql, values, oids, options, true);
    }
    return this.runUnnamed(sql, values, oids, options);
  }

  /** The unnamed statement: Parse, Bind, Describe, Execute and Sync in one exchange. */
  private runUnnamed(
    sql: string,
    values: EncodedParameter[],
    oids: number[],
    options: ExecuteOptions,
  ): Promise<QueryResult> {
    const copy =
      options.stream === undefined ? undefined : new CopyHandler(this.host.queue.copyHost, options.stream, true);
    const request = new QueryRequest(this.host, sql, { sink: copy ? { kind: "copy", copy } : undefined });
    const promise = this.send(
      request,
      {
        parse: { name: "", sql, oids },
        bind: { statement: "", values, formats: [] },
        describePortal: true,
        execute: 0,
      },
      copy !== undefined,
    );
    return this.host.cancels.watch(request, promise, options);
  }

  /**
   * The cached statement for `sql` with these parameter types. A new one is parsed and
   * described first, so even its first run gets binary results (and the session's text
   * settings never matter); requests made meanwhile wait their turn, so the server still runs
   * everything in call order. If the parse fails, the entry carries the error.
   */
  private cachedStatement(sql: string, oids: number[]): StatementEntry {
    const types = oids.join(",");
    const cached = this.statements.get(sql, types);
    if (cached && !cached.parseError) return cached;
    if (cached) this.statements.remove(cached, false);
    const created = this.statements.create(sql, types);
    const describe = new QueryRequest(this.host, sql, { statement: { entry: created, role: "describe" } });
    created.described = this.send(
      describe,
      { parse: { name: created.name, sql, oids }, describeStatement: created.name },
      true,
    ).then(
      () => undefined,
      (err: unknown) => {
        this.statements.remove(created, false);
        throw err;
      },
    );
    created.described.catch(() => undefined); // the statement's users report the error
    return created;
  }

  /** Nothing to bind when the statement's parse failed: a lone Sync still brings ReadyForQuery. */
  private boundOrFailed(request: QueryRequest, entry: StatementEntry, exchange: () => Exchange): () => Exchange {
    return () => {
      if (!entry.parseError) return exchange();
      request.noteError(entry.parseError);
      return {};
    };
  }

  /** One run of a cached statement; re-prepares once when the server has dropped or outdated it. */
  private runCached(
    sql: string,
    values: EncodedParameter[],
    oids: number[],
    options: ExecuteOptions,
    mayRetry: boolean,
  ): Promise<QueryResult> {
    const stmt = this.cachedStatement(sql, oids);
    const request = new QueryRequest(this.host, sql, { statement: { entry: stmt, role: "bind" } });
    // Described, and written now: the Bind is known (no deferred decision, no closures).
    const ready = stmt.columns !== undefined && !stmt.parseError && !this.host.queue.holdingBack;
    const promise = this.send(
      request,
      ready
        ? { bind: this.bindOf(stmt, values), execute: 0 }
        : this.boundOrFailed(request, stmt, () => ({ bind: this.bindOf(stmt, values), execute: 0 })),
    );
    return this.host.cancels.watch(request, promise, options).catch((err: unknown) => {
      if (!isStaleStatement(err)) throw err;
      // Our own statement is gone (a pooler mixing server connections): no more named statements.
      const vanished = (err as DatabaseError).code === "26000" && (err as DatabaseError).message.includes(stmt.name);
      if (vanished) this.statements.vanished(stmt);
      // Inside a transaction block the error stands (the transaction is aborted anyway).
      if (!mayRetry || request.startStatus !== "I" || this.host.closed) throw err;
      // Outside one nothing was done: run it again in one exchange (a pooler keeps that on one
      // server connection), or, when only the result type changed, prepare it afresh.
      if (vanished) return this.runUnnamed(sql, values, oids, options);
      this.statements.remove(stmt, (err as DatabaseError).code !== "26000");
      return this.runCached(sql, values, oids, options, false);
    });
  }

  encodeParameters(params: readonly unknown[], oids?: (number | undefined)[]): EncodedParameter[] {
    const out = new Array<EncodedParameter>(params.length);
    for (let i = 0; i < params.length; i++) {
      const encoded = this.registry.encode(params[i]);
      // Checked before anything is queued, so a refused value leaves no statement half-made.
      if (typeof encoded.data === "string") msg.checkWellFormed(encoded.data, `parameter $${i + 1}`);
      const explicit = oids?.[i];
      out[i] = explicit === undefined ? encoded : { ...encoded, oid: Math.max(explicit, 0) };
    }
    return out;
  }

  // ---- portals, columnar results ----

  /**
   * Rows one at a time from a portal read in batches of `batchSize`: memory holds one batch,
   * and breaking out of the loop closes the portal. Other queries on this connection wait
   * until the stream ends.
   */
  stream(sql: string, params: readonly unknown[], options: ExecuteOptions & { batchSize?: number } = {}): PortalStream {
    return this.portal<unknown[]>(sql, params, options, false);
  }

  /** stream() a batch at a time, each batch column by column (as run_columnar returns a result). */
  streamColumnar(
    sql: string,
    params: readonly unknown[],
    options: ExecuteOptions & { batchSize?: number } = {},
  ): PortalStream<ColumnarResult> {
    return this.portal<ColumnarResult>(sql, params, options, true);
  }

  private portal<T>(
    sql: string,
    params: readonly unknown[],
    options: ExecuteOptions & { batchSize?: number },
    columnar: boolean,
  ): PortalStream<T> {
    this.host.assertOpen();
    this.host.cancels.check(options);
    const batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new InterfaceError(`batch_size must be a positive integer, got ${String(options.batchSize)}`);
    }
    const values = this.encodeParameters(params, options.oids);
    const oids = values.map((v) => v.oid);
    // With the cache on, the statement is described first, so the rows come in binary.
    const stmt = this.statements.enabled ? this.cachedStatement(sql, oids) : undefined;
    let request: QueryRequest | undefined;
    const queue = this.host.queue;
    const portal = new PortalStream<T>(
      {
        fetch: (rows) => queue.send((w) => this.compose(w, request!, { execute: rows, end: "flush" })),
        sync: () => queue.send((w) => this.compose(w, request!, {})),
        // After the stream's own Bind/Execute even when those are not written yet; nothing when
        // its statement failed to parse (its exchange was a lone Sync: no portal to close).
        closePortal: () =>
          queue.sendAfter(request!, (w) => {
            if (!stmt?.parseError) this.compose(w, request!, { closePortal: true });
          }),
        idle: (waiting) => queue.idle(waiting),
      },
      batchSize,
      columnar,
    );
    request = new QueryRequest(this.host, sql, {
      sink: { kind: "stream", stream: portal },
      statement: stmt ? { entry: stmt, role: "bind" } : undefined,
    });
    portal.request = request;
    const exchange: () => Exchange = stmt
      ? this.boundOrFailed(request, stmt, () => ({ bind: this.bindOf(stmt, values), execute: batchSize, end: "flush" }))
      : () => ({
          parse: { name: "", sql, oids },
          bind: { statement: "", values, formats: [] },
          describePortal: true,
          execute: batchSize,
          end: "flush",
        });
    this.openStreams.add(portal);
    const promise = this.send(request, exchange, true);
    this.host.cancels.watch(request, promise, options).then(
      () => portal.settle(null),
      (err: Error) => portal.settle(err),
    );
    void promise.catch(() => undefined).finally(() => this.openStreams.delete(portal));
    return portal;
  }

  /** The result as one array per column, typed arrays straight from the codec where it decodes. */
  async columnar(sql: string, params: readonly unknown[], options: ExecuteOptions = {}): Promise<ColumnarResult> {
    this.host.assertOpen();
    this.host.cancels.check(options);
    const values = this.encodeParameters(params, options.oids);
    const oids = values.map((v) => v.oid);
    const { entry, temporary } = await this.describedStatement(sql, oids);
    try {
      const decoder: RowDecoder | null = this.host.decoderOf(entry);
      const columns = entry.columns ?? [];
      const collector = decoder
        ? ColumnarCollector.forDecoder(columns, decoder, this.registry, this.host.decodeText)
        : new ColumnarCollector([], new Uint8Array(0), this.registry, this.host.decodeText);
      const request = new QueryRequest(this.host, sql, {
        statement: { entry, role: "bind" },
        sink: { kind: "columnar", collector },
      });
      const promise = this.send(request, () => ({ bind: this.bindOf(entry, values), execute: 0 }));
      await this.host.cancels.watch(request, promise, options);
      return collector.result();
    } finally {
      if (temporary && !this.host.closed) await this.closeNamed(entry.name);
    }
  }

  /** A statement described on the server (the cache's, or a temporary one to close after use). */
  private async describedStatement(
    sql: string,
    oids: number[],
  ): Promise<{ entry: StatementEntry; temporary: boolean }> {
    if (this.statements.enabled) {
      const entry = this.cachedStatement(sql, oids);
      await entry.described;
      return { entry, temporary: false };
    }
    const entry = await this.prepareNamed(this.statements.uniqueName("tmp"), sql, oids);
    return { entry, temporary: true };
  }

  /** START_REPLICATION: the WAL stream (CopyBoth) as an async iterator. */
  replicate(sql: string): ReplicationStream {
    this.host.assertOpen();
    const stream = new ReplicationStream(this.host.queue.copyHost);
    const request = new QueryRequest(this.host, sql, { sink: { kind: "copy", copy: stream } });
    this.openStreams.add(stream);
    this.send(request, { query: sql }, true)
      .then(
        () => stream.settle(null),
        (err: Error) => stream.settle(err),
      )
      .finally(() => this.openStreams.delete(stream));
    return stream;
  }

  // ---- statements named by the caller (native prepare()) ----

  /** Parses and describes a named statement; the caller owns its name. */
  async prepareNamed(name: string, sql: string, oids: number[]): Promise<StatementEntry> {
    this.host.assertOpen();
    const entry = newStatementEntry(name, sql);
    const request = new QueryRequest(this.host, sql, { statement: { entry, role: "describe" } });
    await this.send(request, { parse: { name, sql, oids }, describeStatement: name });
    return entry;
  }

  /** Runs a statement prepared with prepareNamed. */
  executeNamed(entry: StatementEntry, params: readonly unknown[], options: ExecuteOptions = {}): Promise<QueryResult> {
    this.host.assertOpen();
    const values = this.encodeParameters(params, options.oids);
    const request = new QueryRequest(this.host, entry.sql, { statement: { entry, role: "bind" } });
    return this.send(request, () => ({ bind: this.bindOf(entry, values), execute: 0 }));
  }

  async closeNamed(name: string): Promise<void> {
    this.host.assertOpen();
    const request = new QueryRequest(this.host, "", {});
    await this.send(request, { closeStatement: name });
  }
}
