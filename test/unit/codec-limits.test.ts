// What a broken or hostile server can do to the codec: malformed lengths and types, DataRows
// that lie about their fields, and very large messages. Each must end in an InterfaceError (or
// in correct framing) without hanging, reading outside the input, or allocating without bound.

import { describe, expect, test } from "vitest";
import { ColumnKind, loadCodec } from "../../src/codec/index.js";
import { InterfaceError } from "../../src/errors.js";
import { BUILDS, chunksOf, concat, dataRow, int16, int32, message, utf8 } from "./codec-wire.js";

const K = ColumnKind;

/** Index of the first differing byte, or -1 (vitest's deep equality is slow on megabytes). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Type byte and a raw int32 length, with whatever body bytes follow. */
function header(type: string, length: number, ...body: Uint8Array[]): Uint8Array {
  return concat(utf8(type), int32(length), ...body);
}

/** A DataRow with a hand-written body (field count and field words as given). */
function rawDataRow(...body: Uint8Array[]): Uint8Array {
  return message("D", ...body);
}

const MALFORMED: [name: string, stream: Uint8Array, error: RegExp, plan?: number[]][] = [
  ["negative length", header("D", -1), /malformed message from server: length -1 for message type 'D'/],
  ["length 0", header("C", 0), /length 0 for message type 'C'/],
  ["length 2", header("D", 2, Uint8Array.of(0, 0)), /length 2 for message type 'D'/],
  ["length 3", header("Z", 3), /length 3 for message type 'Z'/],
  ["length over the default 1 GiB limit", header("D", 2 ** 30 + 1), /too large: length 1073741825 .* exceeds maxMessageSize 1073741824/],
  ["largest int32 length", header("d", 0x7fffffff), /too large/],
  ["unknown type 'z'", message("z", utf8("x")), /unknown message type 0x7a/],
  ["unknown type 0x00", message("\0"), /unknown message type 0x00/],
  ["unknown type after good messages", concat(message("Z", utf8("I")), message("X")), /unknown message type 0x58/],
  ["DataRow without a field count", rawDataRow(Uint8Array.of(0)), /DataRow body of 1 bytes has no field count/],
  ["DataRow field overruns the message", rawDataRow(int16(1), int32(100), utf8("abc")), /DataRow field length exceeds message \(field 0, length 100\)/],
  ["DataRow field count overruns the message", rawDataRow(int16(3), int32(1), utf8("a")), /DataRow field length exceeds message \(field 1 has no length word\)/],
  ["DataRow field length word cut in half", rawDataRow(int16(2), int32(-1), Uint8Array.of(0, 0)), /field 1 has no length word/],
  ["DataRow with bytes after its last field", rawDataRow(int16(1), int32(1), utf8("ab")), /DataRow has 1 bytes after its last field/],
  ["DataRow field length -2", rawDataRow(int16(1), int32(-2)), /DataRow field 0 has length -2/],
  ["DataRow field length of the most negative int32", rawDataRow(int16(1), int32(-2147483648)), /has length -2147483648/],
  ["DataRow field length of the largest int32", rawDataRow(int16(1), int32(0x7fffffff), utf8("abcd")), /exceeds message/],
  ["binary int4 field of 8 bytes", dataRow([new Uint8Array(8)]), /DataRow field 0 has length 8, binary Int4 needs 4/, [K.Int4]],
  ["binary uuid field of 15 bytes", dataRow([null, new Uint8Array(15)]), /field 1 has length 15, binary Uuid needs 16/, [K.Int8, K.Uuid]],
  ["binary bool field of 0 bytes", dataRow([new Uint8Array(0)]), /binary Bool needs 1/, [K.Bool]],
  ["more fields than the plan", dataRow([int32(1), int32(2)]), /DataRow has 2 fields but the decode plan has 1 columns/, [K.Int4]],
  ["fewer fields than the plan", dataRow([]), /DataRow has 0 fields but the decode plan has 2 columns/, [K.Text, K.Text]],
  ["fields for an empty plan", dataRow([null]), /DataRow has 1 fields but the decode plan has 0 columns/, []],
];

describe.each(BUILDS)("codec limits, %s build", (build) => {
  test.each(MALFORMED)("%s → InterfaceError", async (_name, stream, error, plan) => {
    const codec = await loadCodec({ build });
    if (plan) codec.setPlan(plan);
    expect(() => codec.push(stream)).toThrow(error);
    expect(() => codec.push(stream)).toThrow(InterfaceError);
  });

  test.each(MALFORMED)("%s → InterfaceError at whichever 1-byte push completes it", async (_name, stream, error, plan) => {
    const codec = await loadCodec({ build });
    if (plan) codec.setPlan(plan);
    let thrown: unknown = null;
    for (const chunk of chunksOf(stream, 1)) {
      try {
        codec.push(chunk);
      } catch (e) {
        thrown = e;
        break;
      }
    }
    expect(thrown).toBeInstanceOf(InterfaceError);
    expect((thrown as Error).message).toMatch(error);
  });

  test("a failed codec refuses every later call", async () => {
    const codec = await loadCodec({ build });
    expect(() => codec.push(header("D", 2))).toThrow(/length 2/);
    expect(() => codec.push(message("Z", utf8("I")))).toThrow(/failed earlier.*length 2/);
    expect(() => codec.resume()).toThrow(/failed earlier/);
    expect(() => codec.setPlan([K.Int4])).toThrow(/failed earlier/);
    expect(() => codec.clearPlan()).toThrow(/failed earlier/);
    expect(() => codec.setStopTypes("T")).toThrow(/failed earlier/);
  });

  test("maxMessageSize bounds announced lengths", async () => {
    const codec = await loadCodec({ build, maxMessageSize: 1000 });
    expect(codec.push(concat(header("d", 1000), new Uint8Array(996)))).toBe(1);
    expect(() => codec.push(header("d", 1001))).toThrow(/too large: length 1001 for message type 'd' exceeds maxMessageSize 1000/);
  });

  test("an announced length allocates nothing until the bytes arrive", async () => {
    const codec = await loadCodec({ build });
    const before = codec.bytes.byteLength;
    expect(codec.push(concat(header("d", 2 ** 30), new Uint8Array(1000)))).toBe(0);
    expect(codec.pending).toBe(false);
    expect(codec.bytes.byteLength).toBe(before);
  });

  test("a 10 MB message in 64 KiB chunks, with memory proportional to it", async () => {
    const size = 10 * 1024 * 1024;
    const value = new Uint8Array(size);
    for (let i = 0; i < size; i++) value[i] = (i * 31 + (i >> 12)) & 0xff;
    const stream = concat(message("Z", utf8("I")), dataRow([value, null]), message("C", utf8("SELECT 1\0")));
    const codec = await loadCodec({ build });
    const initial = codec.bytes.byteLength;
    const frames: string[] = [];
    for (const chunk of chunksOf(stream, 65536)) {
      const n = codec.push(chunk);
      for (let i = 0; i < n; i++) {
        frames.push(String.fromCharCode(codec.messages[i * 6]!));
        if (codec.messages[i * 6] === 0x44) {
          expect(firstDifference(codec.fieldBytes(i, 0)!, value)).toBe(-1);
          expect(codec.fieldBytes(i, 1)).toBeNull();
        }
      }
    }
    expect(frames).toEqual(["Z", "D", "C"]);
    expect(codec.bytes.byteLength).toBeLessThan(initial + 2.5 * size);
    // Afterwards small traffic still works in the grown region.
    expect(codec.push(message("Z", utf8("I")))).toBe(1);
  });

  test("100 MB of small rows never grows memory", async () => {
    const rows = concat(...Array.from({ length: 4000 }, (_, i) => dataRow([int32(i), utf8("some text"), null])));
    const codec = await loadCodec({ build });
    const initial = codec.bytes.byteLength;
    let total = 0;
    let fed = 0;
    while (fed < 100e6) {
      for (const chunk of chunksOf(rows, 65536)) {
        for (let n = codec.push(chunk); ; n = codec.resume()) {
          total += n;
          if (!codec.pending) break;
        }
        fed += chunk.length;
      }
    }
    expect(total % 4000).toBe(0);
    expect(codec.bytes.byteLength).toBe(initial);
  });

  test("bad arguments are InterfaceErrors", async () => {
    const codec = await loadCodec({ build });
    expect(() => codec.setPlan([1.5])).toThrow(InterfaceError);
    expect(() => codec.setPlan([-1])).toThrow(/kind -1/);
    expect(() => codec.setPlan(new Uint8Array(65536))).toThrow(/at most 65535 columns/);
    expect(() => codec.setStopTypes("\u0100")).toThrow(/not a message type/);
    codec.setPlan([K.Int4]);
    codec.push(dataRow([int32(1)]));
    expect(() => codec.column(1)).toThrow(/outside the decode plan/);
    expect(() => codec.column(-1)).toThrow(/outside the decode plan/);
  });
});
