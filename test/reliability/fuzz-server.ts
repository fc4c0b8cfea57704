// An in-memory backend for the protocol fuzzer, plugged in through the `sock` option (a
// Transport), so a case costs no network round trip. It answers the driver's messages from a
// table of result sets, encoding values in text or binary as Bind asks (from the protocol
// document: int4/int8/float8 big-endian, bool one byte, date as days and timestamptz as
// microseconds since 2000-01-01, arrays in the generic binary array form). Every reply goes
// through `mutate` before delivery, in random chunks.

import type { Transport, TransportHandlers } from "../../src/transport/transport.js";

export type ColumnType =
  | "int4"
  | "int8"
  | "float8"
  | "bool"
  | "text"
  | "bytea"
  | "date"
  | "timestamptz"
  | "int4[]"
  | "uuid";
export const COLUMN_TYPES: ColumnType[] = [
  "int4",
  "int8",
  "float8",
  "bool",
  "text",
  "bytea",
  "date",
  "timestamptz",
  "int4[]",
  "uuid",
];
const OID: Record<ColumnType, number> = {
  int4: 23,
  int8: 20,
  float8: 701,
  bool: 16,
  text: 25,
  bytea: 17,
  date: 1082,
  timestamptz: 1184,
  "int4[]": 1007,
  uuid: 2950,
};

/** A cell: the value as the generator made it (its JS form for comparison is derived in the harness). */
export type Cell = number | bigint | boolean | string | Uint8Array | number[] | null;

export interface ResultSet {
  types: ColumnType[];
  rows: Cell[][];
}

const enc = new TextEncoder();
const EPOCH_2000_MS = Date.UTC(2000, 0, 1);

function be(n: number, bytes: 2 | 4): number[] {
  return bytes === 2 ? [(n >> 8) & 255, n & 255] : [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}
function be64(n: bigint): number[] {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, n);
  return [...out];
}

export function textOf(type: ColumnType, v: Exclude<Cell, null>): string {
  switch (type) {
    case "bool":
      return v ? "t" : "f";
    case "bytea":
      return `\\x${Buffer.from(v as Uint8Array).toString("hex")}`;
    case "date":
      return new Date(EPOCH_2000_MS + (v as number) * 86_400_000).toISOString().slice(0, 10);
    case "timestamptz": {
      const ms = Number((v as bigint) / 1000n) + EPOCH_2000_MS;
      const micros = (((v as bigint) % 1_000_000n) + 1_000_000n) % 1_000_000n;
      return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}.${String(micros).padStart(6, "0")}+00`;
    }
    case "int4[]":
      return `{${(v as (number | null)[]).map((x) => (x === null ? "NULL" : String(x))).join(",")}}`;
    case "float8":
      return Object.is(v, -0) ? "-0" : String(v);
    default:
      return String(v);
  }
}

function binaryOf(type: ColumnType, v: Exclude<Cell, null>): number[] {
  switch (type) {
    case "int4":
    case "date":
      return be(v as number, 4);
    case "int8":
    case "timestamptz":
      return be64(v as bigint);
    case "float8": {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v as number);
      return [...b];
    }
    case "bool":
      return [v ? 1 : 0];
    case "uuid":
      return [...Buffer.from((v as string).replace(/-/g, ""), "hex")];
    case "int4[]": {
      const items = v as (number | null)[];
      const head = [
        ...be(1, 4),
        ...be(items.includes(null) ? 1 : 0, 4),
        ...be(23, 4),
        ...be(items.length, 4),
        ...be(1, 4),
      ];
      return [...head, ...items.flatMap((x) => (x === null ? be(-1, 4) : [...be(4, 4), ...be(x, 4)]))];
    }
    default:
      return [...enc.encode(textOf(type, v))];
  }
}

function message(type: string, body: number[]): number[] {
  return [type.charCodeAt(0), ...be(body.length + 4, 4), ...body];
}
const cstr = (s: string): number[] => [...enc.encode(s), 0];

function rowDescription(set: ResultSet, formats: number[]): number[] {
  const fields = set.types.flatMap((t, i) => {
    const format = formats.length === 1 ? formats[0]! : (formats[i] ?? 0);
    return [...cstr(`c${i}`), ...be(0, 4), ...be(0, 2), ...be(OID[t], 4), ...be(-1, 2), ...be(-1, 4), ...be(format, 2)];
  });
  return message("T", [...be(set.types.length, 2), ...fields]);
}

function dataRows(set: ResultSet, formats: number[]): number[] {
  return set.rows.flatMap((row) =>
    message("D", [
      ...be(row.length, 2),
      ...row.flatMap((v, i) => {
        if (v === null) return be(-1, 4);
        const binary = (formats.length === 1 ? formats[0] : formats[i]) === 1;
        const bytes = binary ? binaryOf(set.types[i]!, v) : [...enc.encode(textOf(set.types[i]!, v))];
        return [...be(bytes.length, 4), ...bytes];
      }),
    ]),
  );
}

const READY = message("Z", [0x49]);

/** Result sets by SQL text; `mutate` sees each reply (up to ReadyForQuery) before delivery. */
export class FuzzServer implements Transport {
  readonly encrypted = false;
  readonly results = new Map<string, ResultSet>();
  mutate: (reply: Uint8Array) => Uint8Array = (r) => r;
  chunking: (length: number) => number[] = (n) => [n];
  private handlers: TransportHandlers | null = null;
  private started = false;
  private closed = false;
  private pending: number[] = [];
  private readonly statements = new Map<string, string>();
  private portal: { sql: string; formats: number[] } | null = null;
  private unnamedSql = "";

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }
  pause(): void {}
  resume(): void {}
  end(): void {
    this.hangUp();
  }
  destroy(): void {
    this.hangUp();
  }

  /** The server goes away: the driver sees its socket close. */
  hangUp(): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => this.handlers?.close(null));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed) return true;
    let at = 0;
    if (!this.started) {
      this.started = true;
      at = new DataView(bytes.buffer, bytes.byteOffset).getInt32(0);
      this.deliver([
        ...message("R", be(0, 4)),
        ...message("S", [...cstr("server_version"), ...cstr("15.0")]),
        ...message("S", [...cstr("client_encoding"), ...cstr("UTF8")]),
        ...message("S", [...cstr("TimeZone"), ...cstr("UTC")]),
        ...message("S", [...cstr("integer_datetimes"), ...cstr("on")]),
        ...message("K", [...be(1, 4), ...be(2, 4)]),
        ...READY,
      ]);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    while (at + 5 <= bytes.length) {
      const type = String.fromCharCode(bytes[at]!);
      const length = view.getInt32(at + 1);
      this.onMessage(type, bytes.subarray(at + 5, at + 1 + length));
      at += 1 + length;
    }
    return true;
  }

  private onMessage(type: string, body: Uint8Array): void {
    const parts = (): string[] => Buffer.from(body).toString("utf8").split("\0");
    switch (type) {
      case "Q": {
        const sql = parts()[0]!;
        const set = this.results.get(sql);
        if (set)
          this.pending.push(
            ...rowDescription(set, [0]),
            ...dataRows(set, [0]),
            ...message("C", cstr(`SELECT ${set.rows.length}`)),
          );
        else this.pending.push(...message("C", cstr("SET")));
        this.pending.push(...READY);
        this.flushReply();
        return;
      }
      case "P": {
        const [name, sql] = parts();
        if (name) this.statements.set(name, sql!);
        else this.unnamedSql = sql!;
        this.pending.push(...message("1", []));
        return;
      }
      case "B": {
        const [, statement] = parts();
        const sql = statement ? (this.statements.get(statement) ?? "") : this.unnamedSql;
        this.portal = { sql, formats: resultFormats(body) };
        this.pending.push(...message("2", []));
        return;
      }
      case "D": {
        const kind = String.fromCharCode(body[0]!);
        const name = parts()[0]!.slice(1);
        const named = name ? (this.statements.get(name) ?? "") : this.unnamedSql; // "" = the unnamed statement
        const sql = kind === "S" ? named : (this.portal?.sql ?? "");
        const set = this.results.get(sql);
        if (kind === "S") this.pending.push(...message("t", [...be(1, 2), ...be(23, 4)]));
        this.pending.push(
          ...(set ? rowDescription(set, kind === "S" ? [0] : (this.portal?.formats ?? [0])) : message("n", [])),
        );
        return;
      }
      case "E": {
        const set = this.results.get(this.portal?.sql ?? "");
        if (set)
          this.pending.push(...dataRows(set, this.portal!.formats), ...message("C", cstr(`SELECT ${set.rows.length}`)));
        return;
      }
      case "C":
        this.pending.push(...message("3", []));
        return;
      case "S":
        this.pending.push(...READY);
        this.flushReply();
        return;
      case "X":
        this.hangUp();
        return;
      default:
        return; // Flush, CopyData/Done/Fail: nothing to answer
    }
  }

  private flushReply(): void {
    const reply = this.mutate(Uint8Array.from(this.pending));
    this.pending = [];
    let at = 0;
    for (const size of this.chunking(reply.length)) {
      this.deliver(reply.subarray(at, at + size));
      at += size;
    }
    if (at < reply.length) this.deliver(reply.subarray(at));
  }

  private deliver(bytes: ArrayLike<number>): void {
    const chunk = Uint8Array.from(bytes);
    queueMicrotask(() => {
      if (!this.closed) this.handlers?.data(chunk);
    });
  }
}

function resultFormats(body: Uint8Array): number[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = body.indexOf(0) + 1;
  at = body.indexOf(0, at) + 1;
  const nFormats = view.getInt16(at);
  at += 2 + nFormats * 2;
  const nParams = view.getInt16(at);
  at += 2;
  for (let i = 0; i < nParams; i++) {
    const length = view.getInt32(at);
    at += 4 + Math.max(length, 0);
  }
  const nResults = view.getInt16(at);
  at += 2;
  return Array.from({ length: nResults }, (_, i) => view.getInt16(at + i * 2));
}
