// The core connection: wires the transport, the codec and the owners of the connection's state
// (session.ts: lifecycle and server session; request-queue.ts: requests in flight and bytes out;
// statement-runner.ts: what is sent for a query; cancel-watcher.ts: cancellation). Every backend
// message goes to the request at the head of the queue, checked against what that request
// awaits (exchange.ts), except the asynchronous ones (notifications, notices, parameter statuses).

import { type Codec, loadCodec } from "../codec/index.js";
import { InterfaceError, OperationalError, type ServerFields } from "../errors.js";
import { Backend, type ColumnInfo, readFields, readReadyForQuery } from "../protocol/messages.js";
import * as msg from "../protocol/serializer.js";
import type { DecodeText } from "../protocol/text-encoding.js";
import type { Transport } from "../transport/transport.js";
import { TypeRegistry } from "../types/registry.js";
import { CancelWatcher, sendCancelRequest } from "./cancel-watcher.js";
import type { ColumnarResult } from "./columnar.js";
import { connectToHosts } from "./connect-hosts.js";
import type { ConnectionEventName, ConnectionEvents, Notification } from "./events.js";
import { type CloseOptions, closeGracefully, closeOptions } from "./graceful-close.js";
import { MessagePump } from "./message-pump.js";
import { type ConnectOptions, type ResolvedOptions, resolveConnectOptions } from "./options.js";
import type { PortalStream } from "./portal-stream.js";
import type { QueryHost, QueryResult } from "./query.js";
import type { ReplicationStream } from "./replication.js";
import type { Request, TransactionStatus } from "./request.js";
import { connectionClosed, RequestQueue } from "./request-queue.js";
import { RowDecoder } from "./rows.js";
import { Session, type SessionState } from "./session.js";
import { StartupRequest, sessionSetupSql, startupParameters } from "./startup.js";
import { StatementCache, type StatementEntry } from "./statement-cache.js";
import { type ExecuteOptions, StatementRunner } from "./statement-runner.js";
import { openTransport } from "./transport-open.js";
import { TypeResolver } from "./type-resolver.js";

export type { ExecuteOptions } from "./statement-runner.js";
export type ConnectionState = SessionState;

/** How long close() lets the server answer what was asked and close its end before it cuts. */

export class CoreConnection implements QueryHost {
  readonly registry = new TypeRegistry();
  /** Bytes → string in the session's client_encoding (UTF8 unless the session changed it). */
  decodeText: DecodeText;
  /** Bumped when decoding rules change, so cached statements rebuild their decoders. */
  typesGeneration = 0;

  private readonly session = new Session();
  readonly queue: RequestQueue;
  readonly cancels: CancelWatcher;
  private readonly runner: StatementRunner;
  private readonly types: TypeResolver;
  private readonly pump: MessagePump;

  private constructor(
    readonly options: ResolvedOptions,
    private readonly transport: Transport,
    private readonly codec: Codec,
  ) {
    this.decodeText = this.session.encoding.decode;
    const session = this.session;
    this.pump = new MessagePump(codec, {
      dispatch: (type, offset, length, index) => this.dispatch(type, offset, length, index),
      beginBatch: (c) => this.queue.current?.beginBatch(c),
      endBatch: (c) => this.queue.current?.endBatch(c),
      get stopped() {
        return session.closed;
      },
      fatal: (error) => this.fatal(error),
    });
    this.queue = new RequestQueue(transport, options.timeout, (error) => this.fatal(error));
    this.cancels = new CancelWatcher({
      isRunning: (request) => this.queue.current === (request as Request),
      cancel: () => this.cancel(),
    });
    this.runner = new StatementRunner(
      this,
      new StatementCache(options.statement_cache_size),
      this.registry,
      !options.replication,
    );
    this.types = new TypeResolver({
      registry: this.registry,
      query: (sql, params) => this.extendedQuery(sql, params),
      serverMajorVersion: () => this.session.serverMajorVersion,
      isClosed: () => this.closed,
      changed: () => this.typesGeneration++,
    });
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
    const transport = await opening.catch((err: unknown) => {
      codec.retire();
      throw err;
    });
    // Framing stops after RowDescription and BindComplete: a new decode plan applies from the
    // next batch on, which holds the rows they describe.
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

  // ---- the session, as the API layers see it --------------------------------------------

  get state(): ConnectionState {
    return this.session.state;
  }

  get closed(): boolean {
    return this.session.closed;
  }

  /** Requests written or queued and not answered yet (an open stream counts until it ends). */
  get pendingRequests(): number {
    return this.queue.waiting;
  }

  get inTransaction(): boolean {
    return this.session.inTransaction;
  }

  /** Last ReadyForQuery status: I idle, T in transaction, E failed transaction. */
  get transactionStatus(): TransactionStatus | null {
    return this.session.transactionStatus;
  }

  get parameter_statuses(): Record<string, string> {
    return this.session.parameterStatuses;
  }

  get notifications(): Notification[] {
    return this.session.notifications;
  }

  get notices(): ServerFields[] {
    return this.session.notices;
  }

  get backendPid(): number {
    return this.session.backendPid;
  }

  /**
   * Sends BEGIN when no transaction is open (DB-API autocommit off). The BEGIN is pipelined in
   * front of the statement that follows; its own result needs no await (errors surface there).
   */
  beginIfIdle(): void {
    if (this.closed || !this.session.claimTransaction()) return;
    this.simpleQuery("BEGIN TRANSACTION").catch(() => undefined);
  }

  on<E extends ConnectionEventName>(event: E, listener: ConnectionEvents[E]): () => void {
    return this.session.events.on(event, listener);
  }

  assertOpen(): void {
    if (this.session.closed) throw connectionClosed(this.session.closeError);
  }

  // ---- queries (see statement-runner.ts) ------------------------------------------------

  send(build: (w: msg.MessageWriter) => void): void {
    this.queue.send(build);
  }

  simpleQuery(sql: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    return this.runner.simpleQuery(sql, options);
  }

  /** SQL given without parameters: one statement through the extended protocol, several through the simple one. */
  queryWithoutParameters(sql: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    return this.runner.queryWithoutParameters(sql, options);
  }

  extendedQuery(sql: string, params: readonly unknown[], options: ExecuteOptions = {}): Promise<QueryResult> {
    return this.runner.extendedQuery(sql, params, options);
  }

  stream(sql: string, params: readonly unknown[], options: ExecuteOptions & { batchSize?: number } = {}): PortalStream {
    return this.runner.stream(sql, params, options);
  }

  streamColumnar(
    sql: string,
    params: readonly unknown[],
    options: ExecuteOptions & { batchSize?: number } = {},
  ): PortalStream<ColumnarResult> {
    return this.runner.streamColumnar(sql, params, options);
  }

  columnar(sql: string, params: readonly unknown[], options: ExecuteOptions = {}): Promise<ColumnarResult> {
    return this.runner.columnar(sql, params, options);
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
    return this.runner.replicate(sql);
  }

  prepareNamed(name: string, sql: string, oids: number[]): Promise<StatementEntry> {
    return this.runner.prepareNamed(name, sql, oids);
  }

  executeNamed(entry: StatementEntry, params: readonly unknown[], options: ExecuteOptions = {}): Promise<QueryResult> {
    return this.runner.executeNamed(entry, params, options);
  }

  closeNamed(name: string): Promise<void> {
    return this.runner.closeNamed(name);
  }

  // ---- types ----------------------------------------------------------------------------

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

  statementsDropped(): void {
    this.runner.statementsDropped();
  }

  sessionEnding(error: Error): void {
    this.session.closeError ??= error;
  }

  registerInAdapter(oid: number, fn: (text: string) => unknown): void {
    this.registry.registerInAdapter(oid, fn);
    this.typesGeneration++; // cached statements may have asked for that type in binary
  }

  // ---- startup ----------------------------------------------------------------------------

  private async start(): Promise<void> {
    const o = this.options;
    const params = startupParameters(o);
    const startup = new StartupRequest({
      user: o.user,
      password: async () => (typeof o.password === "function" ? await o.password() : o.password),
      serverCertificate: () => this.transport.serverCertificate?.() ?? null,
      policy: o.auth,
      send: (build) => this.queue.send(build),
      backendKey: (pid, key) => {
        this.session.backendPid = pid;
        this.session.secretKey = key;
      },
    });
    startup.expected.expect("startup");
    void this.queue.enqueue(startup, (w) => msg.startup(w, params)).catch(() => undefined);
    // Attached after the startup request is queued: a transport that reports an early close
    // from inside attach() then fails that request instead of leaving it pending.
    this.transport.attach({
      data: (chunk) => this.onData(chunk),
      close: (error) => this.onTransportClose(error),
      drain: () => this.queue.drained(),
    });
    try {
      await startup.promise;
    } catch (err) {
      this.shutdown(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    if (this.session.state === "connecting") this.session.transition("ready");
    const setup = sessionSetupSql(o, this.session.parameterStatuses);
    if (setup) {
      try {
        await this.simpleQuery(setup);
      } catch (err) {
        this.fatal(err);
        throw err;
      }
    }
  }

  // ---- receiving --------------------------------------------------------------------------

  private onData(chunk: Uint8Array): void {
    // After close() the transport may still hear from the server while it closes: nothing to do.
    if (this.session.closed) return;
    this.queue.progress();
    this.pump.push(chunk);
  }

  private dispatch(type: number, offset: number, length: number, index: number): Promise<void> | void {
    const request = this.queue.current;
    if (type === Backend.DataRow) {
      // The hot path: one flag tells whether the current phase takes rows.
      if (request === undefined || !request.expected.rowsAllowed) throw this.unexpected(type, request);
      request.handle(type, offset, length, index, this.codec);
      return;
    }
    if (type === Backend.NoticeResponse || type === Backend.ParameterStatus || type === Backend.NotificationResponse) {
      if (this.session.asynchronous(type, this.codec.bytes, offset, length, this.registry)) {
        this.decodeText = this.session.encoding.decode;
        this.queue.writer.encoding = this.session.encoding;
        this.typesGeneration++; // cached decoders hold the old text decoding
      }
      return;
    }
    if (!request) {
      if (type === Backend.ErrorResponse) {
        // e.g. FATAL "terminating connection due to administrator command" while idle.
        this.session.closeError = new OperationalError(readFields(this.codec.bytes, offset, length, this.decodeText));
        return;
      }
      throw this.unexpected(type, request);
    }
    if (request.startStatus === null) request.startStatus = this.session.transactionStatus ?? "I";
    const final = request.expected.accept(type); // throws for a message the request does not await
    if (!final) return request.handle(type, offset, length, index, this.codec);
    const status = readReadyForQuery(this.codec.bytes, offset, length);
    this.session.readyForQuery(status);
    this.queue.finishCurrent();
    request.complete(status);
    this.queue.released(request);
  }

  private unexpected(type: number, request: Request | undefined): InterfaceError {
    if (request) return request.expected.violation(type);
    return new InterfaceError(
      `protocol violation: unexpected message type '${String.fromCharCode(type)}' with no query in progress; the connection is closed`,
    );
  }

  // ---- failures and closing -----------------------------------------------------------------

  /** A protocol or network failure: the connection cannot continue. */
  private fatal(err: unknown): void {
    this.shutdown(err instanceof Error ? err : new Error(String(err)));
    this.transport.destroy();
  }

  private onTransportClose(error: Error | null): void {
    if (this.session.closed) return;
    const reason =
      this.session.closeError ??
      error ??
      new OperationalError("the server closed the connection unexpectedly (it may have been terminated or restarted)");
    this.shutdown(reason);
  }

  private shutdown(error: Error): void {
    if (this.session.closed) return;
    this.session.transition("closed");
    this.session.closeError ??= error;
    for (const request of this.queue.close()) request.fail(this.session.closeError);
    this.session.events.emit("close", this.session.closeError);
    // After what runs now (the batch being handled may still read it): its memory serves the next connection.
    queueMicrotask(() => this.codec.retire());
  }

  /** Closes gracefully within CLOSE_GRACE_MS (graceful-close.ts); closing twice raises InterfaceError. */
  async close(options?: CloseOptions): Promise<void> {
    const checked = closeOptions(options);
    return closeGracefully(
      {
        session: this.session,
        queue: this.queue,
        transport: this.transport,
        openStreams: this.runner.openStreams,
        closedEvent: () => new Promise<void>((resolve) => void this.on("close", () => resolve())),
        shutdown: (error) => this.shutdown(error),
      },
      checked,
    );
  }

  /** Asks the server to cancel the query running now (CancelRequest on a new connection). */
  async cancel(): Promise<void> {
    this.assertOpen();
    await sendCancelRequest(this.options, this.session.backendPid, this.session.secretKey);
  }
}
