// bytea: text form → Uint8Array, and bytes → PG's hex text (for array elements and literals;
// bytea parameters themselves go out in binary). Plain Uint8Array throughout so the code runs in
// browsers (no Buffer).

import { DataError } from "../errors.js";

const HEX_DIGITS = "0123456789abcdef";
const BYTE_TO_HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!);

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87; // a-f
  return -1;
}

/**
 * Parses bytea text in either output format: hex ("\x00ff", the default since PG 9.0) or
 * escape (bytea_output = escape: printable ASCII as is, "\\" for a backslash, "\nnn" octal for
 * the rest).
 */
export function parseBytea(text: string): Uint8Array {
  return text.startsWith("\\x") ? parseHex(text) : parseEscape(text);
}

function parseHex(text: string): Uint8Array {
  const out = new Uint8Array((text.length - 2) >> 1);
  let n = 0;
  for (let i = 2; i < text.length; ) {
    // PG's hex input tolerates whitespace between digit pairs.
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const hi = hexValue(c);
    const lo = hexValue(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) throw new DataError(`invalid hexadecimal bytea at offset ${i}`);
    out[n++] = (hi << 4) | lo;
    i += 2;
  }
  return n === out.length ? out : out.slice(0, n);
}

function parseEscape(text: string): Uint8Array {
  const out = new Uint8Array(text.length); // never longer than its text
  let n = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c !== 92 /* \ */) {
      if (c > 0xff) throw new DataError("bytea escape format contains a non-byte character");
      out[n++] = c;
      i++;
    } else if (text.charCodeAt(i + 1) === 92) {
      out[n++] = 92;
      i += 2;
    } else {
      const octal = text.slice(i + 1, i + 4);
      if (!/^[0-3][0-7][0-7]$/.test(octal)) {
        throw new DataError(`invalid bytea escape at offset ${i}`);
      }
      out[n++] = parseInt(octal, 8);
      i += 4;
    }
  }
  return out.slice(0, n);
}

/** Lower-case hex digits of the bytes, without the "\x" prefix. */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += BYTE_TO_HEX[bytes[i]!];
  return hex;
}

/**
 * The bytes behind an ArrayBuffer, SharedArrayBuffer or any ArrayBuffer view (Uint8Array,
 * Node's Buffer, DataView, Int32Array, …) as a Uint8Array over the same memory, or undefined
 * for anything else.
 */
export function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer) {
    return new Uint8Array(value);
  }
  return undefined;
}
