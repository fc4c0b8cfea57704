import { describe, expect, test } from "vitest";
import { DataError } from "../../src/errors.js";
import { asBytes, bytesToHex, parseBytea } from "../../src/types/bytea.js";
import {
  parseBigint,
  parseBool,
  parseFloat8,
  parseInteger,
  parseIntegerVector,
  parseJson,
  parsePoint,
  parseUuid,
} from "../../src/types/decoders.js";
import { formatHstore, parseHstore } from "../../src/types/hstore.js";

describe("bytea", () => {
  test("hex format", () => {
    expect(parseBytea("\\x")).toEqual(new Uint8Array([]));
    expect(parseBytea("\\x00ff7F")).toEqual(new Uint8Array([0, 255, 127]));
  });

  test("escape format (bytea_output = escape)", () => {
    // PG prints bytes 00 ff 5c 22 27 0a 61 as: \000\377\\"'\012a
    expect(parseBytea("\\000\\377\\\\\"'\\012a")).toEqual(new Uint8Array([0, 255, 92, 34, 39, 10, 97]));
    expect(parseBytea("abc")).toEqual(new Uint8Array([97, 98, 99]));
    expect(parseBytea("")).toEqual(new Uint8Array([]));
  });

  test("malformed → DataError", () => {
    for (const bad of ["\\x0", "\\xzz", "\\9", "\\", "€"]) expect(() => parseBytea(bad), bad).toThrow(DataError);
  });

  test("bytesToHex", () => {
    expect(bytesToHex(new Uint8Array([0, 1, 171, 255]))).toBe("0001abff");
  });

  test("asBytes views every binary container without copying", () => {
    const buf = new ArrayBuffer(4);
    new Uint8Array(buf).set([1, 2, 3, 4]);
    expect(asBytes(buf)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(asBytes(new DataView(buf, 1, 2))).toEqual(new Uint8Array([2, 3]));
    expect(asBytes(new Uint16Array(buf, 2, 1))).toEqual(new Uint8Array([3, 4]));
    const u8 = new Uint8Array([9]);
    expect(asBytes(u8)).toBe(u8);
    expect(asBytes("ab")).toBeUndefined();
    expect(asBytes([1, 2])).toBeUndefined();
  });
});

describe("scalar decoders", () => {
  test("bool", () => {
    expect(parseBool("t")).toBe(true);
    expect(parseBool("f")).toBe(false);
    expect(() => parseBool("yes")).toThrow(DataError);
  });

  test("integers and bigint", () => {
    expect(parseInteger("-32768")).toBe(-32768);
    expect(parseInteger("4294967295")).toBe(4294967295); // oid max
    expect(() => parseInteger("1.5")).toThrow(DataError);
    expect(() => parseInteger("")).toThrow(DataError);
    expect(parseBigint("9223372036854775807")).toBe(9223372036854775807n);
    expect(parseBigint("-9223372036854775808")).toBe(-9223372036854775808n);
    expect(() => parseBigint("x")).toThrow(DataError);
  });

  test("floats keep NaN and the infinities", () => {
    expect(parseFloat8("1.5")).toBe(1.5);
    expect(parseFloat8("-1e-07")).toBe(-1e-7);
    expect(parseFloat8("NaN")).toBeNaN();
    expect(parseFloat8("Infinity")).toBe(Infinity);
    expect(parseFloat8("-Infinity")).toBe(-Infinity);
    expect(Object.is(parseFloat8("-0"), -0)).toBe(true);
    expect(() => parseFloat8("abc")).toThrow(DataError);
  });

  test("json", () => {
    expect(parseJson('{"a": [1, "x"]}')).toEqual({ a: [1, "x"] });
    expect(parseJson("null")).toBeNull();
    expect(() => parseJson("{")).toThrow(DataError);
  });

  test("uuid is lower-cased", () => {
    expect(parseUuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")).toBe("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  });

  test("point", () => {
    expect(parsePoint("(1.5,2)")).toEqual({ x: 1.5, y: 2 });
    expect(parsePoint("(-1,1e+300)")).toEqual({ x: -1, y: 1e300 });
    expect(() => parsePoint("1,2")).toThrow(DataError);
  });

  test("int2vector / oidvector", () => {
    expect(parseIntegerVector("1 2 3")).toEqual([1, 2, 3]);
    expect(parseIntegerVector("")).toEqual([]);
  });
});

describe("hstore", () => {
  test("parses the extension's text form", () => {
    // What PG prints for hstore(array['a','b','c"q','d\e',' '], array['1',NULL,'x=>y','','v'])
    const text = '" "=>"v", "a"=>"1", "b"=>NULL, "c\\"q"=>"x=>y", "d\\\\e"=>""';
    expect(parseHstore(text)).toEqual({ " ": "v", a: "1", b: null, 'c"q': "x=>y", "d\\e": "" });
  });

  test("empty, unquoted items, a quoted NULL string", () => {
    expect(parseHstore("")).toEqual({});
    expect(parseHstore("a=>1, b=>NULL")).toEqual({ a: "1", b: null });
    expect(parseHstore('"a"=>"NULL"')).toEqual({ a: "NULL" });
  });

  test("a __proto__ key is data, not a prototype change", () => {
    const map = parseHstore('"__proto__"=>"p"');
    // The prototype is the one every decoded hstore has (its toPostgres), not the key's value.
    expect(Object.getPrototypeOf(map)).toBe(Object.getPrototypeOf(parseHstore("")));
    expect(Object.getPrototypeOf(Object.getPrototypeOf(map))).toBe(Object.prototype);
    expect(Object.keys(map)).toEqual(["__proto__"]);
    // biome-ignore lint/suspicious/noProto: the hstore key "__proto__" must stay an own key
    expect(map.__proto__).toBe("p");
  });

  test("malformed → DataError", () => {
    for (const bad of ['"a"', '"a"=>', '"a"=>"1" "b"=>"2"', '"a=>"1"']) {
      expect(() => parseHstore(bad), bad).toThrow(DataError);
    }
  });

  test("formatHstore → parseHstore round trip", () => {
    const map = { a: "1", b: null, 'q"': "x\\y", "": " " };
    expect(formatHstore(map)).toBe('"a"=>"1", "b"=>NULL, "q\\""=>"x\\\\y", ""=>" "');
    expect(parseHstore(formatHstore(map))).toEqual(map);
  });
});
