import { describe, expect, test } from "vitest";
import { InterfaceError } from "../../src/errors.js";
import { PGInterval } from "../../src/types/interval.js";
import { literal, quoteString } from "../../src/types/literal.js";
import { Range } from "../../src/types/range.js";

describe("literal()", () => {
  test("NULL and booleans", () => {
    expect(literal(null)).toBe("NULL");
    expect(literal(undefined)).toBe("NULL");
    expect(literal(true)).toBe("TRUE");
    expect(literal(false)).toBe("FALSE");
  });

  test("numbers and bigints are bare; negatives start with a space so '-' + '-1' is no comment", () => {
    expect(literal(42)).toBe("42");
    expect(literal(1.5)).toBe("1.5");
    expect(literal(-1)).toBe(" -1");
    expect(`SELECT 5-${literal(-1)}`).toBe("SELECT 5- -1");
    expect(literal(2n ** 70n)).toBe("1180591620717411303424");
    expect(literal(-5n)).toBe(" -5");
  });

  test("non-finite numbers and -0 are float8 strings", () => {
    expect(literal(NaN)).toBe("'NaN'::float8");
    expect(literal(Infinity)).toBe("'Infinity'::float8");
    expect(literal(-Infinity)).toBe("'-Infinity'::float8");
    expect(literal(-0)).toBe("'-0'::float8");
  });

  test("strings: quotes doubled; E'' with doubled backslashes when there is a backslash", () => {
    expect(literal("abc")).toBe("'abc'");
    expect(literal("it's")).toBe("'it''s'");
    expect(literal("")).toBe("''");
    expect(literal("a\\b")).toBe("E'a\\\\b'");
    expect(literal("\\'; DROP TABLE t; --")).toBe("E'\\\\''; DROP TABLE t; --'");
    expect(literal("é😀")).toBe("'é😀'");
  });

  test("bytes → bytea hex", () => {
    expect(literal(new Uint8Array([0, 1, 255]))).toBe("E'\\\\x0001ff'::bytea");
    expect(literal(new Uint8Array([]))).toBe("E'\\\\x'::bytea");
  });

  test("Date, PGInterval, Range, arrays and objects are quoted text", () => {
    expect(literal(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe("'2024-01-02T03:04:05.006Z'");
    expect(literal(new PGInterval({ months: 1, days: 2, microseconds: 3_000_000n }))).toBe("'1 mon 2 days 00:00:03'");
    expect(literal(new Range(1, 10))).toBe("'[1,10)'");
    expect(literal([1, 2, null])).toBe("'{1,2,NULL}'");
    expect(literal([["it's", "a b"]])).toBe(`'{{it''s,"a b"}}'`);
    expect(literal(["back\\slash"])).toBe(`E'{"back\\\\\\\\slash"}'`);
    expect(literal({ a: "it's" })).toBe(`'{"a":"it''s"}'`);
  });

  test("toPostgres() is honoured", () => {
    expect(literal({ toPostgres: () => "x" })).toBe("'x'");
    expect(literal({ toPostgres: () => null })).toBe("NULL");
  });

  test("unsendable values → InterfaceError", () => {
    expect(() => literal(Symbol("s"))).toThrow(InterfaceError);
    expect(() => literal(() => 1)).toThrow(InterfaceError);
  });
});

describe("quoteString", () => {
  test("standard and escape forms", () => {
    expect(quoteString("a'b")).toBe("'a''b'");
    expect(quoteString("a\\'b")).toBe("E'a\\\\''b'");
  });
});
