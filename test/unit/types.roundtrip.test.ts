// Values decoded from text must be sendable as parameters and reach the server unchanged.
// Regression tests for what the conformance oracle (test/conformance) found.

import { describe, expect, test } from "vitest";
import { Point, parsePoint } from "../../src/types/decoders.js";
import { parseHstore } from "../../src/types/hstore.js";
import { TypeRegistry } from "../../src/types/registry.js";

const reg = new TypeRegistry();

describe("decoded values go back as their PG text", () => {
  test("point: a Point is sent as (x,y), not as JSON (which point rejects)", () => {
    const p = parsePoint("(1.5,-2)");
    expect(p).toBeInstanceOf(Point);
    expect(p).toEqual({ x: 1.5, y: -2 });
    expect(reg.encode(p)).toEqual({ oid: 0, format: 0, data: "(1.5,-2)" });
    expect(reg.encode(parsePoint("(NaN,-Infinity)")).data).toBe("(NaN,-Infinity)");
    expect(reg.encode(parsePoint("(-0,1e-300)")).data).toBe("(-0,1e-300)");
    expect(reg.encode([parsePoint("(1,2)"), null]).data).toBe('{"(1,2)",NULL}');
    // Still reads as a plain { x, y } record.
    expect(JSON.stringify(p)).toBe('{"x":1.5,"y":-2}');
  });

  test("hstore: a decoded map is sent as hstore text, not as JSON", () => {
    const h = parseHstore('a=>1, b=>NULL, "c d"=>"e\\"f"');
    expect(reg.encode(h).data).toBe('"a"=>"1", "b"=>NULL, "c d"=>"e\\"f"');
    expect(Object.keys(h)).toEqual(["a", "b", "c d"]);
    expect({ ...h }).toEqual({ a: "1", b: null, "c d": 'e"f' });
    expect(JSON.stringify(h)).toBe('{"a":"1","b":null,"c d":"e\\"f"}');
  });

  test("a plain object is still JSON", () => {
    expect(reg.encode({ x: 1, y: 2 }).data).toBe('{"x":1,"y":2}');
  });
});
