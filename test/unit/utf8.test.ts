import { describe, expect, it } from "vitest";
import { decodeUtf8 } from "../../src/protocol/utf8.js";

const enc = new TextEncoder();

describe("decodeUtf8", () => {
  it.each([
    "",
    "a",
    "twelve chars",
    "thirteen char",
    "x".repeat(48),
    "y".repeat(49),
    "z".repeat(5000),
    "é",
    "naïve café 💾 ünïcode text that is long",
  ])("decodes %j from the middle of a buffer", (text) => {
    const bytes = enc.encode(`<<${text}>>`);
    expect(decodeUtf8(bytes, 2, bytes.length - 2)).toBe(text);
  });

  it("replaces invalid bytes with U+FFFD at every length", () => {
    for (const n of [1, 12, 13, 48, 49, 200]) {
      const bytes = new Uint8Array(n).fill(0x61);
      bytes[n - 1] = 0xff;
      expect(decodeUtf8(bytes, 0, n)).toBe(`${"a".repeat(n - 1)}\ufffd`);
    }
  });
});
