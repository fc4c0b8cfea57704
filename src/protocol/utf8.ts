// Strings from wire bytes, once per text value of a result: the hottest string code there is.
// V8 keeps a string grown with += beyond 12 characters as a chain of pieces (more memory, more
// GC work), so only very short ASCII is built by hand. Longer text goes to Node's native UTF-8
// slice (flat strings, no copy) or, in browsers, fromCharCode for short ASCII and TextDecoder
// for the rest. Bad bytes become U+FFFD everywhere.

const decoder = new TextDecoder("utf-8");
const BY_HAND = 12;
const FROM_CHAR_CODES = 48;

type Utf8Slice = (this: Uint8Array, start: number, end: number) => string;
/** Buffer#utf8Slice where Node's Buffer exists (read off globalThis: browsers have none). */
const nodeUtf8Slice = (globalThis as { Buffer?: { prototype: { utf8Slice?: Utf8Slice } } }).Buffer?.prototype.utf8Slice;

export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= BY_HAND) {
    let s = "";
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return decoder.decode(bytes.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  if (nodeUtf8Slice !== undefined) return nodeUtf8Slice.call(bytes, start, end);
  if (n <= FROM_CHAR_CODES) {
    const slice = bytes.subarray(start, end);
    for (let i = 0; i < n; i++) if (slice[i]! >= 0x80) return decoder.decode(slice);
    return String.fromCharCode.apply(null, slice as unknown as number[]);
  }
  return decoder.decode(bytes.subarray(start, end));
}

const encoder = new TextEncoder();
export function encodeUtf8(s: string): Uint8Array {
  return encoder.encode(s);
}
