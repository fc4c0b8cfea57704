import { describe, expect, test } from "vitest";
import { InterfaceError } from "../../src/errors.js";
import { PGInterval } from "../../src/types/interval.js";
import * as oids from "../../src/types/oids.js";
import { Range } from "../../src/types/range.js";
import { TypeRegistry } from "../../src/types/registry.js";

/** Decodes like the core: no decoder means the text is the value. */
function decode(reg: TypeRegistry, oid: number, text: string): unknown {
  const d = reg.textDecoder(oid);
  return d === undefined ? text : d(text);
}

describe("OID constants", () => {
  test("pg8000's names and values", () => {
    expect([oids.BIGINT, oids.BOOLEAN, oids.BYTES, oids.CHAR, oids.FLOAT, oids.INTEGER, oids.JSONB]).toEqual([
      20, 16, 17, 1042, 701, 23, 3802,
    ]);
    expect([oids.NULLTYPE, oids.STRING, oids.VARCHAR, oids.UUID_TYPE, oids.UNKNOWN, oids.INT2VECTOR]).toEqual([
      -1, 1043, 1043, 2950, 705, 22,
    ]);
    expect([oids.INT4MULTIRANGE, oids.INT4MULTIRANGE_ARRAY, oids.TSTZRANGE_ARRAY]).toEqual([4451, 6150, 3911]);
  });

  test("ARRAY_ELEMENT covers the built-in arrays, and not the space-separated vectors", () => {
    const pairs: [number, number][] = [
      [1000, 16],
      [1005, 21],
      [1007, 23],
      [1016, 20],
      [1021, 700],
      [1022, 701],
      [1009, 25],
      [1015, 1043],
      [1014, 1042],
      [1231, 1700],
      [1182, 1082],
      [1183, 1083],
      [1115, 1114],
      [1185, 1184],
      [1187, 1186],
      [2951, 2950],
      [199, 114],
      [3807, 3802],
      [1001, 17],
      [1041, 869],
      [651, 650],
      [1040, 829],
      [775, 774],
      [791, 790],
      [1561, 1560],
      [1563, 1562],
      [3905, 3904],
      [3907, 3906],
      [6150, 4451],
      [1017, 600],
      [1006, 22],
      [1013, 30],
      [1028, 26],
      [1002, 18],
      [1003, 19],
      [1270, 1266],
      [2287, 2249],
      [1020, 603],
    ];
    for (const [array, element] of pairs) expect(oids.ARRAY_ELEMENT.get(array), String(array)).toBe(element);
    expect(oids.ARRAY_ELEMENT.has(22)).toBe(false);
    expect(oids.ARRAY_ELEMENT.has(30)).toBe(false);
  });
});

describe("TypeRegistry text decoding", () => {
  const reg = new TypeRegistry();

  test("types whose text is their value have no decoder", () => {
    // date (1082) is not among them: its text follows DateStyle (see types.session.test.ts).
    for (const oid of [25, 1043, 1042, 19, 18, 1700, 1083, 1266, 869, 650, 829, 790, 1560, 2249, 24, 2205, 5069]) {
      expect(reg.textDecoder(oid), String(oid)).toBeUndefined();
    }
    expect(reg.textDecoder(123456)).toBeUndefined();
  });

  test("scalars", () => {
    expect(decode(reg, 16, "t")).toBe(true);
    expect(decode(reg, 21, "-5")).toBe(-5);
    expect(decode(reg, 26, "4294967295")).toBe(4294967295);
    expect(decode(reg, 20, "9007199254740993")).toBe(9007199254740993n);
    expect(decode(reg, 700, "-Infinity")).toBe(-Infinity);
    expect(decode(reg, 1700, "123.4500")).toBe("123.4500");
    expect(decode(reg, 17, "\\x0aff")).toEqual(new Uint8Array([10, 255]));
    expect(decode(reg, 3802, '{"a": 1}')).toEqual({ a: 1 });
    expect(decode(reg, 2950, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")).toBe("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    expect(decode(reg, 1082, "0044-03-15 BC")).toBe("0044-03-15 BC");
    expect(decode(reg, 1114, "2024-01-02 03:04:05")).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    expect(decode(reg, 1184, "2024-01-02 08:34:05+05:30")).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    expect(decode(reg, 1186, "1 mon 2 days")).toEqual(new PGInterval({ months: 1, days: 2 }));
    expect(decode(reg, 600, "(1,2)")).toEqual({ x: 1, y: 2 });
    expect(decode(reg, 22, "1 2")).toEqual([1, 2]);
    expect(decode(reg, 30, "26 25")).toEqual([26, 25]);
  });

  test("arrays use their element's decoder", () => {
    expect(decode(reg, 1007, "{{1,2},{3,NULL}}")).toEqual([
      [1, 2],
      [3, null],
    ]);
    expect(decode(reg, 1016, "{9223372036854775807}")).toEqual([9223372036854775807n]);
    expect(decode(reg, 1000, "{t,f,NULL}")).toEqual([true, false, null]);
    expect(decode(reg, 1009, '{a,"NULL",NULL}')).toEqual(["a", "NULL", null]);
    expect(decode(reg, 1231, "{1.50,NaN}")).toEqual(["1.50", "NaN"]);
    expect(decode(reg, 1001, '{"\\\\x01ff"}')).toEqual([new Uint8Array([1, 255])]);
    expect(decode(reg, 3807, '{"{\\"a\\": 1}",null}')).toEqual([{ a: 1 }, null]);
    expect(decode(reg, 1185, '{"2024-01-01 00:00:00+00",infinity}')).toEqual([
      new Date(Date.UTC(2024, 0, 1)),
      Infinity,
    ]);
    expect(decode(reg, 1187, '{"1 day","-1 mons"}')).toEqual([
      new PGInterval({ days: 1 }),
      new PGInterval({ months: -1 }),
    ]);
    expect(decode(reg, 1017, '{"(1,2)"}')).toEqual([{ x: 1, y: 2 }]);
    expect(decode(reg, 1006, '{"1 2"}')).toEqual([[1, 2]]);
    expect(decode(reg, 1020, "{(1,1),(0,0);(2,2),(1,1)}")).toEqual(["(1,1),(0,0)", "(2,2),(1,1)"]);
    expect(decode(reg, 1007, "[0:1]={1,2}")).toEqual([1, 2]);
    expect(decode(reg, 1028, "{1,2}")).toEqual([1, 2]);
  });

  test("ranges and multiranges decode their bounds by subtype", () => {
    expect(decode(reg, 3904, "[1,10)")).toEqual(new Range(1, 10));
    expect(decode(reg, 3926, "(,6)")).toEqual(new Range(null, 6n, "()"));
    expect(decode(reg, 3906, "[1.5,)")).toEqual(new Range("1.5", null));
    expect(decode(reg, 3912, "[-infinity,infinity]")).toEqual(new Range("-infinity", "infinity", "[]"));
    expect(decode(reg, 3910, '["2024-01-01 00:00:00+00","2024-01-02 00:00:00+00")')).toEqual(
      new Range(new Date(Date.UTC(2024, 0, 1)), new Date(Date.UTC(2024, 0, 2))),
    );
    expect(decode(reg, 3908, '["2024-01-01 00:00:00",infinity)')).toEqual(
      new Range<Date | number>(new Date(Date.UTC(2024, 0, 1)), Infinity),
    );
    expect(decode(reg, 3904, "empty")).toEqual(new Range(null, null, "[)", true));
    expect(decode(reg, 4451, "{[1,3),[5,7)}")).toEqual([new Range(1, 3), new Range(5, 7)]);
    expect(decode(reg, 4535, "{}")).toEqual([]);
    expect(decode(reg, 3905, '{"[1,3)",empty}')).toEqual([new Range(1, 3), new Range(null, null, "[)", true)]);
    expect(decode(reg, 6157, '{"{[1,3)}"}')).toEqual([[new Range(1n, 3n)]]);
  });
});

describe("TypeRegistry in adapters", () => {
  test("an in adapter overrides the built-in decoder and is reported", () => {
    const reg = new TypeRegistry();
    expect(reg.hasInAdapter(1700)).toBe(false);
    reg.registerInAdapter(1700, Number);
    expect(reg.hasInAdapter(1700)).toBe(true);
    expect(decode(reg, 1700, "1.5")).toBe(1.5);
    reg.registerInAdapter(1184, (s) => `tz:${s}`);
    expect(decode(reg, 1184, "x")).toBe("tz:x");
  });

  test("element adapters apply inside arrays, ranges and multiranges", () => {
    const reg = new TypeRegistry();
    expect(decode(reg, 1231, "{1.5}")).toEqual(["1.5"]); // composed before the adapter…
    reg.registerInAdapter(1700, Number);
    expect(decode(reg, 1231, "{1.5,NULL}")).toEqual([1.5, null]); // …and recomposed after it
    expect(decode(reg, 3906, "[1.5,2)")).toEqual(new Range(1.5, 2));
    expect(decode(reg, 4532, "{[1.5,2)}")).toEqual([new Range(1.5, 2)]);
    reg.registerInAdapter(3904, (s) => `range:${s}`);
    expect(decode(reg, 4451, "{[1,3),[5,7)}")).toEqual(["range:[1,3)", "range:[5,7)"]);
  });

  test("adapters are per registry", () => {
    const a = new TypeRegistry();
    const b = new TypeRegistry();
    a.registerInAdapter(23, (s) => `a${s}`);
    expect(decode(a, 23, "1")).toBe("a1");
    expect(decode(b, 23, "1")).toBe(1);
  });
});

describe("TypeRegistry user types", () => {
  test("enum and composite stay text; arrays of them become string arrays", () => {
    const reg = new TypeRegistry();
    reg.registerUserType({ oid: 90001, kind: "enum", name: "mood" });
    reg.registerUserType({ oid: 90002, kind: "array", elementOid: 90001, name: "_mood" });
    expect(reg.textDecoder(90001)).toBeUndefined();
    expect(decode(reg, 90002, "{happy,sad}")).toEqual(["happy", "sad"]);
  });

  test("domains decode as their base type, also inside arrays", () => {
    const reg = new TypeRegistry();
    reg.registerUserType({ oid: 90010, kind: "domain", baseOid: 23, name: "posint" });
    reg.registerUserType({ oid: 90011, kind: "array", elementOid: 90010, name: "_posint" });
    expect(decode(reg, 90010, "5")).toBe(5);
    expect(decode(reg, 90011, "{5,NULL}")).toEqual([5, null]);
  });

  test("user ranges and multiranges (given the range type or the subtype)", () => {
    const reg = new TypeRegistry();
    reg.registerUserType({ oid: 90020, kind: "range", elementOid: 1700, name: "numr" });
    reg.registerUserType({ oid: 90021, kind: "multirange", elementOid: 90020, name: "nummr" });
    reg.registerUserType({ oid: 90022, kind: "multirange", elementOid: 20, name: "int8mr" });
    expect(decode(reg, 90020, "[1,2)")).toEqual(new Range("1", "2"));
    expect(decode(reg, 90021, "{[1,2)}")).toEqual([new Range("1", "2")]);
    expect(decode(reg, 90022, "{[1,2)}")).toEqual([new Range(1n, 2n)]);
  });

  test("hstore by name; array delimiter; a domain cycle does not hang", () => {
    const reg = new TypeRegistry();
    reg.registerUserType({ oid: 90030, kind: "base", name: "hstore" });
    reg.registerUserType({ oid: 90031, kind: "array", elementOid: 90030, name: "_hstore" });
    expect(decode(reg, 90030, '"a"=>"1"')).toEqual({ a: "1" });
    expect(decode(reg, 90031, '{"\\"a\\"=>NULL"}')).toEqual([{ a: null }]);
    reg.registerUserType({ oid: 90040, kind: "array", elementOid: 25, delimiter: ";", name: "_semi" });
    expect(decode(reg, 90040, "{a,b;c}")).toEqual(["a,b", "c"]);
    reg.registerUserType({ oid: 90050, kind: "domain", baseOid: 90051, name: "d1" });
    reg.registerUserType({ oid: 90051, kind: "domain", baseOid: 90050, name: "d2" });
    expect(reg.textDecoder(90050)).toBeUndefined();
  });

  test("an in adapter wins over a user type", () => {
    const reg = new TypeRegistry();
    reg.registerUserType({ oid: 90060, kind: "domain", baseOid: 23, name: "d" });
    reg.registerInAdapter(90060, (s) => `x${s}`);
    expect(decode(reg, 90060, "1")).toBe("x1");
  });
});

describe("TypeRegistry.encode", () => {
  const reg = new TypeRegistry();
  const enc = (v: unknown) => reg.encode(v);

  test("null and undefined", () => {
    expect(enc(null)).toEqual({ oid: 0, format: 0, data: null });
    expect(enc(undefined)).toEqual({ oid: 0, format: 0, data: null });
  });

  test("primitives", () => {
    expect(enc(true)).toEqual({ oid: 16, format: 0, data: "true" });
    expect(enc(false)).toEqual({ oid: 16, format: 0, data: "false" });
    expect(enc(42)).toEqual({ oid: 0, format: 0, data: "42" });
    expect(enc(-1.5)).toEqual({ oid: 0, format: 0, data: "-1.5" });
    expect(enc(NaN).data).toBe("NaN");
    expect(enc(Infinity).data).toBe("Infinity");
    expect(enc(-Infinity).data).toBe("-Infinity");
    expect(enc(-0).data).toBe("-0");
    expect(enc(1e21).data).toBe("1e+21"); // documented: fine for numeric/float, not for integers
    expect(enc(2n ** 63n - 1n)).toEqual({ oid: 20, format: 0, data: "9223372036854775807" });
    expect(enc("it's")).toEqual({ oid: 0, format: 0, data: "it's" });
  });

  test("bytes go binary as bytea, from any binary container", () => {
    const u8 = new Uint8Array([1, 2, 3]);
    expect(enc(u8)).toEqual({ oid: 17, format: 1, data: u8 });
    expect(enc(u8.buffer).data).toEqual(u8);
    expect(enc(new DataView(u8.buffer, 1)).data).toEqual(new Uint8Array([2, 3]));
  });

  test("Date → timestamptz ISO text; invalid → InterfaceError", () => {
    expect(enc(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toEqual({
      oid: 1184,
      format: 0,
      data: "2024-01-02T03:04:05.006Z",
    });
    expect(() => enc(new Date(NaN))).toThrow(InterfaceError);
  });

  test("PGInterval and Range", () => {
    expect(enc(new PGInterval({ months: 14, days: -3, microseconds: 1_500_000n }))).toEqual({
      oid: 1186,
      format: 0,
      data: "1 year 2 mons -3 days +00:00:01.5",
    });
    expect(enc(new Range(1, 10))).toEqual({ oid: 0, format: 0, data: "[1,10)" });
    expect(enc(new Range(null, null, "[)", true)).data).toBe("empty");
    expect(enc(new Range(new Date(Date.UTC(2024, 0, 1)), null, "[]")).data).toBe("[2024-01-01T00:00:00.000Z,]");
  });

  test("arrays: nested, NULLs, quoting, element rules", () => {
    expect(enc([1, 2, 3])).toEqual({ oid: 0, format: 0, data: "{1,2,3}" });
    expect(
      enc([
        [1, 2],
        [3, null],
      ]).data,
    ).toBe("{{1,2},{3,NULL}}");
    expect(enc(["a b", 'q"', "back\\slash", "NULL", "", null, undefined]).data).toBe(
      '{"a b","q\\"","back\\\\slash","NULL","",NULL,NULL}',
    );
    expect(enc([true, 2n, -0, NaN]).data).toBe("{true,2,-0,NaN}");
    expect(enc([new Uint8Array([1, 255])]).data).toBe('{"\\\\x01ff"}');
    expect(enc([new Date(Date.UTC(2024, 0, 1))]).data).toBe("{2024-01-01T00:00:00.000Z}");
    expect(enc([{ a: 1 }, { b: "x y" }]).data).toBe('{"{\\"a\\":1}","{\\"b\\":\\"x y\\"}"}');
    expect(enc([new PGInterval({ days: 1 })]).data).toBe('{"1 day"}');
    expect(enc([["é😀"]]).data).toBe("{{é😀}}");
    expect(enc([]).data).toBe("{}");
  });

  test("a list of ranges is a multirange literal (as in pg8000)", () => {
    expect(enc([new Range(1, 3), new Range(5, 7)]).data).toBe("{[1,3),[5,7)}");
    expect(enc([new Range("a b", null)]).data).toBe('{["a b",)}');
  });

  test("ragged arrays → InterfaceError", () => {
    expect(() => enc([[1, 2], [3]])).toThrow(InterfaceError);
    expect(() => enc([1, [2]])).toThrow(InterfaceError);
  });

  test("plain objects → JSON text with OID 0", () => {
    expect(enc({ a: [1, "x"], b: null })).toEqual({ oid: 0, format: 0, data: '{"a":[1,"x"],"b":null}' });
    expect(enc(Object.create(null)).data).toBe("{}");
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    expect(enc(new Point(1, 2)).data).toBe('{"x":1,"y":2}');
  });

  test("JSON failures and lossy built-ins → InterfaceError", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => enc(cyclic)).toThrow(InterfaceError);
    expect(() => enc({ big: 1n })).toThrow(InterfaceError);
    expect(() => enc(new Map([["a", 1]]))).toThrow(/Map/);
    expect(() => enc(new Set([1]))).toThrow(/Set/);
  });

  test("boxed primitives are unwrapped", () => {
    expect(enc(new String("s"))).toEqual({ oid: 0, format: 0, data: "s" });
    expect(enc(new Number(5)).data).toBe("5");
    expect(enc(new Boolean(false))).toEqual({ oid: 16, format: 0, data: "false" });
  });

  test("functions and symbols → InterfaceError naming the type", () => {
    expect(() => enc(() => 1)).toThrow(/function/);
    expect(() => enc(Symbol("s"))).toThrow(/symbol/);
    expect(() => enc([Symbol("s")])).toThrow(InterfaceError);
  });

  test("toPostgres(): its result is encoded in turn; cycles are refused", () => {
    const money = { cents: 150, toPostgres: () => "1.50" };
    expect(enc(money)).toEqual({ oid: 0, format: 0, data: "1.50" });
    const nested = { toPostgres: () => [1, money] };
    expect(enc(nested).data).toBe("{1,1.50}");
    const viaPrepare = { toPostgres: (prepare: (v: unknown) => string | null) => `<${prepare([1, 2])}>` };
    expect(enc(viaPrepare).data).toBe("<{1,2}>");
    const loop: { toPostgres(): unknown } = { toPostgres: () => loop };
    expect(() => enc(loop)).toThrow(InterfaceError);
    const a: { toPostgres(): unknown } = { toPostgres: () => b };
    const b: { toPostgres(): unknown } = { toPostgres: () => a };
    expect(() => enc(a)).toThrow(InterfaceError);
  });
});

describe("TypeRegistry out adapters", () => {
  class Money {
    constructor(public cents: number) {}
    toPostgres() {
      return "ignored: adapters win";
    }
  }
  class Euro extends Money {}

  test("win over every built-in rule and toPostgres, and apply to subclasses", () => {
    const reg = new TypeRegistry();
    reg.registerOutAdapter(Money, (m: Money) => (m.cents / 100).toFixed(2));
    expect(reg.encode(new Money(150))).toEqual({ oid: 0, format: 0, data: "1.50" });
    expect(reg.encode(new Euro(5)).data).toBe("0.05");
    expect(reg.encode([new Money(1), null]).data).toBe("{0.01,NULL}");
    expect(reg.encode(new Range(new Money(1), new Money(2))).data).toBe("[0.01,0.02)");
  });

  test("the nearest registered class wins", () => {
    const reg = new TypeRegistry();
    reg.registerOutAdapter(Money, () => "money");
    reg.registerOutAdapter(Euro, () => "euro");
    expect(reg.encode(new Euro(1)).data).toBe("euro");
    expect(reg.encode(new Money(1)).data).toBe("money");
  });

  test("built-in classes and primitive wrappers can be overridden", () => {
    const reg = new TypeRegistry();
    reg.registerOutAdapter(Date, (d: Date) => d.toISOString().slice(0, 10));
    reg.registerOutAdapter(Number, (n: number) => n.toFixed(1));
    expect(reg.encode(new Date(Date.UTC(2024, 4, 6)))).toEqual({ oid: 0, format: 0, data: "2024-05-06" });
    expect(reg.encode(3).data).toBe("3.0");
    expect(reg.encode([1, 2]).data).toBe("{1.0,2.0}");
  });

  test("adapter results: bytes go binary, null is NULL, other values by the built-in rules", () => {
    const reg = new TypeRegistry();
    class Blob {}
    class Nothing {}
    class Count {}
    reg.registerOutAdapter(Blob, () => new Uint8Array([7]));
    reg.registerOutAdapter(Nothing, () => null);
    reg.registerOutAdapter(Count, (() => 5) as never);
    expect(reg.encode(new Blob())).toEqual({ oid: 17, format: 1, data: new Uint8Array([7]) });
    expect(reg.encode([new Blob()]).data).toBe('{"\\\\x07"}');
    expect(reg.encode(new Nothing())).toEqual({ oid: 0, format: 0, data: null });
    expect(reg.encode(new Count()).data).toBe("5");
  });

  test("adapters are per registry", () => {
    const a = new TypeRegistry();
    a.registerOutAdapter(Money, () => "a");
    expect(new TypeRegistry().encode(new Money(1)).data).toBe("ignored: adapters win");
  });
});
