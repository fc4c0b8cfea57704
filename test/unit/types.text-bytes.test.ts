// The byte-level text decoders must give exactly what the string decoders give.
import { describe, expect, test } from "vitest";
import { TypeRegistry } from "../../src/types/registry.js";
import { byteDecoder, NOT_FAST } from "../../src/types/text-bytes.js";

const registry = new TypeRegistry();
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("text values read from bytes agree with the string decoders", () => {
  test.each([
    [23, ["0", "-1", "2147483647", "-2147483648", "42"]],
    [21, ["-32768", "32767"]],
    [26, ["4294967295", "0"]],
    [
      20,
      ["0", "-9223372036854775808", "9223372036854775807", "123456789012345", "-999999999999999", "1000000000000000"],
    ],
    [16, ["t", "f"]],
    [
      1184,
      [
        "2024-01-02 03:04:05.123456+05:30",
        "1970-01-01 00:00:00+00",
        "1900-01-01 00:00:00-04:56:02",
        "infinity",
        "0044-03-15 12:00:00+00 BC",
      ],
    ],
    [1114, ["2024-02-29 23:59:59.999999", "-infinity", "12024-01-01 00:00:00"]],
  ])("oid %i", (oid, values) => {
    const fromBytes = byteDecoder(oid)!;
    const fromText = registry.textDecoder(oid)!;
    for (const text of values) {
      const b = bytes(`xx${text}yy`);
      const fast = fromBytes(b, 2, b.length - 2);
      // either the same value, or "not fast" for the string path to handle
      expect(fast === NOT_FAST ? fromText(text) : fast).toEqual(fromText(text));
    }
  });

  test("the common forms really take the fast path", () => {
    expect(byteDecoder(23)!(bytes("-42"), 0, 3)).toBe(-42);
    expect(byteDecoder(20)!(bytes("42"), 0, 2)).toBe(42n);
    expect(byteDecoder(16)!(bytes("t"), 0, 1)).toBe(true);
    expect(byteDecoder(1184)!(bytes("2024-01-02 03:04:05+00"), 0, 22)).toEqual(new Date("2024-01-02T03:04:05Z"));
    expect(byteDecoder(1184)!(bytes("Tue Jan 02 03:04:05 2024 EST"), 0, 28)).toBe(NOT_FAST);
    expect(byteDecoder(20)!(bytes("9223372036854775807"), 0, 19)).toBe(NOT_FAST);
  });
});
