// Frontend message builders. PostgreSQL docs: Frontend/Backend Protocol, "Message Formats".
// Every builder appends to a MessageWriter, so a whole exchange (Parse/Bind/Execute/Sync…)
// becomes one buffer and one socket write.

import { InterfaceError } from "../errors.js";
import { type TextEncoding, UTF8 } from "./text-encoding.js";

const PROTOCOL_VERSION_3 = 196608;
const SSL_REQUEST_CODE = 80877103;
const CANCEL_REQUEST_CODE = 80877102;

/** A parameter value ready for Bind: text is UTF-8 encoded here, bytes go as they are. */
export interface BindValue {
  format: 0 | 1;
  data: string | Uint8Array | null;
}

type MaybeWellFormed = string & { isWellFormed?: () => boolean };
/** A lone surrogate: in a /u regex a proper pair is one code point and does not match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Refuses text with a lone UTF-16 surrogate (half of a pair, e.g. from cutting a string in the
 * middle of an emoji): it has no UTF-8 form, and TextEncoder would silently store U+FFFD instead.
 */
export function checkWellFormed(s: string, what: string): void {
  const isWellFormed = (s as MaybeWellFormed).isWellFormed;
  if (isWellFormed ? isWellFormed.call(s) : !LONE_SURROGATE.test(s)) return;
  const at = LONE_SURROGATE.exec(s)?.index ?? 0;
  const code = s.charCodeAt(at).toString(16).toUpperCase();
  throw new InterfaceError(
    `${what} contains a lone UTF-16 surrogate (U+${code} at index ${at}), which has no UTF-8 form; ` +
      "the text was probably cut in the middle of a surrogate pair (e.g. an emoji). Nothing was sent",
  );
}

/** Text that can go out as a NUL-terminated string: no NUL inside, no lone surrogate. */
export function checkCString(s: string, what: string): void {
  if (s.includes("\0")) throw new InterfaceError(`${what} cannot contain the NUL character (code zero)`);
  checkWellFormed(s, what);
}

/** A growable byte buffer with big-endian writers and length back-patching. */
export class MessageWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  /** How strings are encoded: the session's client_encoding. */
  encoding: TextEncoding = UTF8;

  constructor(initialSize = 4096) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  int16(n: number): void {
    this.ensure(2);
    this.view.setInt16(this.pos, n);
    this.pos += 2;
  }

  int32(n: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, n);
    this.pos += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Text in the session's encoding, without terminator; returns the byte count. */
  text(s: string): number {
    this.ensure(s.length * 3);
    const written = this.encoding.encodeInto(s, this.buf, this.pos);
    this.pos += written;
    return written;
  }

  /** Text preceded by its byte length as an int32 (SASL data, Bind values). */
  lengthPrefixedText(s: string): void {
    const at = this.pos;
    this.int32(0);
    this.patchInt32(at, this.text(s));
  }

  /** NUL-terminated UTF-8 string; an embedded NUL would cut the message, so it is refused. */
  cstring(s: string, what = "string"): void {
    checkCString(s, what);
    this.text(s);
    this.byte(0);
  }

  /** Starts a message of the given type; returns the position of its length field. */
  begin(type: number): number {
    this.byte(type);
    const at = this.pos;
    this.int32(0);
    return at;
  }

  /** Overwrites an int32 written earlier (a length known only after the payload). */
  patchInt32(at: number, value: number): void {
    this.view.setInt32(at, value);
  }

  /** Back-patches the length of the message begun at `at`. */
  end(at: number): void {
    this.view.setInt32(at, this.pos - at);
  }

  /** Drops everything written after `length` (a message that failed half-way). */
  truncate(length: number): void {
    if (length < this.pos) this.pos = length;
  }

  /** Hands out the bytes written so far (a copy) and resets the writer. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}

const enum Code {
  Bind = 0x42, // B
  Close = 0x43, // C
  CopyData = 0x64, // d
  CopyDone = 0x63, // c
  CopyFail = 0x66, // f
  Describe = 0x44, // D
  Execute = 0x45, // E
  Flush = 0x48, // H
  Parse = 0x50, // P
  Password = 0x70, // p
  Query = 0x51, // Q
  Sync = 0x53, // S
  Terminate = 0x58, // X
}

export function startup(w: MessageWriter, params: Record<string, string>): void {
  const at = w.length;
  w.int32(0);
  w.int32(PROTOCOL_VERSION_3);
  for (const [key, value] of Object.entries(params)) {
    w.cstring(key, "startup parameter name");
    w.cstring(value, `startup parameter '${key}'`);
  }
  w.byte(0);
  w.end(at);
}

export function sslRequest(w: MessageWriter): void {
  w.int32(8);
  w.int32(SSL_REQUEST_CODE);
}

export function cancelRequest(w: MessageWriter, processId: number, secretKey: number): void {
  w.int32(16);
  w.int32(CANCEL_REQUEST_CODE);
  w.int32(processId);
  w.int32(secretKey);
}

export function password(w: MessageWriter, text: string): void {
  const at = w.begin(Code.Password);
  w.cstring(text, "password");
  w.end(at);
}

export function saslInitialResponse(w: MessageWriter, mechanism: string, data: string): void {
  const at = w.begin(Code.Password);
  w.cstring(mechanism);
  w.lengthPrefixedText(data);
  w.end(at);
}

export function saslResponse(w: MessageWriter, data: string): void {
  const at = w.begin(Code.Password);
  w.text(data);
  w.end(at);
}

export function query(w: MessageWriter, sql: string): void {
  const at = w.begin(Code.Query);
  w.cstring(sql, "query");
  w.end(at);
}

export function parse(w: MessageWriter, name: string, sql: string, paramOids: ArrayLike<number>): void {
  if (paramOids.length > 65535) throw tooManyParameters(paramOids.length);
  const at = w.begin(Code.Parse);
  w.cstring(name);
  w.cstring(sql, "query");
  w.int16(paramOids.length);
  for (let i = 0; i < paramOids.length; i++) w.int32(paramOids[i]! | 0);
  w.end(at);
}

/**
 * Bind: parameter formats are sent per parameter (text, or binary for bytes);
 * result formats either one code for all columns or one per column.
 */
export function bind(
  w: MessageWriter,
  portal: string,
  statement: string,
  values: ArrayLike<BindValue>,
  resultFormats: ArrayLike<number>,
): void {
  if (values.length > 65535) throw tooManyParameters(values.length);
  const at = w.begin(Code.Bind);
  w.cstring(portal);
  w.cstring(statement);
  let anyBinary = false;
  for (let i = 0; i < values.length; i++) if (values[i]!.format === 1) anyBinary = true;
  if (anyBinary) {
    w.int16(values.length);
    for (let i = 0; i < values.length; i++) w.int16(values[i]!.format);
  } else {
    w.int16(0); // all text
  }
  w.int16(values.length);
  for (let i = 0; i < values.length; i++) {
    const data = values[i]!.data;
    if (data === null) {
      w.int32(-1);
    } else if (typeof data === "string") {
      w.lengthPrefixedText(data);
    } else {
      w.int32(data.length);
      w.bytes(data);
    }
  }
  w.int16(resultFormats.length);
  for (let i = 0; i < resultFormats.length; i++) w.int16(resultFormats[i]!);
  w.end(at);
}

export function describe(w: MessageWriter, kind: "S" | "P", name: string): void {
  const at = w.begin(Code.Describe);
  w.byte(kind.charCodeAt(0));
  w.cstring(name);
  w.end(at);
}

export function execute(w: MessageWriter, portal: string, maxRows = 0): void {
  const at = w.begin(Code.Execute);
  w.cstring(portal);
  w.int32(maxRows);
  w.end(at);
}

export function close(w: MessageWriter, kind: "S" | "P", name: string): void {
  const at = w.begin(Code.Close);
  w.byte(kind.charCodeAt(0));
  w.cstring(name);
  w.end(at);
}

export function sync(w: MessageWriter): void {
  w.byte(Code.Sync);
  w.int32(4);
}

export function flush(w: MessageWriter): void {
  w.byte(Code.Flush);
  w.int32(4);
}

export function terminate(w: MessageWriter): void {
  w.byte(Code.Terminate);
  w.int32(4);
}

export function copyData(w: MessageWriter, chunk: Uint8Array | string, what = "COPY data"): void {
  if (typeof chunk === "string") checkWellFormed(chunk, what);
  const at = w.begin(Code.CopyData);
  if (typeof chunk === "string") w.text(chunk);
  else w.bytes(chunk);
  w.end(at);
}

export function copyDone(w: MessageWriter): void {
  w.byte(Code.CopyDone);
  w.int32(4);
}

export function copyFail(w: MessageWriter, reason: string): void {
  const at = w.begin(Code.CopyFail);
  // A diagnostic only: a NUL or a lone surrogate in it must not stop the CopyFail itself.
  w.cstring(reason.replaceAll("\0", " ").replace(/\p{Cs}/gu, "\uFFFD"));
  w.end(at);
}

function tooManyParameters(n: number): InterfaceError {
  return new InterfaceError(
    `too many parameters: ${n} given, but the PostgreSQL protocol allows at most 65535 per statement; ` +
      "split the statement, or pass an array as a single parameter (e.g. = ANY($1))",
  );
}
