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

/** A message body inside a larger buffer (the codec's memory): where the readers below read. */
function body(bytes: Uint8Array, offset: number, length: number, decode?: DecodeText): BodyReader {
  return new BodyReader(bytes, offset, length, decode);
}

/** The body must be empty (ParseComplete, BindComplete, CloseComplete, NoData, …). */
export function expectEmpty(type: number, length: number): void {
  if (length !== 0) throw malformed(`'${String.fromCharCode(type)}' should have no body, it has ${length} bytes`);
}

// ---- RowDescription (T) ----

export function readRowDescription(
  bytes: Uint8Array,
  offset: number,
  length: number,
  decode?: DecodeText,
): ColumnInfo[] {
  const r = body(bytes, offset, length, decode);
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

// ---- ErrorResponse (E) / NoticeResponse (N) ----

/** One-letter codes to values. */
export function readFields(bytes: Uint8Array, offset: number, length: number, decode?: DecodeText): ServerFields {
  const r = body(bytes, offset, length, decode);
  const fields: ServerFields = {};
  for (;;) {
    const code = r.byte();
    if (code === 0) return fields;
    fields[String.fromCharCode(code)] = r.cstring();
  }
}

// ---- ParameterDescription (t) ----

export function readParameterDescription(bytes: Uint8Array, offset: number, length: number): number[] {
  const r = body(bytes, offset, length);
  const n = r.uint16();
  const oids = new Array<number>(n);
  for (let i = 0; i < n; i++) oids[i] = r.uint32();
  return oids;
}

// ---- CopyInResponse (G) / CopyOutResponse (H) / CopyBothResponse (W) ----

export interface CopyResponse {
  /** 0 = text, 1 = binary (overall format). */
  format: number;
  columnFormats: number[];
}

export function readCopyResponse(bytes: Uint8Array, offset: number, length: number): CopyResponse {
  const r = body(bytes, offset, length);
  const format = r.byte();
  const n = r.uint16();
  const columnFormats = new Array<number>(n);
  for (let i = 0; i < n; i++) columnFormats[i] = r.int16();
  return { format, columnFormats };
}

// ---- CommandComplete (C) ----

/** The command tag, e.g. "INSERT 0 1". */
export function readCommandComplete(bytes: Uint8Array, offset: number, length: number, decode?: DecodeText): string {
  return body(bytes, offset, length, decode).cstring();
}

// ---- ReadyForQuery (Z) ----

export type TransactionStatus = "I" | "T" | "E";

/** The transaction status: I idle, T in a transaction block, E in a failed one. */
export function readReadyForQuery(bytes: Uint8Array, offset: number, length: number): TransactionStatus {
  const status = String.fromCharCode(body(bytes, offset, length).byte());
  if (length !== 1 || (status !== "I" && status !== "T" && status !== "E")) {
    throw malformed(`ReadyForQuery with transaction status '${status}' (${length} bytes)`);
  }
  return status;
}

// ---- ParameterStatus (S) ----

export interface ParameterStatus {
  name: string;
  value: string;
}

export function readParameterStatus(
  bytes: Uint8Array,
  offset: number,
  length: number,
  decode?: DecodeText,
): ParameterStatus {
  const r = body(bytes, offset, length, decode);
  return { name: r.cstring(), value: r.cstring() };
}

// ---- NotificationResponse (A) ----

export interface NotificationMessage {
  processId: number;
  channel: string;
  payload: string;
}

export function readNotification(
  bytes: Uint8Array,
  offset: number,
  length: number,
  decode?: DecodeText,
): NotificationMessage {
  const r = body(bytes, offset, length, decode);
  return { processId: r.int32(), channel: r.cstring(), payload: r.cstring() };
}

// ---- BackendKeyData (K) ----

export interface BackendKeyData {
  processId: number;
  secretKey: number;
}

export function readBackendKeyData(bytes: Uint8Array, offset: number, length: number): BackendKeyData {
  const r = body(bytes, offset, length);
  return { processId: r.int32(), secretKey: r.int32() };
}

// ---- NegotiateProtocolVersion (v) ----

export interface NegotiateProtocolVersion {
  /** The newest minor version the server supports for our major version. */
  minorVersion: number;
  /** Protocol options the server did not recognise. */
  unrecognized: string[];
}

export function readNegotiateProtocolVersion(
  bytes: Uint8Array,
  offset: number,
  length: number,
): NegotiateProtocolVersion {
  const r = body(bytes, offset, length);
  const minorVersion = r.int32();
  const n = r.int32();
  const unrecognized: string[] = [];
  for (let i = 0; i < n; i++) unrecognized.push(r.cstring());
  return { minorVersion, unrecognized };
}

// ---- Authentication (R) ----

export const AuthCode = {
  Ok: 0,
  KerberosV5: 2,
  Cleartext: 3,
  MD5: 5,
  SCMCredential: 6,
  GSS: 7,
  GSSContinue: 8,
  SSPI: 9,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

/** An Authentication request; the fields that its code does not carry are empty. */
export interface AuthenticationRequest {
  /** One of AuthCode. */
  code: number;
  /** MD5: the 4-byte salt. */
  salt: Uint8Array;
  /** SASL: the mechanisms the server offers. */
  mechanisms: string[];
  /** SASLContinue / SASLFinal: the server's SASL data. */
  data: Uint8Array;
}

const NO_BYTES = new Uint8Array(0);

export function readAuthentication(bytes: Uint8Array, offset: number, length: number): AuthenticationRequest {
  const r = body(bytes, offset, length);
  const message: AuthenticationRequest = { code: r.int32(), salt: NO_BYTES, mechanisms: [], data: NO_BYTES };
  switch (message.code) {
    case AuthCode.MD5:
      message.salt = r.bytesOf(4);
      break;
    case AuthCode.SASL:
      for (let m = r.cstring(); m !== ""; m = r.cstring()) message.mechanisms.push(m);
      break;
    case AuthCode.SASLContinue:
    case AuthCode.SASLFinal:
      message.data = r.rest();
      break;
  }
  return message;
}

// ---- CopyData (d) ----

/** A copy of the CopyData payload (the codec's memory is reused after the batch). */
export function readCopyData(bytes: Uint8Array, offset: number, length: number): Uint8Array {
  return bytes.slice(offset, offset + length);
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
