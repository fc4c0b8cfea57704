// SASLprep: the RFC 4013 §3 examples, PostgreSQL's reading of the profile, and the raw fallback.

import { describe, expect, it } from "vitest";
import { saslprep, saslprepOrRaw } from "../../src/core/auth/index.js";
import { InterfaceError } from "../../src/errors.js";

describe("RFC 4013 §3 examples", () => {
  it.each([
    ["I\u00ADX", "IX"], // soft hyphen mapped to nothing
    ["user", "user"],
    ["USER", "USER"], // no case folding
    ["\u00AA", "a"], // NFKC
    ["\u2168", "IX"], // NFKC
  ])("saslprep(%j) = %j", (input, output) => {
    expect(saslprep(input)).toBe(output);
  });

  it("rejects U+0007 as a prohibited character", () => {
    expect(() => saslprep("\u0007")).toThrow(InterfaceError);
    expect(() => saslprep("\u0007")).toThrow(/prohibited/);
  });

  it("rejects U+0627 U+0031 in the bidi check", () => {
    expect(() => saslprep("\u0627\u0031")).toThrow(/bidirectional/);
  });
});

describe("saslprep details", () => {
  it("maps non-ASCII spaces to U+0020 and removes B.1 characters", () => {
    expect(saslprep("a\u00A0b\u3000c")).toBe("a b c");
    expect(saslprep("a\u200Bb")).toBe("a b"); // in both tables: space wins, as in PostgreSQL
    expect(saslprep("a\uFEFFb\uFE0F")).toBe("ab");
  });

  it("keeps ordinary text and composes to NFKC", () => {
    expect(saslprep("")).toBe("");
    expect(saslprep("pässwörd")).toBe("pässwörd");
    expect(saslprep("pa\u0308sswo\u0308rd")).toBe("pässwörd");
    expect(saslprep("\uFB01")).toBe("fi");
    expect(saslprep("\u65E5\u672C")).toBe("\u65E5\u672C");
  });

  it("accepts well-formed right-to-left strings", () => {
    expect(saslprep("\u0627\u0628")).toBe("\u0627\u0628");
    expect(saslprep("\u05D0 1 \u05D1")).toBe("\u05D0 1 \u05D1"); // neutral and digits inside are fine
  });

  it("rejects right-to-left strings mixing in left-to-right characters", () => {
    expect(() => saslprep("\u0627a\u0628")).toThrow(/bidirectional/);
    expect(() => saslprep("1\u0627")).toThrow(/bidirectional/);
  });

  it.each([
    ["control character", "a\u0000b"],
    ["C.2.2 control", "a\u0085b"],
    ["private use", "a\uE000b"],
    ["non-character", "a\uFFFEb"],
    ["lone surrogate", "a\uD800b"],
    ["tagging character", "a\u{E0041}b"],
    ["change of display property", "a\u200Eb"],
    ["unassigned in Unicode 3.2", "a\u0221b"],
    ["assigned after 3.2, checked before NFKC as PostgreSQL does", "\u{1F130}"],
    ["only characters mapped to nothing", "\u00AD\u200D"],
  ])("rejects a %s", (_what, input) => {
    expect(() => saslprep(input)).toThrow(InterfaceError);
  });

  it("does not put the rejected text in the error message", () => {
    const secret = "hunter2\u0007";
    try {
      saslprep(secret);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain("hunter2");
    }
  });
});

describe("saslprepOrRaw", () => {
  it("returns the prepared string when SASLprep accepts the input", () => {
    expect(saslprepOrRaw("I\u00ADX")).toBe("IX");
    expect(saslprepOrRaw("\u2168")).toBe("IX");
  });

  it("returns the input unchanged when SASLprep rejects it, as PostgreSQL does", () => {
    for (const raw of ["\u0007", "\u0627\u0031", "I\u00ADX\u0007", "\u00AD", "\u{1F130}", "a\uD800"]) {
      expect(saslprepOrRaw(raw)).toBe(raw);
    }
  });
});
