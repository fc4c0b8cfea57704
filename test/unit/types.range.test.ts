import { describe, expect, test } from "vitest";
import { DataError, InterfaceError } from "../../src/errors.js";
import { formatRange, parseMultirange, parseRange, Range, splitMultirange } from "../../src/types/range.js";

describe("Range", () => {
  test("defaults follow PostgreSQL: [) bounds, not empty", () => {
    const r = new Range(1, 10);
    expect([r.lower, r.upper, r.bounds, r.is_empty]).toEqual([1, 10, "[)", false]);
    expect(new Range().toString()).toBe("[,)");
  });

  test("toString writes PG range literals", () => {
    expect(new Range(1, 10).toString()).toBe("[1,10)");
    expect(new Range(null, 5, "(]").toString()).toBe("(,5]");
    expect(new Range(1.5, null, "[]").toString()).toBe("[1.5,]");
    expect(new Range(null, null, "[)", true).toString()).toBe("empty");
    expect(new Range(1n, 2n).toString()).toBe("[1,2)");
    expect(new Range(new Date(Date.UTC(2024, 0, 1)), null).toString()).toBe("[2024-01-01T00:00:00.000Z,)");
  });

  test("bounds that the range parser would misread are quoted", () => {
    expect(new Range("a b", "c").toString()).toBe('["a b",c)');
    expect(new Range("", "x").toString()).toBe('["",x)'); // empty text is not "unbounded"
    expect(new Range('a"b', "c\\d").toString()).toBe('["a\\"b","c\\\\d")');
    expect(new Range("a,b", "(z)").toString()).toBe('["a,b","(z)")');
  });

  test("bad bounds → InterfaceError", () => {
    expect(() => new Range(1, 2, "<>" as never)).toThrow(InterfaceError);
  });

  test("equals: empties equal each other; otherwise bounds and ends, Dates by time", () => {
    expect(new Range(1, 2).equals(new Range(1, 2))).toBe(true);
    expect(new Range(1, 2).equals(new Range(1, 2, "[]"))).toBe(false);
    expect(new Range(1, 2, "[)", true).equals(new Range(5, 6, "()", true))).toBe(true);
    expect(new Range(1, 2).equals(new Range(1, 2, "[)", true))).toBe(false);
    expect(new Range(new Date(0), null).equals(new Range(new Date(0), null))).toBe(true);
    expect(new Range(1n, 2n).equals(new Range(1n, 2n))).toBe(true);
    // No canonicalising: [1,3) and [1,2] are equal ranges in PG but not as written.
    expect(new Range(1, 3).equals(new Range(1, 2, "[]"))).toBe(false);
  });

  test("formatRange uses the given bound formatter", () => {
    expect(formatRange(new Range(1, 2), (v) => `<${String(v)}>`)).toBe("[<1>,<2>)");
    expect(formatRange(new Range(1, 2), (v) => `${String(v)} x`)).toBe('["1 x","2 x")');
  });
});

describe("parseRange", () => {
  const int = (s: string) => Number(s);

  test("plain, infinite and empty", () => {
    expect(parseRange("[1,10)", int)).toEqual(new Range(1, 10, "[)"));
    expect(parseRange("(,6)", int)).toEqual(new Range(null, 6, "()"));
    expect(parseRange("[1.5,)")).toEqual(new Range("1.5", null, "[)"));
    expect(parseRange("(,)")).toEqual(new Range(null, null, "()"));
    expect(parseRange("empty")).toEqual(new Range(null, null, "[)", true));
  });

  test("quoted bounds with spaces, doubled quotes and backslashes", () => {
    expect(parseRange('["2024-01-01 00:00:00+00","2024-01-02 00:00:00+00")')).toEqual(
      new Range("2024-01-01 00:00:00+00", "2024-01-02 00:00:00+00"),
    );
    // PG prints a quote inside a bound as "" and a backslash as \\.
    expect(parseRange('["a""b","c\\\\d")')).toEqual(new Range('a"b', "c\\d"));
    expect(parseRange('["a\\"b",)')).toEqual(new Range('a"b', null));
    expect(parseRange('["",x)')).toEqual(new Range("", "x"));
    // "empty" is only special as the whole literal.
    expect(parseRange("(,empty)")).toEqual(new Range(null, "empty", "()"));
  });

  test("infinity bounds are values, decoded by the element decoder", () => {
    expect(parseRange("[-infinity,infinity]")).toEqual(new Range("-infinity", "infinity", "[]"));
  });

  test("malformed → DataError", () => {
    for (const bad of ["", "[1,2", "1,2)", "[1,2,3)", "{1,2}", "[1,2)x"]) {
      expect(() => parseRange(bad), bad).toThrow(DataError);
    }
  });
});

describe("multiranges", () => {
  test("split and parse", () => {
    expect(splitMultirange("{[1,3),[5,7)}")).toEqual(["[1,3)", "[5,7)"]);
    expect(splitMultirange("{}")).toEqual([]);
    expect(splitMultirange('{["a,b","c)"),(,z]}')).toEqual(['["a,b","c)")', "(,z]"]);
    expect(parseMultirange("{[1,3),[5,7)}", Number)).toEqual([new Range(1, 3), new Range(5, 7)]);
    expect(parseMultirange('{["2024-01-01 00:00:00","2024-01-02 00:00:00")}')).toEqual([
      new Range("2024-01-01 00:00:00", "2024-01-02 00:00:00"),
    ]);
  });

  test("malformed → DataError", () => {
    expect(() => splitMultirange("[1,3)")).toThrow(DataError);
  });
});
