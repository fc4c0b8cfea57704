// Strings from wire bytes. Short ASCII is faster by hand than through TextDecoder's call
// overhead; longer or non-ASCII text goes to TextDecoder (fatal: off, so bad bytes become U+FFFD).

const decoder = new TextDecoder("utf-8");
const SHORT = 32;

export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= SHORT) {
    let s = "";
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return decoder.decode(bytes.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(bytes.subarray(start, end));
}

const encoder = new TextEncoder();
export function encodeUtf8(s: string): Uint8Array {
  return encoder.encode(s);
}
