// Just enough of Node's Buffer for pg-protocol's Parser, pg's Result and pg-types in a browser
// (node-postgres needs a Buffer polyfill there). Deliberately quick: short ASCII is decoded with
// a loop and anything else with one TextDecoder, the fastest mix measured in
// /work/shared/research/bridge-wasm.md §4.2, so pg's browser numbers are not held back by a
// slow polyfill.

const utf8 = new TextDecoder("utf-8");

export class ShimBuffer extends Uint8Array {
  static allocUnsafe(n) {
    return new ShimBuffer(n);
  }
  static alloc(n) {
    return new ShimBuffer(n);
  }
  /** @override */
  static from(data, offset, length) {
    if (data instanceof ArrayBuffer)
      return new ShimBuffer(data, offset ?? 0, length ?? data.byteLength - (offset ?? 0));
    if (typeof data === "string") return new ShimBuffer(new TextEncoder().encode(data).buffer);
    const b = new ShimBuffer(data.length);
    b.set(data);
    return b;
  }
  static isBuffer(x) {
    return x instanceof ShimBuffer;
  }
  readInt16BE(o) {
    const v = (this[o] << 8) | this[o + 1];
    return v & 0x8000 ? v - 0x10000 : v;
  }
  readUInt16BE(o) {
    return (this[o] << 8) | this[o + 1];
  }
  readInt32BE(o) {
    return (this[o] << 24) | (this[o + 1] << 16) | (this[o + 2] << 8) | this[o + 3];
  }
  readUInt32BE(o) {
    return ((this[o] << 24) | (this[o + 1] << 16) | (this[o + 2] << 8) | this[o + 3]) >>> 0;
  }
  /** @override Buffer#slice is a view, unlike Uint8Array#slice. */
  slice(start = 0, end = this.length) {
    return new ShimBuffer(this.buffer, this.byteOffset + start, Math.max(0, Math.min(end, this.length) - start));
  }
  copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
    target.set(this.subarray(sourceStart, sourceEnd), targetStart);
    return sourceEnd - sourceStart;
  }
  /** @override */
  toString(_encoding = "utf8", start = 0, end = this.length) {
    if (end - start <= 32) {
      let s = "";
      for (let i = start; i < end; i++) {
        const c = this[i];
        if (c >= 0x80) return utf8.decode(this.subarray(start, end));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return utf8.decode(this.subarray(start, end));
  }
}

export function installBuffer() {
  globalThis.Buffer = /** @type {any} */ (ShimBuffer);
}
