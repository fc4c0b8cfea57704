// The core connection: owns the transport, the codec and the queue of requests in flight.
// One state field with named values; every backend message goes to the request at the head
// of the queue, except the asynchronous ones (notifications, notices, parameter statuses).

import { type Codec, loadCodec } from "../codec/index.js";
import { DatabaseError, InterfaceError, OperationalError, type ServerFields } from "../errors.js";
import { Backend, BodyReader, type ColumnInfo, readFields } from "../protocol/messages.js";
import * as msg from "../protocol/serializer.js";
import { type DecodeText, textEncodingFor, UTF8 } from "../protocol/text-encoding.js";
import type { Transport } from "../transport/transport.js";
import { type EncodedParameter, TypeRegistry } from "../types/registry.js";
import { ColumnarCollector, type ColumnarResult } from "./columnar.js";
import { connectToHosts } from "./connect-hosts.js";
import { CopyHandler, type CopyHost } from "./copy.js";
import {
  BoundedQueue,
  type ConnectionEventName,
  type ConnectionEvents,
  Listeners,
  type Notification,
} from "./events.js";
import { type ConnectOptions, type ResolvedOptions, resolveConnectOptions } from "./options.js";
import { type PortalHost, PortalStream } from "./portal-stream.js";
import { QueryRequest, type QueryResult } from "./query.js";
import { ReplicationStream } from "./replication.js";
import type { Request, TransactionStatus } from "./request.js";
import { RowDecoder } from "./rows.js";
import { StartupRequest, sessionSetupSql, startupParameters } from "./startup.js";
import { newStatementEntry, StatementCache, type StatementEntry } from "./statement-cache.js";
import { openTransport } from "./transport-open.js";
import { TypeResolver } from "./type-resolver.js";

/** How often, and how far apart, a CancelRequest is repeated while its query still runs. */
const CANCEL_ATTEMPTS = 5;
const CANCEL_RETRY_MS = 250;

/** The server no longer has the statement, or its result type changed (DDL since it was prepared). */
function isStaleStatement(err: unknown): boolean {
  if (!(err instanceof DatabaseError)) return false;
  return err.code === "26000" || (err.code === "0A000" && /cached plan must not change result type/.test(err.message));
}

export type ConnectionState = "connecting" | "open" | "closed";

/** Per-call options of the query paths. */
export interface ExecuteOptions {
  /** Explicit parameter type OIDs (0 = let the server infer). */
  oids?: (number | undefined)[];
  onRow?: (row: unknown[]) => void;
  /** COPY source (FROM STDIN) or destination (TO STDOUT). */
  stream?: unknown;
  /** Cancels the query on the server when aborted (it then rejects with SQLSTATE 57014). */
  signal?: AbortSignal;
  /** Seconds after which the query is cancelled on the server. */
  timeout?: number;
}

/** A request whose bytes wait until an exclusive request (COPY IN, an open portal) is done. */
interface DeferredWrite {
  request: Request<unknown>;
  build: (w: msg.MessageWriter) => void;
  exclusive: boolean;
}

export class CoreConnection {
  state: ConnectionState = "connecting";
  readonly registry = new TypeRegistry();
  readonly parameter_statuses: Record<string, string> = {};
  readonly notifications = new BoundedQueue<Notification>(100);
  readonly notices = new BoundedQueue<ServerFields>(100);
  /** Last ReadyForQuery status: I idle, T in transaction, E failed transaction. */
  transactionStatus: TransactionStatus | null = null;
  backendPid = 0;
  private secretKey = 0;

  private readonly listeners = new Listeners();
  private readonly queue: Request[] = [];
  private queueHead = 0;
  private readonly out = new msg.MessageWriter();
  private flushScheduled = false;
  private readonly statements: StatementCache;
  private planned: RowDecoder | null = null;
  /** Set while an async message handler (authentication) runs; later bytes wait. */
  private blocked = false;
  private backlog: Uint8Array[] = [];
  private closeError: Error | null = null;
  /** While set, later requests are queued but their bytes are held back (see DeferredWrite). */
  private exclusive: Request<unknown> | null = null;
  private deferred: DeferredWrite[] = [];
  private drainWaiters: (() => void)[] = [];
  private readPauses = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    readonly options: ResolvedOptions,
    private transport: Transport,
    private readonly codec: Codec,
  ) {
    this.statements = new StatementCache(options.statement_cache_size);
  }

  static async connect(input: ConnectOptions | string): Promise<CoreConnection> {
    const options = await resolveConnectOptions(input);
    return connectToHosts(options, (single, signal) => CoreConnection.open(single, signal));
  }

  /** One server (of the hosts connectToHosts tries); `signal` tears the attempt down. */
  private static async open(options: ResolvedOptions, signal: AbortSignal): Promise<CoreConnection> {
    const opening = openTransport(options, signal);
    opening.catch(() => {}); // awaited below; not an unhandled rejection while the codec loads
    // A codec that cannot load must not leave the byte stream open behind the error.
    const codec = await loadCodec({ module: options.codec }).catch(async (err: unknown) => {
      (await opening.catch(() => undefined))?.destroy();
      throw err;
    });
    const transport = await opening;
    codec.setStopTypes("T2");
    const con = new CoreConnection(options, transport, codec);
    const abort = (): void => transport.destroy(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    try {
      await con.start();
    } finally {
      signal.removeEventListener("abort", abort);
    }
    return con;
  }

  get closed(): boolean {
    return this.state === "closed";
  }

  /** Requests written or queued and not answered yet (an open stream counts until it ends). */
  get pendingRequests(): number {
    return this.queue.length - this.queueHead;
  }

  get inTransaction(): boolean {
    return this.transactionStatus === "T" || this.transactionStatus === "E";
  }

  on<E extends ConnectionEventName>(event: E, listener: ConnectionEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  // ---- startup --------------------------------------------------------------------------

  private async start(): Promise<void> {
    const o = this.options;
    const params = startupParameters(o);
    const startup = new StartupRequest({
      user: o.user,
      password: async () => (typeof o.password === "function" ? await o.password() : o.password),
      serverCertificate: () => this.transport.serverCertificate?.() ?? null,
      policy: o.auth,
      send: (build) => this.send(build),
      backendKey: (pid, key) => {
        this.backendPid = pid;
        this.secretKey = key;
      },
    });
    this.enqueue(startup, (w) => msg.startup(w, params));
    // Attached after the startup request is queued: a transport that reports an early close
    // from inside attach() then fails that request instead of leaving it pending.
    this.transport.attach({
      data: (chunk) => this.onData(chunk),
      close: (error) => this.onTransportClose(error),
      drain: () => this.onDrain(),
    });
    try {
      await startup.promise;
    } catch (err) {
      this.shutdown(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    if (this.state === "connecting") this.state = "open";
    const setup = sessionSetupSql(o, this.parameter_statuses);
    if (setup) {
      try {
        await this.simpleQuery(setup);
      } catch (err) {
        this.fatal(err);
        throw err;
      }
    }
  }

  // ---- sending ----------------------------------------------------------------------------

  /** Appends messages to the outgoing buffer, written once per tick (coalescing). */
  send(build: (w: msg.MessageWriter) => void): void {
    const mark = this.out.length;
    try {
      build(this.out);
    } catch (err) {
      // e.g. text the session's client_encoding cannot hold: nothing half-built may be sent.
      this.out.truncate(mark);
      throw err;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes the buffer now; false when the socket's buffer is full (wait for drain). */
  private flush(): boolean {
    this.flushScheduled = false;
    if (this.state === "closed") {
      this.out.truncate(0); // nobody will send it: don't let it grow
      return true;
    }
    if (this.out.length === 0) return true;
    // Sending counts as progress too (a long COPY IN gets no answer until it ends).
    if (this.timer !== undefined) this.armTimer();
    return this.transport.write(this.out.take());
  }

  private onDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Queues a request and writes its messages. An exclusive request (COPY with a stream, an open
   * portal) must be the last thing the server reads until it ends, so later requests' bytes are
   * held back until then; their order is kept.
   */
  private enqueue<T>(request: Request<T>, build: (w: msg.MessageWriter) => void, exclusive = false): Promise<T> {
    const r = request as Request<unknown>;
    if (this.state === "closed") {
      r.fail(new InterfaceError("connection is closed", { cause: this.closeError ?? undefined }));
      return request.promise;
    }
    if (this.exclusive) {
      this.deferred.push({ request: r, build, exclusive });
    } else {
      this.send(build); // throws before anything is queued or sent
      if (exclusive) this.exclusive = r;
    }
    this.queue.push(r);
    if (this.queue.length - this.queueHead === 1) this.armTimer();
    return request.promise;
  }

  /**
   * Cancels `request` on the server when the signal aborts or the timeout passes. A request
   * still waiting behind others is cancelled when the server starts on it, so a cancel never
   * hits a neighbour that is running at that moment.
   */
  private watchCancel<T>(request: Request<T>, promise: Promise<T>, options: ExecuteOptions): Promise<T> {
    const { signal, timeout } = options;
    if (!signal && timeout === undefined) return promise;
    let retry: ReturnType<typeof setTimeout> | undefined;
    // A CancelRequest only stops what the server runs when it arrives: one sent just before
    // the query starts is lost, so it is repeated while this request is still the one running.
    const cancelRunning = (): void => {
      let attempts = 0;
      const attempt = (): void => {
        if (request.done || this.queue[this.queueHead] !== request || attempts++ >= CANCEL_ATTEMPTS) return;
        void this.cancel()
          .catch(() => undefined)
          .then(() => {
            if (!request.done) retry = setTimeout(attempt, CANCEL_RETRY_MS);
          });
      };
      attempt();
    };
    const cancel = (): void => {
      if (request.done) return;
      if (this.queue[this.queueHead] === request) cancelRunning();
      else request.cancelWhenStarted = cancelRunning;
    };
    const timer = timeout === undefined ? undefined : setTimeout(cancel, timeout * 1000);
    signal?.addEventListener("abort", cancel, { once: true });
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      if (retry !== undefined) clearTimeout(retry);
      signal?.removeEventListener("abort", cancel);
    };
    promise.then(cleanup, cleanup);
    return promise;
  }

  /**
   * Checked before anything is sent: a bad timeout is an InterfaceError, and a signal that is
   * already aborted fails the query at once (as the server would, with SQLSTATE 57014).
   */
  private checkCancelOptions(options: ExecuteOptions): void {
    const { signal, timeout } = options;
    if (timeout !== undefined && !(typeof timeout === "number" && timeout > 0 && Number.isFinite(timeout))) {
      throw new InterfaceError(`the query 'timeout' must be a positive number of seconds, got ${String(timeout)}`);
    }
    if (signal?.aborted) {
      throw new OperationalError({
        S: "ERROR",
        C: "57014",
        M: "canceling statement due to user request: the AbortSignal was already aborted, so the query was not sent",
      });
    }
  }

  /** The exclusive request ended: write what waited, up to the next exclusive one. */
  private releaseExclusive(): void {
    this.exclusive = null;
    while (this.deferred.length > 0) {
      const next = this.deferred.shift()!;
      try {
        this.send(next.build);
      } catch (err) {
        // Its bytes could not be built: it never reaches the server, so it leaves the queue.
        const at = this.queue.indexOf(next.request, this.queueHead);
        if (at >= 0) this.queue.splice(at, 1);
        next.request.fail(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (next.exclusive) {
        this.exclusive = next.request;
        return;
      }
    }
  }

  private readonly copyHost: CopyHost = {
    send: (build) => this.send(build),
    drain: () => {
      if (this.flush() || this.state === "closed") return Promise.resolve();
      return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    },
    pauseReading: () => {
      if (this.readPauses++ === 0) this.transport.pause();
    },
    resumeReading: () => {
      if (--this.readPauses === 0) this.transport.resume();
    },
  };

  private assertOpen(): void {
    if (this.state === "closed") {
      throw new InterfaceError("connection is closed", { cause: this.closeError ?? undefined });
    }
  }

  // ---- queries ----------------------------------------------------------------------------

  /** Simple query protocol: the SQL verbatim, several statements allowed, text results. */
  simpleQuery(sql: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    this.assertOpen();
    this.checkCancelOptions(options);
    if (typeof sql !== "string") throw new InterfaceError("the query must be a string");
    const copy = options.stream === undefined ? undefined : new CopyHandler(this.copyHost, options.stream, false);
    const request = new QueryRequest(this, sql, { onRow: options.onRow, copy });
    const promise = this.enqueue(
      request,
      (w) => {
        this.closeEvicted(w);
        msg.query(w, sql);
      },
      copy !== undefined,
    );
    return this.watchCancel(request, promise, options);
  }

  /**
   * Extended protocol with the parameters sent apart from the SQL. Statements are cached by
   * SQL text and parameter types: the first run parses and describes (text results), later
   * runs bind straight away with binary results where the codec decodes them.
   */
  extendedQuery(sql: string, params: readonly unknown[], options: ExecuteOptions = {}): Promise<QueryResult> {
    this.assertOpen();
    this.checkCancelOptions(options);
    if (typeof sql !== "string") throw new InterfaceError("the query must be a string");
    if (params.length > 65535) {
      throw new InterfaceError(
        `too many parameters: ${params.length} given, but PostgreSQL allows at most 65535 per statement; ` +
          "pass an array as one parameter instead (e.g. WHERE id = ANY($1))",
      );
    }
    const values = this.encodeParameters(params, options.oids);
    const oids = values.map((v) => v.oid);
    if (options.stream !== undefined || !this.statements.enabled) {
      const copy = options.stream === undefined ? undefined : new CopyHandler(this.copyHost, options.stream, true);
      const request = new QueryRequest(this, sql, { onRow: options.onRow, copy });
      const promise = this.enqueue(
        request,
        (w) => {
          msg.parse(w, "", sql, oids);
          msg.bind(w, "", "", values, []);
          msg.describe(w, "P", "");
          msg.execute(w, "", 0);
          msg.sync(w);
        },
        copy !== undefined,
      );
      return this.watchCancel(request, promise, options);
    }
    return this.runCached(sql, values, oids, options, true);
  }

  /** One run of a cached statement; re-prepares once when the server has dropped or outdated it. */
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
    created.uses++;
    const describe = new QueryRequest(this, sql, { describing: created, using: created });
    created.described = this.enqueue(
      describe,
      (w) => {
        this.closeEvicted(w);
        msg.parse(w, created.name, sql, oids);
        msg.describe(w, "S", created.name);
        msg.sync(w);
      },
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

  private runCached(
    sql: string,
    values: EncodedParameter[],
    oids: number[],
    options: ExecuteOptions,
    mayRetry: boolean,
  ): Promise<QueryResult> {
    const stmt = this.cachedStatement(sql, oids);
    stmt.uses++;
    const request = new QueryRequest(this, sql, { onRow: options.onRow, using: stmt, bound: true });
    const promise = this.enqueue(request, (w) => {
      if (stmt.parseError) {
        // Nothing to bind: a Sync still brings this request its ReadyForQuery.
        request.noteError(stmt.parseError);
        msg.sync(w);
        return;
      }
      this.closeEvicted(w);
      const decoder = this.decoderOf(stmt);
      msg.bind(w, "", stmt.name, values, decoder ? decoder.resultFormats() : []);
      msg.execute(w, "", 0);
      msg.sync(w);
    });
    return this.watchCancel(request, promise, options).catch((err: unknown) => {
      if (!mayRetry || !isStaleStatement(err) || request.startStatus !== "I" || this.closed) throw err;
      // Outside a transaction nothing was done: drop the statement and prepare it afresh.
      this.statements.remove(stmt, (err as DatabaseError).code !== "26000");
      return this.runCached(sql, values, oids, options, false);
    });
  }

  private encodeParameters(params: readonly unknown[], oids?: (number | undefined)[]): EncodedParameter[] {
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

  private closeEvicted(w: msg.MessageWriter): void {
    const names = this.statements.toClose;
    while (names.length > 0) msg.close(w, "S", names.pop()!);
  }

  /**
   * Rows one at a time from a portal read in batches of `batchSize`: memory holds one batch,
   * and breaking out of the loop closes the portal. Other queries on this connection wait
   * until the stream ends.
   */
  stream(sql: string, params: readonly unknown[], options: ExecuteOptions & { batchSize?: number } = {}): PortalStream {
    this.assertOpen();
    this.checkCancelOptions(options);
    const batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new InterfaceError(`batch_size must be a positive integer, got ${String(options.batchSize)}`);
    }
    const values = this.encodeParameters(params, options.oids);
    const oids = values.map((v) => v.oid);
    // With the cache on, the statement is described first, so the rows come in binary.
    const stmt = this.statements.enabled ? this.cachedStatement(sql, oids) : undefined;
    const portal = new PortalStream(this.portalHost, batchSize);
    this.openStreams.add(portal);
    if (stmt) stmt.uses++;
    const request = new QueryRequest(this, sql, {
      onRow: portal.onRow,
      portal: portal.events,
      using: stmt,
      bound: stmt !== undefined,
    });
    portal.request = request;
    const promise = this.enqueue(
      request,
      (w) => {
        if (stmt?.parseError) {
          request.noteError(stmt.parseError);
          msg.sync(w);
          return;
        }
        if (stmt) {
          const decoder = this.decoderOf(stmt);
          msg.bind(w, "", stmt.name, values, decoder ? decoder.resultFormats() : []);
        } else {
          msg.parse(w, "", sql, oids);
          msg.bind(w, "", "", values, []);
          msg.describe(w, "P", "");
        }
        msg.execute(w, "", batchSize);
        msg.flush(w);
      },
      true,
    );
    this.watchCancel(request, promise, options).then(
      () => portal.settle(null),
      (err: Error) => portal.settle(err),
    );
    void promise.catch(() => undefined).finally(() => this.openStreams.delete(portal));
    return portal;
  }

  /**
   * START_REPLICATION on a replication connection: the WAL stream as an async iterator of
   * XLogData and keepalive messages. Keepalives that ask for a reply are answered; call
   * acknowledge(lsn) as data is safely processed, and end() to stop.
   */
  startReplication(sql: string): ReplicationStream {
    this.assertOpen();
    if (!this.options.replication) {
      throw new InterfaceError(
        "start_replication() needs a replication connection: connect with replication: 'database' (or 'true')",
      );
    }
    const stream = new ReplicationStream(this.copyHost);
    const request = new QueryRequest(this, sql, { copy: stream });
    this.openStreams.add(stream);
    this.enqueue(request, (w) => msg.query(w, sql), true)
      .then(
        () => stream.settle(null),
        (err: Error) => stream.settle(err),
      )
      .finally(() => this.openStreams.delete(stream));
    return stream;
  }

  /** The result as one array per column, typed arrays straight from the codec where it decodes. */
  async columnar(sql: string, params: readonly unknown[], options: ExecuteOptions = {}): Promise<ColumnarResult> {
    this.assertOpen();
    this.checkCancelOptions(options);
    const values = this.encodeParameters(params, options.oids);
    const oids = values.map((v) => v.oid);
    const { entry, temporary } = await this.describedStatement(sql, oids);
    try {
      const decoder = this.decoderOf(entry);
      const columns = entry.columns ?? [];
      const collector = decoder
        ? ColumnarCollector.forDecoder(columns, decoder, this.registry, this.decodeText)
        : new ColumnarCollector([], new Uint8Array(0), this.registry, this.decodeText);
      entry.uses++;
      const request = new QueryRequest(this, sql, { using: entry, bound: true, columnar: collector });
      const promise = this.enqueue(request, (w) => {
        msg.bind(w, "", entry.name, values, decoder ? decoder.resultFormats() : []);
        msg.execute(w, "", 0);
        msg.sync(w);
      });
      await this.watchCancel(request, promise, options);
      return collector.result();
    } finally {
      if (temporary && !this.closed) await this.closeNamed(entry.name);
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

  /** Portal and replication streams not finished yet; close() ends them. */
  private readonly openStreams = new Set<{ return(): Promise<unknown> }>();

  private readonly portalHost: PortalHost = {
    send: (build) => this.send(build),
    idle: (waiting) => (waiting ? this.disarmTimer() : this.armTimer()),
  };

  /** Parses and describes a named statement (native prepare()); the caller owns its name. */
  async prepareNamed(name: string, sql: string, oids: number[]): Promise<StatementEntry> {
    this.assertOpen();
    const entry = newStatementEntry(name, sql);
    const request = new QueryRequest(this, sql, { describing: entry });
    await this.enqueue(request, (w) => {
      msg.parse(w, name, sql, oids);
      msg.describe(w, "S", name);
      msg.sync(w);
    });
    return entry;
  }

  /** Runs a statement prepared with prepareNamed. */
  executeNamed(entry: StatementEntry, params: readonly unknown[], options: ExecuteOptions = {}): Promise<QueryResult> {
    this.assertOpen();
    const values = this.encodeParameters(params, options.oids);
    entry.uses++;
    const request = new QueryRequest(this, entry.sql, { using: entry, bound: true, onRow: options.onRow });
    return this.enqueue(request, (w) => {
      const decoder = this.decoderOf(entry);
      msg.bind(w, "", entry.name, values, decoder ? decoder.resultFormats() : []);
      msg.execute(w, "", 0);
      msg.sync(w);
    });
  }

  async closeNamed(name: string): Promise<void> {
    this.assertOpen();
    const request = new QueryRequest(this, "", {});
    await this.enqueue(request, (w) => {
      msg.close(w, "S", name);
      msg.sync(w);
    });
  }

  // ---- user types ----

  private readonly types = new TypeResolver({
    registry: this.registry,
    query: (sql, params) => this.extendedQuery(sql, params),
    serverMajorVersion: () => Number(this.parameter_statuses.server_version?.split(".")[0] ?? 0),
    isClosed: () => this.closed,
    changed: () => this.typesGeneration++,
  });
  /** Bumped when decoding rules change, so cached statements rebuild their decoders. */
  typesGeneration = 0;

  unresolvedTypes(columns: ColumnInfo[]): number[] {
    return this.types.unresolved(columns);
  }

  resolveTypes(oids: number[]): Promise<void> {
    return this.types.resolve(oids);
  }

  /** A cached statement's decoder, rebuilt when adapters or user types changed since. */
  decoderOf(entry: StatementEntry): RowDecoder | null {
    if (entry.columns && entry.decoderGeneration !== this.typesGeneration) {
      entry.decoder = RowDecoder.forBinary(entry.columns, this.registry, this.decodeText);
      entry.decoderGeneration = this.typesGeneration;
    }
    return entry.decoder;
  }

  /** Bytes → string in the session's client_encoding (UTF8 unless the session changed it). */
  decodeText: DecodeText = UTF8.decode;

  private useEncoding(name: string): void {
    const encoding = textEncodingFor(name);
    this.decodeText = encoding.decode;
    this.out.encoding = encoding;
    this.typesGeneration++; // cached decoders hold the old text decoding
  }

  registerInAdapter(oid: number, fn: (text: string) => unknown): void {
    this.registry.registerInAdapter(oid, fn);
    this.typesGeneration++; // cached statements may have asked for that type in binary
  }

  /** The codec's plan must match the columns of the rows that follow. */
  usePlan(decoder: RowDecoder | null): void {
    const next = decoder?.usesPlan ? decoder : null;
    if (next === this.planned) return;
    if (next) this.codec.setPlan(next.kinds);
    else this.codec.clearPlan();
    this.planned = next;
  }

  // ---- receiving --------------------------------------------------------------------------

  private onData(chunk: Uint8Array): void {
    if (this.timer !== undefined) this.armTimer();
    if (this.blocked) {
      this.backlog.push(chunk.slice());
      return;
    }
    try {
      const count = this.codec.push(chunk);
      this.processBatch(0, count);
    } catch (err) {
      this.fatal(err);
    }
  }

  /** Handles framed messages [start, count) of the current batch, then any that remain. */
  private processBatch(start: number, count: number): void {
    const codec = this.codec;
    for (;;) {
      this.planned?.refresh(codec);
      for (let i = start; i < count; i++) {
        if (this.state === "closed") return;
        const m = codec.messages;
        const type = m[i * 6]!;
        const offset = m[i * 6 + 1]!;
        const length = m[i * 6 + 2]!;
        const pending = this.dispatch(type, offset, length, i);
        if (pending) {
          this.waitFor(pending, i + 1, count);
          return;
        }
      }
      this.queue[this.queueHead]?.endBatch(codec);
      if (!codec.pending) break;
      start = 0;
      count = codec.resume();
    }
  }

  /** An async handler (authentication) is running: hold later messages until it finishes. */
  private waitFor(pending: Promise<void>, index: number, count: number): void {
    this.blocked = true;
    pending.then(
      () => {
        this.blocked = false;
        try {
          this.processBatch(index, count);
          const backlog = this.backlog;
          this.backlog = [];
          for (const chunk of backlog) {
            if (this.blocked) {
              this.backlog.push(chunk);
              continue;
            }
            this.processBatch(0, this.codec.push(chunk));
          }
        } catch (err) {
          this.fatal(err);
        }
      },
      (err: unknown) => {
        this.blocked = false;
        this.fatal(err);
      },
    );
  }

  private dispatch(type: number, offset: number, length: number, index: number): Promise<void> | void {
    switch (type) {
      case Backend.NotificationResponse:
        return this.onNotification(offset, length);
      case Backend.NoticeResponse: {
        const fields = readFields(new BodyReader(this.codec.bytes, offset, length, this.decodeText));
        this.notices.add(fields);
        this.listeners.emit("notice", fields);
        return;
      }
      case Backend.ParameterStatus: {
        const r = new BodyReader(this.codec.bytes, offset, length, this.decodeText);
        const name = r.cstring();
        const value = r.cstring();
        this.parameter_statuses[name] = value;
        if (name === "client_encoding") this.useEncoding(value);
        this.registry.sessionChanged(name, value);
        this.listeners.emit("parameter_status", name, value);
        return;
      }
    }
    const request = this.queue[this.queueHead];
    if (!request) {
      if (type === Backend.ErrorResponse) {
        // e.g. FATAL "terminating connection due to administrator command" while idle.
        this.closeError = new OperationalError(
          readFields(new BodyReader(this.codec.bytes, offset, length, this.decodeText)),
        );
        return;
      }
      throw new InterfaceError(`unexpected message type '${String.fromCharCode(type)}' with no query in progress`);
    }
    if (request.startStatus === null) request.startStatus = this.transactionStatus ?? "I";
    if (type === Backend.ReadyForQuery) {
      const status = String.fromCharCode(this.codec.bytes[offset]!) as TransactionStatus;
      this.transactionStatus = status;
      this.queue[this.queueHead] = undefined as unknown as Request;
      this.queueHead++;
      if (this.queueHead === this.queue.length) {
        this.queue.length = 0;
        this.queueHead = 0;
        this.disarmTimer();
      } else if (this.queueHead > 1024) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      request.complete(status);
      if (request === this.exclusive) this.releaseExclusive();
      this.queue[this.queueHead]?.cancelWhenStarted?.();
      return;
    }
    const result = request.handle(type, offset, length, index, this.codec);
    if (result instanceof Promise) return result;
  }

  private onNotification(offset: number, length: number): void {
    const r = new BodyReader(this.codec.bytes, offset, length, this.decodeText);
    const notification: Notification = [r.int32(), r.cstring(), r.cstring()];
    this.notifications.add(notification);
    this.listeners.emit("notification", notification);
  }

  // ---- timeouts, failures, closing -----------------------------------------------------------

  private armTimer(): void {
    const seconds = this.options.timeout;
    if (seconds === undefined || seconds === null) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fatal(
        new OperationalError(`timeout: the server did not answer within ${seconds} s; the connection is closed`),
      );
    }, seconds * 1000);
  }

  private disarmTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A protocol or network failure: the connection cannot continue. */
  private fatal(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.shutdown(error);
    this.transport.destroy();
  }

  private onTransportClose(error: Error | null): void {
    if (this.state === "closed") return;
    const reason =
      this.closeError ??
      error ??
      new OperationalError("the server closed the connection unexpectedly (it may have been terminated or restarted)");
    this.shutdown(reason);
  }

  private shutdown(error: Error): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.closeError ??= error;
    this.disarmTimer();
    const pending = this.queue.slice(this.queueHead);
    this.queue.length = 0;
    this.queueHead = 0;
    this.deferred = [];
    this.exclusive = null;
    this.onDrain();
    for (const request of pending) request.fail(error);
    this.listeners.emit("close", error);
  }

  /** Sends Terminate and closes the socket. Closing twice raises InterfaceError. */
  async close(): Promise<void> {
    this.assertOpen();
    // Streams left open would wait for their consumer forever: end them.
    await Promise.all([...this.openStreams].map((stream) => stream.return().catch(() => undefined)));
    // Requests already made finish first (some of their bytes may still be held back).
    const pending = this.queue.slice(this.queueHead).map((r) => r.promise.catch(() => undefined));
    await Promise.all(pending);
    if (this.state === "closed") return;
    const closedByUs = new InterfaceError("connection is closed");
    const done = new Promise<void>((resolve) => {
      if (this.state === "closed") resolve();
      else this.on("close", () => resolve());
    });
    this.send((w) => msg.terminate(w));
    this.flush();
    this.closeError = closedByUs;
    this.transport.end();
    const timer = setTimeout(() => this.transport.destroy(), 2000);
    await done;
    clearTimeout(timer);
  }

  /** Asks the server to cancel the query running now (CancelRequest on a new connection). */
  async cancel(): Promise<void> {
    this.assertOpen();
    if (this.options.sock) {
      throw new InterfaceError(
        "cancel() needs a second connection to the server, which is not possible with the 'sock' option",
      );
    }
    const transport = await openTransport({ ...this.options, ssl_context: false });
    await new Promise<void>((resolve) => {
      transport.attach({ data: () => undefined, close: () => resolve() });
      const w = new msg.MessageWriter(16);
      msg.cancelRequest(w, this.backendPid, this.secretKey);
      transport.write(w.take());
      transport.end();
    });
  }
}
