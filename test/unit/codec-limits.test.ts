// What a broken or hostile server can do to the codec: malformed lengths and types, DataRows
// that lie about their fields, and very large messages. Each must end in an InterfaceError (or
// in correct framing) without hanging, reading outside the input, or allocating without bound.

import { describe, expect, test } from "vitest";
import { arrayKind, type Codec, ColumnKind, loadCodec, rangeKind } from "../../src/codec/index.js";
import { Slot } from "../../src/codec/layout.js";
import { columnValue, scalarAt } from "../../src/codec/values.js";
import { InterfaceError } from "../../src/errors.js";
import {
  arrayWire,
  BUILDS,
  chunksOf,
  concat,
  dataRow,
  int16,
  int32,
  int64,
  message,
  numericWire,
  RANGE_LB_INC,
  RANGE_UB_INF,
  rangeWire,
  timetzWire,
  utf8,
} from "./codec-wire.js";

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
  [
    "length over the default 1 GiB limit",
    header("D", 2 ** 30 + 1),
    /too large: length 1073741825 .* exceeds maxMessageSize 1073741824/,
  ],
  ["largest int32 length", header("d", 0x7fffffff), /too large/],
  ["unknown type 'z'", message("z", utf8("x")), /unknown message type 0x7a/],
  ["unknown type 0x00", message("\0"), /unknown message type 0x00/],
  ["unknown type after good messages", concat(message("Z", utf8("I")), message("X")), /unknown message type 0x58/],
  ["DataRow without a field count", rawDataRow(Uint8Array.of(0)), /DataRow body of 1 bytes has no field count/],
  [
    "DataRow field overruns the message",
    rawDataRow(int16(1), int32(100), utf8("abc")),
    /DataRow field length exceeds message \(field 0, length 100\)/,
  ],
  [
    "DataRow field count overruns the message",
    rawDataRow(int16(3), int32(1), utf8("a")),
    /DataRow field length exceeds message \(field 1 has no length word\)/,
  ],
  [
    "DataRow field length word cut in half",
    rawDataRow(int16(2), int32(-1), Uint8Array.of(0, 0)),
    /field 1 has no length word/,
  ],
  [
    "DataRow with bytes after its last field",
    rawDataRow(int16(1), int32(1), utf8("ab")),
    /DataRow has 1 bytes after its last field/,
  ],
  ["DataRow field length -2", rawDataRow(int16(1), int32(-2)), /DataRow field 0 has length -2/],
  [
    "DataRow field length of the most negative int32",
    rawDataRow(int16(1), int32(-2147483648)),
    /has length -2147483648/,
  ],
  [
    "DataRow field length of the largest int32",
    rawDataRow(int16(1), int32(0x7fffffff), utf8("abcd")),
    /exceeds message/,
  ],
  [
    "binary int4 field of 8 bytes",
    dataRow([new Uint8Array(8)]),
    /DataRow field 0 has length 8, binary Int4 needs 4/,
    [K.Int4],
  ],
  [
    "binary uuid field of 15 bytes",
    dataRow([null, new Uint8Array(15)]),
    /field 1 has length 15, binary Uuid needs 16/,
    [K.Int8, K.Uuid],
  ],
  ["binary bool field of 0 bytes", dataRow([new Uint8Array(0)]), /binary Bool needs 1/, [K.Bool]],
  [
    "more fields than the plan",
    dataRow([int32(1), int32(2)]),
    /DataRow has 2 fields but the decode plan has 1 columns/,
    [K.Int4],
  ],
  [
    "fewer fields than the plan",
    dataRow([]),
    /DataRow has 0 fields but the decode plan has 2 columns/,
    [K.Text, K.Text],
  ],
  ["fields for an empty plan", dataRow([null]), /DataRow has 1 fields but the decode plan has 0 columns/, []],
];

describe.each(BUILDS)("codec limits, %s build", (build) => {
  test.each(MALFORMED)("%s → InterfaceError", async (_name, stream, error, plan) => {
    const codec = await loadCodec({ build });
    if (plan) codec.setPlan(plan);
    expect(() => codec.push(stream)).toThrow(error);
    expect(() => codec.push(stream)).toThrow(InterfaceError);
  });

  test.each(MALFORMED)(
    "%s → InterfaceError at whichever 1-byte push completes it",
    async (_name, stream, error, plan) => {
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
    },
  );

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
    expect(() => codec.push(header("d", 1001))).toThrow(
      /too large: length 1001 for message type 'd' exceeds maxMessageSize 1000/,
    );
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

/** Binary values that no send function produces: the field is 1 (after a valid int4), the plan [Int4, kind]. */
const MALFORMED_VALUES: [name: string, kind: number, wire: Uint8Array, error: RegExp][] = [
  [
    "numeric shorter than its header",
    K.Numeric,
    new Uint8Array(7),
    /field 1 is not a valid binary Numeric: its length does not match its digit count/,
  ],
  [
    "numeric with fewer digits than ndigits",
    K.Numeric,
    numericWire([1, 2], 0, 0, 0).subarray(0, 10),
    /binary Numeric: its length does not match/,
  ],
  [
    "numeric with more bytes than ndigits",
    K.Numeric,
    concat(numericWire([1], 0, 0, 0), int16(0)),
    /binary Numeric: its length does not match/,
  ],
  ["numeric sign 0x8000", K.Numeric, numericWire([1], 0, 0x8000, 0), /binary Numeric: invalid sign/],
  ["numeric sign 0xC001", K.Numeric, numericWire([], 0, 0xc001, 0), /binary Numeric: invalid sign/],
  ["numeric dscale 0x4000", K.Numeric, numericWire([1], 0, 0, 0x4000), /binary Numeric: invalid display scale/],
  ["numeric digit 10000", K.Numeric, numericWire([1, 10000], 0, 0, 4), /binary Numeric: a digit outside 0…9999/],
  ["numeric digit -1", K.Numeric, numericWire([-1], 0, 0, 0), /binary Numeric: a digit outside/],
  ["NaN with a bad digit", K.Numeric, numericWire([20000], 0, 0xc000, 0), /binary Numeric: a digit outside/],
  ["timetz of 11 bytes", K.Timetz, new Uint8Array(11), /field 1 has length 11, binary Timetz needs 12/],
  ["timetz time -1", K.Timetz, timetzWire(-1n, 0), /binary Timetz: time or zone out of range/],
  ["timetz time past 24:00", K.Timetz, timetzWire(86400000001n, 0), /binary Timetz: time or zone out of range/],
  ["timetz zone past 16 hours west", K.Timetz, timetzWire(0n, 57601), /binary Timetz: time or zone out of range/],
  ["timetz zone past 16 hours east", K.Timetz, timetzWire(0n, -57601), /binary Timetz: time or zone out of range/],
  ["interval of 15 bytes", K.Interval, new Uint8Array(15), /length 15, binary Interval needs 16/],
  ["point of 8 bytes", K.Point, new Uint8Array(8), /length 8, binary Point needs 16/],
  ["macaddr of 7 bytes", K.Macaddr, new Uint8Array(7), /length 7, binary Macaddr needs 6/],
  ["macaddr8 of 6 bytes", K.Macaddr8, new Uint8Array(6), /length 6, binary Macaddr8 needs 8/],
  ["array of 11 bytes", arrayKind(K.Int4), new Uint8Array(11), /binary Int4\[\]: it is shorter than its header/],
  [
    "array of 7 dimensions",
    arrayKind(K.Int4),
    arrayWire(23, Array(7).fill([1, 1]), [int32(1)]),
    /binary Int4\[\]: invalid number of dimensions/,
  ],
  ["array of -1 dimensions", arrayKind(K.Int4), concat(int32(-1), int32(0), int32(23)), /invalid number of dimensions/],
  [
    "array null flag 2",
    arrayKind(K.Int4),
    arrayWire(23, [[1, 1]], [int32(1)], 2),
    /binary Int4\[\]: invalid null flag/,
  ],
  ["array null flag -1", arrayKind(K.Int4), arrayWire(23, [[1, 1]], [int32(1)], -1), /invalid null flag/],
  [
    "array dimensions cut off",
    arrayKind(K.Int4),
    concat(int32(2), int32(0), int32(23), int32(1), int32(1)),
    /it is shorter than its header/,
  ],
  [
    "array negative dimension",
    arrayKind(K.Int4),
    arrayWire(23, [[-1, 1]], []),
    /binary Int4\[\]: a negative dimension/,
  ],
  [
    "array upper bound past int32",
    arrayKind(K.Int4),
    arrayWire(23, [[2, 2147483647]], [int32(1), int32(2)]),
    /upper bound overflows int32/,
  ],
  [
    "array of 65536^6 elements",
    arrayKind(K.Int4),
    arrayWire(23, Array(6).fill([65536, 1]), []),
    /more elements than the value has bytes for/,
  ],
  [
    "array of (2^31-1)^2 elements",
    arrayKind(K.Int8),
    arrayWire(
      20,
      [
        [2147483647, 1],
        [2147483647, 1],
      ],
      [int64(1n)],
    ),
    /more elements than the value has bytes for/,
  ],
  [
    "array with a missing element",
    arrayKind(K.Int4),
    arrayWire(23, [[3, 1]], [int32(1), int32(2)]),
    /an element overruns the value/,
  ],
  [
    "array element longer than the value",
    arrayKind(K.Int4),
    concat(arrayWire(23, [[1, 1]], []), int32(0x7fffffff), int32(1)),
    /an element overruns the value/,
  ],
  [
    "array element length -2",
    arrayKind(K.Int4),
    concat(arrayWire(23, [[1, 1]], []), int32(-2)),
    /an element overruns the value/,
  ],
  [
    "array element of the wrong width",
    arrayKind(K.Int4),
    arrayWire(23, [[1, 1]], [int16(1)]),
    /binary Int4\[\]: an element or bound has the wrong width/,
  ],
  [
    "array with bytes after its elements",
    arrayKind(K.Int4),
    concat(arrayWire(23, [[1, 1]], [int32(1)]), Uint8Array.of(0)),
    /bytes after the last element/,
  ],
  ["empty array with an element", arrayKind(K.Int4), arrayWire(23, [], [int32(1)]), /bytes after the last element/],
  [
    "numeric[] with a bad digit",
    arrayKind(K.Numeric),
    arrayWire(1700, [[1, 1]], [numericWire([10000], 0, 0, 0)]),
    /binary Numeric\[\]: a digit outside/,
  ],
  [
    "timetz[] out of range",
    arrayKind(K.Timetz),
    arrayWire(1266, [[1, 1]], [timetzWire(-5n, 0)]),
    /binary Timetz\[\]: time or zone out of range/,
  ],
  ["range without flags", rangeKind(K.Int4), new Uint8Array(0), /binary range of Int4: it has no flags byte/],
  ["range flag 0x20", rangeKind(K.Int4), Uint8Array.of(0x20 | 0x18), /invalid range flags/],
  ["range flag 0x40", rangeKind(K.Int4), Uint8Array.of(0x40 | 0x18), /invalid range flags/],
  [
    "range missing its lower bound",
    rangeKind(K.Int4),
    Uint8Array.of(RANGE_LB_INC),
    /a bound is missing, NULL or overruns the value/,
  ],
  [
    "range missing its upper bound",
    rangeKind(K.Int4),
    concat(Uint8Array.of(RANGE_LB_INC), int32(4), int32(1)),
    /a bound is missing/,
  ],
  [
    "range with a NULL bound",
    rangeKind(K.Int4),
    concat(Uint8Array.of(RANGE_LB_INC | RANGE_UB_INF), int32(-1)),
    /a bound is missing, NULL/,
  ],
  [
    "range bound overrunning the value",
    rangeKind(K.Int4),
    concat(Uint8Array.of(RANGE_LB_INC | RANGE_UB_INF), int32(8), int32(1)),
    /a bound is missing/,
  ],
  [
    "range bound of the wrong width",
    rangeKind(K.Int4),
    concat(Uint8Array.of(RANGE_LB_INC | RANGE_UB_INF), int32(3), Uint8Array.of(0, 0, 1)),
    /wrong width/,
  ],
  [
    "range with bytes after its bounds",
    rangeKind(K.Int4),
    concat(rangeWire(RANGE_LB_INC | RANGE_UB_INF, int32(1), null), Uint8Array.of(0)),
    /bytes after its bounds/,
  ],
  [
    "empty range with a bound",
    rangeKind(K.Int4),
    concat(Uint8Array.of(1), int32(4), int32(1)),
    /bytes after its bounds/,
  ],
  [
    "numrange with a bad numeric",
    rangeKind(K.Numeric),
    rangeWire(RANGE_LB_INC | RANGE_UB_INF, numericWire([1], 0, 0x1234, 0), null),
    /binary range of Numeric: invalid sign/,
  ],
];

function arenaState(codec: Codec): { cap: number; used: number } {
  const state = (codec as unknown as { state: Int32Array }).state;
  return { cap: state[Slot.ArenaCap]!, used: state[Slot.ArenaLen]! };
}

/** Pushes `stream` in chunks, resuming while pending; calls `row` with each DataRow's values. */
function readRows(
  codec: Codec,
  stream: Uint8Array,
  plan: number[],
  chunk: number,
  row: (values: unknown[]) => void,
): number {
  codec.setPlan(plan);
  let batches = 0;
  for (const part of chunksOf(stream, chunk)) {
    for (let n = codec.push(part); ; n = codec.resume()) {
      batches++;
      for (let i = 0; i < n; i++) {
        const rowIndex = codec.messages[i * 6 + 5]!;
        row(
          plan.map((kind, c) =>
            codec.fieldBytes(i, c) === null ? null : columnValue(codec.views, kind, codec.column(c)!, rowIndex),
          ),
        );
      }
      expect(arenaState(codec).used).toBeLessThanOrEqual(arenaState(codec).cap);
      if (!codec.pending) break;
    }
  }
  return batches;
}

describe.each(BUILDS)("malformed binary values, %s build", (build) => {
  test.each(MALFORMED_VALUES)("%s → InterfaceError", async (_name, kind, wire, error) => {
    const codec = await loadCodec({ build });
    codec.setPlan([K.Int4, kind]);
    expect(() => codec.push(dataRow([int32(1), wire]))).toThrow(error);
    expect(() => codec.push(dataRow([int32(1), wire]))).toThrow(InterfaceError);
  });

  test.each(MALFORMED_VALUES)(
    "%s → InterfaceError at whichever 1-byte push completes it",
    async (_name, kind, wire, error) => {
      const codec = await loadCodec({ build });
      codec.setPlan([K.Int4, kind]);
      let thrown: unknown = null;
      for (const chunk of chunksOf(concat(dataRow([int32(1), null]), dataRow([int32(1), wire])), 1)) {
        try {
          codec.push(chunk);
        } catch (e) {
          thrown = e;
          break;
        }
      }
      expect(thrown).toBeInstanceOf(InterfaceError);
      expect((thrown as Error).message).toMatch(error);
    },
  );

  test("plans take array and range kinds of every scalar kind, and nothing else", async () => {
    const codec = await loadCodec({ build });
    for (let k = 1; k <= K.Macaddr8; k++) codec.setPlan([arrayKind(k as 1), rangeKind(k as 1), k]);
    for (const bad of [18, 31, 32, 50, 63, 64, 82, 95, 96, 128, 255]) {
      expect(() => codec.setPlan([K.Int4, bad]), `kind ${bad}`).toThrow(
        `invalid decode plan: column 1 has kind ${bad}`,
      );
    }
  });

  test("rows whose values outgrow the arena end their batch early; the arena keeps its size", async () => {
    const rows = 300;
    const elements = 500; // ≈ 2.5 KB of record per row, 750 KB in all
    const stream = concat(
      ...Array.from({ length: rows }, (_, r) =>
        dataRow([
          int32(r),
          arrayWire(
            23,
            [[elements, 1]],
            Array.from({ length: elements }, (_, e) => (e === r ? null : int32(r * e))),
          ),
        ]),
      ),
    );
    const codec = await loadCodec({ build });
    const initial = arenaState(codec).cap;
    let seen = 0;
    const batches = readRows(codec, stream, [K.Int4, arrayKind(K.Int4)], 65536, ([r, array]) => {
      expect(r).toBe(seen);
      expect(array).toEqual(Array.from({ length: elements }, (_, e) => (e === seen ? null : seen * e)));
      seen++;
    });
    expect(seen).toBe(rows);
    expect(batches).toBeGreaterThan((rows * 2500) / initial);
    expect(arenaState(codec).cap).toBe(initial);
  });

  test("a row that does not fit the whole arena grows it to about that row's size", async () => {
    const elements = 100_000; // 100000 × 4 bytes + 100000 null flags
    const big = dataRow([
      arrayWire(
        23,
        [[elements, 1]],
        Array.from({ length: elements }, (_, e) => (e % 7 === 0 ? null : int32(e))),
      ),
    ]);
    const codec = await loadCodec({ build });
    const before = arenaState(codec).cap;
    const small = dataRow([arrayWire(23, [[1, 1]], [int32(5)])]);
    const values: unknown[] = [];
    readRows(codec, concat(small, big, small), [arrayKind(K.Int4)], 65536, ([array]) => values.push(array));
    expect(values.length).toBe(3);
    expect(values[1]).toEqual(Array.from({ length: elements }, (_, e) => (e % 7 === 0 ? null : e)));
    expect(values[2]).toEqual([5]);
    const need = 16 + elements * 5;
    expect(arenaState(codec).cap).toBeGreaterThanOrEqual(need);
    expect(arenaState(codec).cap).toBeLessThanOrEqual(Math.max(2 * before, need + 65536));
  });

  test("numerics of the largest weight and scale take arena bytes in proportion to their input", async () => {
    const count = 40;
    const huge = numericWire([1], 32767, 0, 0); // 1e131068: 131069 characters from 8 + 2 bytes
    const tiny = numericWire([1], -4096, 0x4000, 16383); // -1e-16384 cut to dscale 16383
    const codec = await loadCodec({ build });
    const initial = arenaState(codec).cap;
    const values: unknown[] = [];
    const array = arrayWire(
      1700,
      [[count, 1]],
      Array.from({ length: count }, (_, i) => (i % 2 === 0 ? huge : tiny)),
    );
    readRows(codec, dataRow([array]), [arrayKind(K.Numeric)], 65536, ([a]) => values.push(a));
    // The tiny one shows as zero at its scale, so without the sign (as the server would store it).
    const expected = Array.from({ length: count }, (_, i) =>
      i % 2 === 0 ? `1${"0".repeat(131068)}` : `0.${"0".repeat(16383)}`,
    );
    expect(values).toEqual([expected]);
    expect(arenaState(codec).cap).toBe(initial);
    expect(arenaState(codec).used).toBeLessThan(count * 64 + 1024);
  });

  test("33000 numerics whose texts would total 4.9 GB: the arena stays proportional to the input", async () => {
    const huge = numericWire([1234, 5678], 32767, 0x4000, 16383);
    const count = 33000;
    const array = arrayWire(1700, [[count, 1]], Array(count).fill(huge));
    const codec = await loadCodec({ build });
    codec.setPlan([arrayKind(K.Numeric)]);
    expect(codec.push(dataRow([array]))).toBe(1);
    expect(arenaState(codec).used).toBeLessThan(4 * array.length); // 45 bytes per 16-byte element here
    expect(arenaState(codec).cap).toBeLessThanOrEqual(8 * array.length + 65536);
    // The first and the last element, as JS builds them from the padded form.
    const record = (codec.column(0) as Int32Array)[0]! >> 2;
    const i32 = codec.views.i32;
    expect([i32[record], i32[record + 1]]).toEqual([1, count]); // ndim, n
    const text = `-12345678${"0".repeat(131064)}.${"0".repeat(16383)}`;
    for (const e of [0, count - 1]) expect(scalarAt(codec.views, K.Numeric, i32[record + 2]! + e * 8)).toBe(text);
  });
});
