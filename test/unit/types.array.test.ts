import { describe, expect, test } from "vitest";
import { DataError, InterfaceError } from "../../src/errors.js";
import { formatArray, parseArray, quoteArrayElement } from "../../src/types/array.js";

const asNumber = (s: string) => Number(s);

describe("parseArray", () => {
  test("flat, empty, nested", () => {
    expect(parseArray("{1,2,3}", asNumber)).toEqual([1, 2, 3]);
    expect(parseArray("{}")).toEqual([]);
    expect(parseArray("{{1,2},{3,4}}", asNumber)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(parseArray("{{{a}},{{b}}}")).toEqual([[["a"]], [["b"]]]);
  });

  test("unquoted NULL is null; quoted NULL and other spellings are strings", () => {
    expect(parseArray('{a,NULL,"NULL",null,"null",NULLx}')).toEqual(["a", null, "NULL", null, "null", "NULLx"]);
    // The element decoder never sees SQL NULL.
    expect(parseArray("{1,NULL}", asNumber)).toEqual([1, null]);
  });

  test("quoting and backslash escapes", () => {
    // What PG prints for array['', ' x', 'a"b', 'c\d', '{', 'a,b', 'tab<TAB>here']::text[]
    const text = '{""," x","a\\"b","c\\\\d","{","a,b","tab\there"}';
    expect(parseArray(text)).toEqual(["", " x", 'a"b', "c\\d", "{", "a,b", "tab\there"]);
    // Backslash escapes are also honoured outside quotes (PG input accepts them).
    expect(parseArray("{a\\,b,c}")).toEqual(["a,b", "c"]);
  });

  test("unicode, including 4-byte characters", () => {
    expect(parseArray('{é😀,"😀 😀",日本}')).toEqual(["é😀", "😀 😀", "日本"]);
  });

  test("spaces around unquoted elements are not part of them", () => {
    expect(parseArray("{ 1 , 2 }", asNumber)).toEqual([1, 2]);
    expect(parseArray('{ "a" , b }')).toEqual(["a", "b"]);
  });

  test("explicit lower bounds are skipped: JS arrays always start at 0", () => {
    expect(parseArray("[0:1]={1,2}", asNumber)).toEqual([1, 2]);
    expect(parseArray("[0:1][1:1]={{1},{2}}", asNumber)).toEqual([[1], [2]]);
    expect(parseArray('[-2:-1]={"a b",NULL}')).toEqual(["a b", null]);
  });

  test("box[] uses ';' between elements (boxes contain commas)", () => {
    expect(parseArray("{(1,1),(0,0);(2,2),(1,1)}", undefined, ";")).toEqual(["(1,1),(0,0)", "(2,2),(1,1)"]);
  });

  test("quoted elements go through the element decoder unescaped", () => {
    // A jsonb[] as PG prints it.
    expect(parseArray('{"{\\"a\\": 1}","null","\\"s\\""}', JSON.parse)).toEqual([{ a: 1 }, null, "s"]);
    // A range[]: the quotes protect the commas inside each range.
    expect(parseArray('{"[1,3)",empty}')).toEqual(["[1,3)", "empty"]);
  });

  test("malformed literals → DataError", () => {
    for (const bad of ["", "1,2", "{1,2", '{"a}', "{1,,2}", "{1}x", "{{1},2", "[0:1]{1}", '{a"b}']) {
      expect(() => parseArray(bad), bad).toThrow(DataError);
    }
  });
});

describe("quoteArrayElement", () => {
  test.each([
    ["abc", "abc"],
    ["", '""'],
    ["NULL", '"NULL"'],
    ["null", '"null"'],
    ["a b", '"a b"'],
    ["a,b", '"a,b"'],
    ["a;b", '"a;b"'],
    ["{x}", '"{x}"'],
    ['a"b', '"a\\"b"'],
    ["c\\d", '"c\\\\d"'],
    ["tab\t", '"tab\t"'],
    ["é😀", "é😀"],
  ])("%j → %s", (input, expected) => {
    expect(quoteArrayElement(input)).toBe(expected);
  });
});

describe("formatArray", () => {
  const text = (v: unknown) => (v === null ? null : Array.isArray(v) ? v : String(v));

  test("flat, nested, NULL, quoting", () => {
    expect(formatArray([1, 2, 3], text)).toBe("{1,2,3}");
    expect(
      formatArray(
        [
          [1, 2],
          [3, null],
        ],
        text,
      ),
    ).toBe("{{1,2},{3,NULL}}");
    expect(formatArray(["a b", 'q"', "NULL", null], text)).toBe('{"a b","q\\"","NULL",NULL}');
  });

  test("empty arrays, including only-empty sub-arrays (PG has no empty sub-arrays)", () => {
    expect(formatArray([], text)).toBe("{}");
    expect(formatArray([[], []], text)).toBe("{}");
  });

  test("ragged or mixed nesting → InterfaceError", () => {
    expect(() => formatArray([[1, 2], [3]], text)).toThrow(InterfaceError);
    expect(() => formatArray([[1], 2], text)).toThrow(InterfaceError);
    expect(() => formatArray([1, [2]], text)).toThrow(InterfaceError);
    expect(() => formatArray([[], [1]], text)).toThrow(InterfaceError);
  });

  test("more than 6 dimensions → InterfaceError (also stops self-containing arrays)", () => {
    expect(() => formatArray([[[[[[[1]]]]]]], text)).toThrow(InterfaceError);
    const self: unknown[] = [];
    self.push(self);
    expect(() => formatArray(self, text)).toThrow(InterfaceError);
  });

  test("format → parse round trip of awkward strings", () => {
    const values = ["a", null, "NULL", "", " lead", "trail ", 'q"uote', "back\\slash", "{}", "a,b", "new\nline", "😀"];
    expect(parseArray(formatArray(values, text))).toEqual(values);
  });
});
