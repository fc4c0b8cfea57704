import { describe, expect, it } from "vitest";
import { identifier } from "../../src/native/identifier.js";
import { expectInterfaceError } from "./expect-interface-error.js";

describe("identifier", () => {
  it("always quotes, keeping case", () => {
    expect(identifier("abc")).toBe('"abc"');
    expect(identifier("ABC")).toBe('"ABC"');
    expect(identifier("select")).toBe('"select"');
  });

  it("doubles embedded double quotes", () => {
    expect(identifier('a"b')).toBe('"a""b"');
    expect(identifier('"')).toBe('""""');
    expect(identifier('""x')).toBe('"""""x"');
  });

  it("keeps everything else verbatim, 4-byte characters included", () => {
    expect(identifier("a b'c$d")).toBe('"a b\'c$d"');
    expect(identifier("𝄞 名前")).toBe('"𝄞 名前"');
  });

  it("rejects what cannot be an identifier", () => {
    expectInterfaceError(() => identifier(1 as unknown as string), "identifier must be a string");
    expectInterfaceError(() => identifier(null as unknown as string), "identifier must be a string");
    expectInterfaceError(() => identifier(""), "identifier must be > 0 characters in length");
    expectInterfaceError(() => identifier("a\0b"), "identifier cannot contain the code zero character");
  });
});
