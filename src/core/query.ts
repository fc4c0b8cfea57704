// A query's exchange: simple (Query) or extended (Parse/Bind/Describe/Execute/Sync), read to
// ReadyForQuery. Server errors are kept and raised only then, so the connection stays in step.

import type { Codec } from "../codec/index.js";
import { errorForFields, InterfaceError } from "../errors.js";
import {
  Backend,
  type ColumnInfo,
  readCommandComplete,
  readFields,
  readParameterDescription,
  readRowDescription,
  rowCountOfTag,
} from "../protocol/messages.js";
import * as msg from "../protocol/serializer.js";
import type { DecodeText } from "../protocol/text-encoding.js";
import type { TypeRegistry } from "../types/registry.js";
import { ColumnarCollector } from "./columnar.js";
import type { CopyProtocol } from "./copy.js";
import { Request, type TransactionStatus } from "./request.js";
import { RowDecoder } from "./rows.js";
import type { StatementEntry } from "./statement-cache.js";

export interface QueryResult {
  /** Columns of the last result set; null when no statement returned rows. */
  columns: ColumnInfo[] | null;
  rows: unknown[][];
  /** Sum of the command tags' counts; -1 when no command reported one. */
  rowCount: number;
  /** The last CommandComplete tag, e.g. "INSERT 0 1". */
  command: string | null;
}

/** What a query needs from its connection while its response is read. */
export interface QueryHost {
  readonly registry: TypeRegistry;
  /** Bytes → string in the session's client_encoding. */
  readonly decodeText: DecodeText;
  /** OIDs among `columns` the connection has not looked up in pg_type yet (user types). */
  unresolvedTypes(columns: ColumnInfo[]): number[];
  /** Looks types up in pg_type and teaches the registry; never rejects. */
  resolveTypes(oids: number[]): Promise<void>;
  /** A cached statement's decoder, current with adapters and user types. */
  decoderOf(entry: StatementEntry): RowDecoder | null;
  /** Messages to the server now (COPY). */
  send(build: (w: msg.MessageWriter) => void): void;
  /** DEALLOCATE ALL or DISCARD ALL ran: the session's prepared statements are gone. */
  statementsDropped(): void;
  /** The server ends the session (a FATAL or PANIC error): what fails from now on fails with it. */
  sessionEnding(error: Error): void;
}

/** Rows handed out one by one as they arrive (a portal stream), or a batch at a time. */
export interface RowStream {
  onRow(row: unknown[]): void;
  /** Set when rows go column by column into `collector` (made at the first DataRow), not onRow. */
  readonly columnar?: boolean;
  collector?: ColumnarCollector | null;
  /** PortalSuspended: the batch is complete, more rows remain. */
  onSuspended(): void;
  /** CommandComplete or ErrorResponse: no more rows; the stream must now send Sync. */
  onEnded(): void;
}

/** Where a query's result goes. */
export type QuerySink =
  /** Collected into QueryResult.rows (the default). */
  | { kind: "rows" }
  /** Handed to a stream as they come. */
  | { kind: "stream"; stream: RowStream }
  /** Collected column by column (run_columnar). */
  | { kind: "columnar"; collector: ColumnarCollector }
  /** A COPY's data (COPY FROM/TO with a stream, or replication's CopyBoth). */
  | { kind: "copy"; copy: CopyProtocol };

/** The prepared statement a query prepares or runs; held (not evicted) until the query ends. */
export interface StatementUse {
  entry: StatementEntry;
  /**
   * "describe": this exchange parses and describes it (filled in when described); "bind": it is
   * bound without a Describe, and its rows are decoded as its description says.
   */
  role: "describe" | "bind";
}

export interface QueryOptions {
  statement?: StatementUse;
  sink?: QuerySink;
}

const ROWS: QuerySink = { kind: "rows" };

/** Rows from `start` on came with columns of types unknown until pg_type is asked. */
interface UnresolvedSegment {
  start: number;
  columns: ColumnInfo[];
  oids: number[];
}

export class QueryRequest extends Request<QueryResult> {
  private readonly result: QueryResult = { columns: null, rows: [], rowCount: -1, command: null };
  private decoder: RowDecoder | null;
  private unresolved: UnresolvedSegment[] = [];
  private readonly sink: QuerySink;
  private readonly statement: StatementUse | undefined;
  /** The SQL text, for the failed-transaction check on COMMIT. */
  readonly sql: string;

  constructor(
    private readonly host: QueryHost,
    sql: string,
    options: QueryOptions = {},
  ) {
    super();
    this.sql = sql;
    this.decoder = null;
    this.sink = options.sink ?? ROWS;
    this.statement = options.statement;
    if (this.statement) this.statement.entry.uses++;
  }

  /** The command tag once the statement completed (e.g. "INSERT 0 7"), else null. */
  get command(): string | null {
    return this.result.command;
  }

  /** Rows the command reported in its tag; -1 until it completed or when it reports none. */
  get rowCount(): number {
    return this.result.rowCount;
  }

  /**
   * Columns of the current result set, known from its RowDescription (or BindComplete) on; for
   * a described statement bound here, from its description already (the server sends
   * BindComplete only with the first rows, or at the end).
   */
  get columns(): ColumnInfo[] | null {
    const use = this.statement;
    return this.result.columns ?? (use?.role === "bind" ? (use.entry.columns ?? null) : null);
  }

  handle(type: number, offset: number, length: number, i: number, codec: Codec): void {
    switch (type) {
      case Backend.DataRow: {
        const decoder = this.decoder;
        if (!decoder) throw new InterfaceError("DataRow received before its RowDescription");
        decoder.checkFieldCount(codec, i);
        if (this.error) return; // a client-side error already: keep reading, build nothing
        const sink = this.sink;
        try {
          if (sink.kind === "columnar") {
            sink.collector.dataRow(codec, i);
            return;
          }
          if (sink.kind === "stream" && sink.stream.columnar) {
            sink.stream.collector ??= ColumnarCollector.forDecoder(
              this.result.columns ?? [],
              decoder,
              this.host.registry,
              this.host.decodeText,
            );
            sink.stream.collector.dataRow(codec, i);
            return;
          }
          const row = decoder.decode(codec, i);
          if (sink.kind === "stream") sink.stream.onRow(row);
          else this.result.rows.push(row);
        } catch (err) {
          this.noteError(err);
        }
        return;
      }
      case Backend.RowDescription: {
        const columns = readRowDescription(codec.bytes, offset, length, this.host.decodeText);
        this.onColumns(columns);
        this.decoder = RowDecoder.forText(columns, this.host.registry, this.host.decodeText);
        this.result.columns = columns;
        this.noteUnresolved(columns);
        codec.usePlan(null);
        return;
      }
      case Backend.NoData:
        this.onColumns(null);
        return;
      case Backend.BindComplete: {
        const use = this.statement;
        if (use?.role === "bind") {
          this.decoder = this.host.decoderOf(use.entry);
          this.result.columns = use.entry.columns ?? null;
          if (this.result.columns) this.noteUnresolved(this.result.columns);
        }
        codec.usePlan(this.decoder?.plan ?? null);
        return;
      }
      case Backend.ParameterDescription: {
        if (this.statement?.role === "describe") {
          this.statement.entry.paramOids = readParameterDescription(codec.bytes, offset, length);
        }
        return;
      }
      case Backend.CommandComplete: {
        this.endColumnarBatch(codec);
        const tag = readCommandComplete(codec.bytes, offset, length, this.host.decodeText);
        this.result.command = tag;
        if (tag === "DEALLOCATE ALL" || tag === "DISCARD ALL") this.host.statementsDropped();
        const n = rowCountOfTag(tag);
        if (n >= 0) this.result.rowCount = Math.max(this.result.rowCount, 0) + n;
        this.checkFailedTransaction();
        if (this.sink.kind === "stream") this.sink.stream.onEnded();
        return;
      }
      case Backend.ErrorResponse: {
        const error = errorForFields(readFields(codec.bytes, offset, length, this.host.decodeText));
        if (error.severity === "FATAL" || error.severity === "PANIC") this.host.sessionEnding(error);
        const use = this.statement;
        if (use?.role === "describe" && use.entry.columns === undefined) use.entry.parseError = error;
        // The rows read so far belong to a failed statement.
        this.result.rows.length = 0;
        this.error ??= error; // a client-side error seen first stays the one raised
        this.endColumnarBatch(codec);
        if (this.sink.kind === "stream") this.sink.stream.onEnded();
        return;
      }
      case Backend.PortalSuspended:
        this.endColumnarBatch(codec);
        if (this.sink.kind === "stream") this.sink.stream.onSuspended();
        return;
      case Backend.EmptyQueryResponse:
        if (this.sink.kind === "stream") this.sink.stream.onEnded();
        return;
      case Backend.ParseComplete:
      case Backend.CloseComplete:
        return;
      case Backend.CopyInResponse:
      case Backend.CopyOutResponse:
      case Backend.CopyBothResponse:
      case Backend.CopyData:
      case Backend.CopyDone:
        this.handleCopy(type, offset, length, codec);
        return;
      default:
        throw new InterfaceError(`unexpected message type '${String.fromCharCode(type)}' in a query response`);
    }
  }

  private handleCopy(type: number, offset: number, length: number, codec: Codec): void {
    const copy = this.sink.kind === "copy" ? this.sink.copy : undefined;
    if (!copy) {
      if (type === Backend.CopyInResponse) {
        this.noteError(
          new InterfaceError(
            "COPY FROM STDIN needs a source: pass it as the 'stream' option (a string, bytes, an (async) iterable or a readable stream)",
          ),
        );
        this.host.send((w) => msg.copyFail(w, "no COPY source given to the driver"));
      } else if (type === Backend.CopyOutResponse) {
        this.noteError(
          new InterfaceError(
            "COPY TO STDOUT needs a destination: pass it as the 'stream' option (a writable stream or { write(chunk) })",
          ),
        );
      }
      return;
    }
    try {
      copy.handle(type, codec.bytes, offset, length, this);
    } catch (err) {
      this.noteError(err);
    }
  }

  override beginBatch(codec: Codec): void {
    if (this.decoder?.plan.decodesAny) this.decoder.refresh(codec);
  }

  /** The codec's batch ends: typed columns are about to be reused. */
  override endBatch(codec: Codec): void {
    this.endColumnarBatch(codec);
  }

  /** Copies the typed values of the rows framed so far out of the codec's columns. */
  private endColumnarBatch(codec: Codec): void {
    const sink = this.sink;
    if (sink.kind === "columnar") sink.collector.endBatch(codec);
    else if (sink.kind === "stream") sink.stream.collector?.endBatch(codec);
  }

  private onColumns(columns: ColumnInfo[] | null): void {
    if (this.statement?.role !== "describe") return;
    const entry = this.statement.entry;
    if (entry.columns !== undefined) return;
    entry.columns = columns;
    entry.decoder = columns ? RowDecoder.forBinary(columns, this.host.registry, this.host.decodeText) : null;
  }

  /**
   * pg8000 semantics: a COMMIT (or anything but ROLLBACK) completing in a failed transaction
   * means the server silently rolled back; say so instead of pretending it committed.
   */
  private checkFailedTransaction(): void {
    if (this.startStatus !== "E") return;
    const first = /^\s*([A-Za-z]+)/.exec(this.sql)?.[1]?.toUpperCase();
    if (first !== "ROLLBACK") this.noteError(new InterfaceError("in failed transaction block"));
  }

  complete(_status: TransactionStatus): void {
    if (this.statement) this.statement.entry.uses--;
    const copy = this.sink.kind === "copy" ? this.sink.copy : undefined;
    if (copy) {
      // COPY OUT: settle once the destination has taken every chunk.
      copy.finished().then(
        () => this.finish(),
        (err: unknown) => {
          this.noteError(err);
          this.finish();
        },
      );
    } else {
      this.finish();
    }
  }

  private noteUnresolved(columns: ColumnInfo[]): void {
    if (this.sink.kind !== "rows") return; // rows already handed out
    const oids = this.host.unresolvedTypes(columns);
    if (oids.length > 0) this.unresolved.push({ start: this.result.rows.length, columns, oids });
  }

  /**
   * Values of user types (enums, domains, arrays of them…) arrived as their text: look the types
   * up once, then decode those values as the registry now knows how.
   */
  private async decodeUnresolved(segments: UnresolvedSegment[]): Promise<void> {
    const oids = [...new Set(segments.flatMap((s) => s.oids))];
    await this.host.resolveTypes(oids);
    const rows = this.result.rows;
    segments.forEach((segment, k) => {
      const end = segments[k + 1]?.start ?? rows.length;
      segment.columns.forEach((column, c) => {
        if (!segment.oids.includes(column.type_oid)) return;
        const decoder = this.host.registry.textDecoder(column.type_oid);
        if (!decoder) return;
        for (let r = segment.start; r < end; r++) {
          const value = rows[r]![c];
          if (typeof value === "string") rows[r]![c] = decoder(value);
        }
      });
    });
  }

  private finish(): void {
    if (this.unresolved.length > 0 && !this.error) {
      this.decodeUnresolved(this.unresolved).then(
        () => this.settleResult(),
        (err: unknown) => {
          this.noteError(err);
          this.settleResult();
        },
      );
      this.unresolved = [];
      return;
    }
    this.settleResult();
  }

  private settleResult(): void {
    if (this.error) this.reject(this.error);
    else this.resolve(this.result);
  }

  override abandon(): void {
    if (this.statement) this.statement.entry.uses--;
  }

  override fail(error: Error): void {
    if (this.statement && !this.done) this.statement.entry.uses--;
    super.fail(error);
  }
}
