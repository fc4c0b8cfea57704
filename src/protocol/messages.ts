// Backend message codes and decoders for everything but DataRow (which the WASM codec frames).
// PostgreSQL docs: Frontend/Backend Protocol, "Message Formats".

import { InterfaceError, type ServerFields } from "../errors.js";
import { type DecodeText, UTF8 } from "./text-encoding.js";

export const Backend = {
  Authentication: 0x52, // R
  BackendKeyData: 0x4b, // K
  BindComplete: 0x32, // 2
  CloseComplete: 0x33, // 3
  CommandComplete: 0x43, // C
  CopyBothResponse: 0x57, // W
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  CopyInResponse: 0x47, // G
  CopyOutResponse: 0x48, // H
  DataRow: 0x44, // D
  EmptyQueryResponse: 0x49, // I
  ErrorResponse: 0x45, // E
  NegotiateProtocolVersion: 0x76, // v
  NoData: 0x6e, // n
  NoticeResponse: 0x4e, // N
  NotificationResponse: 0x41, // A
  ParameterDescription: 0x74, // t
  ParameterStatus: 0x53, // S
  ParseComplete: 0x31, // 1
  PortalSuspended: 0x73, // s
  ReadyForQuery: 0x5a, // Z
  RowDescription: 0x54, // T
} as const;

/** Sequential reader over one message body; every read is bounds-checked. */
export class BodyReader {
  private pos: number;
  private readonly end: number;
  constructor(
    private readonly bytes: Uint8Array,
    offset: number,
    length: number,
    private readonly decode: DecodeText = UTF8.decode,
  ) {
    this.pos = offset;
    this.end = offset + length;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw malformed("message body is shorter than its contents");
  }
  byte(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }
  int16(): number {
    this.need(2);
    const b = this.bytes;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v & 0x8000 ? v - 0x10000 : v;
  }
  uint16(): number {
    return this.int16() & 0xffff;
  }
  int32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }
  uint32(): number {
    return this.int32() >>> 0;
  }
  cstring(): string {
    const start = this.pos;
    const nul = this.bytes.indexOf(0, start);
    if (nul < 0 || nul >= this.end) throw malformed("unterminated string in message");
    this.pos = nul + 1;
    return this.decode(this.bytes, start, nul);
  }
  bytesOf(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  rest(): Uint8Array {
    return this.bytesOf(this.end - this.pos);
  }
}

export function malformed(what: string): InterfaceError {
  return new InterfaceError(`malformed message from server: ${what}`);
}

/** Column metadata as the native API exposes it (pg8000's `columns` dict keys). */
export interface ColumnInfo {
  name: string;
  table_oid: number;
  column_attrnum: number;
  type_oid: number;
  type_size: number;
  type_modifier: number;
  format: number;
}

export function readRowDescription(r: BodyReader): ColumnInfo[] {
  const n = r.uint16();
  const columns: ColumnInfo[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const name = r.cstring();
    columns[i] = {
      name,
      table_oid: r.uint32(),
      column_attrnum: r.int16(),
      type_oid: r.uint32(),
      type_size: r.int16(),
      type_modifier: r.int32(),
      format: r.int16(),
    };
  }
  return columns;
}

/** ErrorResponse / NoticeResponse: one-letter codes to values. */
export function readFields(r: BodyReader): ServerFields {
  const fields: ServerFields = {};
  for (;;) {
    const code = r.byte();
    if (code === 0) return fields;
    fields[String.fromCharCode(code)] = r.cstring();
  }
}

export function readParameterDescription(r: BodyReader): number[] {
  const n = r.uint16();
  const oids = new Array<number>(n);
  for (let i = 0; i < n; i++) oids[i] = r.uint32();
  return oids;
}

export interface CopyResponse {
  /** 0 = text, 1 = binary (overall format). */
  format: number;
  columnFormats: number[];
}

export function readCopyResponse(r: BodyReader): CopyResponse {
  const format = r.byte();
  const n = r.uint16();
  const columnFormats = new Array<number>(n);
  for (let i = 0; i < n; i++) columnFormats[i] = r.int16();
  return { format, columnFormats };
}

/** Row count from a CommandComplete tag ("INSERT 0 5", "SELECT 3", "COPY 10"); -1 when none. */
export function rowCountOfTag(tag: string): number {
  const sp = tag.lastIndexOf(" ");
  if (sp < 0) return -1;
  const command = tag.slice(0, tag.indexOf(" "));
  switch (command) {
    case "SELECT":
    case "INSERT":
    case "UPDATE":
    case "DELETE":
    case "MERGE":
    case "MOVE":
    case "FETCH":
    case "COPY": {
      const n = Number(tag.slice(sp + 1));
      return Number.isInteger(n) ? n : -1;
    }
    default:
      return -1;
  }
}
