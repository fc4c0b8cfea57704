// Byte helpers for the auth code. Deliberately free of Buffer so the same code runs in browsers.

const utf8Encoder = new TextEncoder();

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return utf8Encoder.encode(text);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  if (a.length !== b.length) throw new RangeError("xorBytes: lengths differ");
  return Uint8Array.from(a, (byte, i) => byte ^ b[i]!);
}

/** Compares without an early exit so the time taken does not reveal where the first difference is. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUES = new Map([...BASE64_ALPHABET].map((ch, i) => [ch, i]));
// Standard alphabet, padded, no whitespace: the only form SCRAM (RFC 5802 §7) allows.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function base64Encode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < 4; j++) {
      out += j < chars ? BASE64_ALPHABET[(chunk >> (18 - 6 * j)) & 63] : "=";
    }
  }
  return out;
}

/** Decodes strict padded base64; returns undefined for anything else so callers can word the error. */
export function base64Decode(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!STRICT_BASE64.test(text)) return undefined;
  const digits = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((digits.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const ch of digits) {
    acc = ((acc << 6) | BASE64_VALUES.get(ch)!) & 0xffff; // only the pending bits matter
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
