// The codec's out-of-line binary decoders (numeric, interval, timetz, point, macaddr, arrays,
// ranges) against byte fixtures built from the PostgreSQL send functions (codec-wire.ts), on both
// builds, whole and split at every boundary; expected values are worked out by hand here.

import { describe, expect, test } from "vitest";
import { arrayKind, type Codec, ColumnKind, loadCodec, rangeKind } from "../../src/codec/index.js";
import { columnValue } from "../../src/codec/values.js";
import { Point } from "../../src/types/decoders.js";
import { PGInterval } from "../../src/types/interval.js";
import { Range } from "../../src/types/range.js";
import {
  arrayWire,
  BUILDS,
  chunksOf,
  concat,
  concatAll,
  dataRow,
  float32,
  float64,
  hexBytes,
  int16,
  int32,
  int64,
  intervalWire,
  message,
  NUMERIC_NAN,
  NUMERIC_NEG,
  NUMERIC_NINF,
  NUMERIC_PINF,
  NUMERIC_POS,
  numericWire,
  RANGE_EMPTY,
  RANGE_LB_INC,
  RANGE_LB_INF,
  RANGE_UB_INC,
  RANGE_UB_INF,
  rangeWire,
  timetzWire,
  uint32,
  utf8,
} from "./codec-wire.js";

const K = ColumnKind;
const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;
const PG_EPOCH_MS = 946684800000; // 2000-01-01T00:00:00Z

function interval(months: number, days: number, microseconds: bigint): PGInterval {
  const iv = new PGInterval();
  iv.months = months;
  iv.days = days;
  iv.microseconds = microseconds;
  return iv;
}

function num(digits: number[], weight: number, dscale: number, sign = NUMERIC_POS): Uint8Array {
  return numericWire(digits, weight, sign, dscale);
}

type Fixture = [wire: Uint8Array | null, expected: unknown];

/** Per plan kind: wire values and the JS value each must become. */
const FIXTURES: [name: string, kind: number, fixtures: Fixture[]][] = [
  [
    "numeric",
    K.Numeric,
    [
      [num([], 0, 0), "0"],
      [num([], 0, 2), "0.00"],
      [num([1, 5000], 0, 2), "1.50"],
      [num([1, 5000], 0, 2, NUMERIC_NEG), "-1.50"],
      [num([1234, 5678, 9000], 1, 1), "12345678.9"],
      [num([1], 1, 0), "10000"],
      [num([1, 1], 1, 0), "10001"],
      [num([1], 25, 0), `1${"0".repeat(100)}`],
      [num([100], -2, 6), "0.000001"],
      [num([5000], -1, 1), "0.5"],
      [num([10], -4096, 16383), `0.${"0".repeat(16382)}1`],
      [numericWire([], 0, NUMERIC_NAN, 0), "NaN"],
      [numericWire([], 0, NUMERIC_PINF, 0), "Infinity"],
      [numericWire([], 0, NUMERIC_NINF, 0), "-Infinity"],
      [num([9999, 9999], 0, 4), "9999.9999"],
      [num([9999, 9999, 9999, 9999, 9999], 2, 8, NUMERIC_NEG), "-999999999999.99999999"],
      [num([1, 2345], 0, 2), "1.23"], // dscale hides digits: cut, as numeric_out does
      [num([1], 0, 5), "1.00000"],
      [num([12, 3400], 0, 3), "12.340"],
      [num([5], -3, 4), "0.0000"],
      [num([12], 0, 0), "12"],
      [num([123], 0, 0), "123"],
      [num([1234], 0, 0), "1234"],
      [num([1, 0, 0], 2, 0, NUMERIC_NEG), "-100000000"],
      [num([1], 32767, 0), `1${"0".repeat(131068)}`],
      // Not what a server sends, but what it would print for the same value:
      [num([0, 1], 1, 0), "1"], // a leading zero digit
      [num([], 5, 0), "0"], // zero with a weight
      [num([], 0, 1, NUMERIC_NEG), "0.0"], // negative zero
      [num([5], -1, 0, NUMERIC_NEG), "0"], // -0.0005 at scale 0: digits beyond dscale
      [num([5], -1, 3, NUMERIC_NEG), "0.000"],
      [num([12], -1, 3, NUMERIC_NEG), "-0.001"],
      [num([5000], -1, 1, NUMERIC_NEG), "-0.5"],
      [num([1], -4096, 16383, NUMERIC_NEG), `0.${"0".repeat(16383)}`],
      [num([10], -4096, 16383, NUMERIC_NEG), `-0.${"0".repeat(16382)}1`],
      [num([1], 8, 40), `1${"0".repeat(32)}.${"0".repeat(40)}`], // padded: 32 + 40 zeros
      [num([1], 7, 0), `1${"0".repeat(28)}`], // 28 zeros: written out
      [num([42, 1], 9, 2, NUMERIC_NEG), `-420001${"0".repeat(32)}.00`],
      [num([7], -10, 45), `0.${"0".repeat(36)}000700000`],
      [null, null],
    ],
  ],
  [
    "interval",
    K.Interval,
    [
      [intervalWire(0n, 0, 0), interval(0, 0, 0n)],
      [intervalWire(14706789000n, 3, 14), interval(14, 3, 14706789000n)], // 1 year 2 mons 3 days 04:05:06.789
      [intervalWire(MIN_INT64, 2147483647, -2147483648), interval(-2147483648, 2147483647, MIN_INT64)],
      [intervalWire(-1n, -1, -1), interval(-1, -1, -1n)],
      [null, null],
    ],
  ],
  [
    "timetz",
    K.Timetz,
    [
      [timetzWire(0n, 0), "00:00:00+00"],
      [timetzWire(86400000000n, 57540), "24:00:00-15:59"],
      [timetzWire(45296789000n, -19800), "12:34:56.789+05:30"],
      [timetzWire(43200000010n, -1), "12:00:00.00001+00:00:01"],
      [timetzWire(3723000001n, 12615), "01:02:03.000001-03:30:15"],
      [timetzWire(86399999999n, -57600), "23:59:59.999999+16"],
      [timetzWire(60000000n, 3600), "00:01:00-01"],
      [null, null],
    ],
  ],
  [
    "point",
    K.Point,
    [
      [concat(float64(1.5), float64(-2)), new Point(1.5, -2)],
      [concat(float64(NaN), float64(Infinity)), new Point(NaN, Infinity)],
      [concat(float64(-0), hexBytes("0000000000000001")), new Point(-0, 5e-324)],
      [null, null],
    ],
  ],
  [
    "macaddr",
    K.Macaddr,
    [
      [hexBytes("08002b010203"), "08:00:2b:01:02:03"],
      [hexBytes("ABCDEF000001"), "ab:cd:ef:00:00:01"],
    ],
  ],
  ["macaddr8", K.Macaddr8, [[hexBytes("08002b0102030405"), "08:00:2b:01:02:03:04:05"]]],
  [
    "int4[]",
    arrayKind(K.Int4),
    [
      [arrayWire(23, [], []), []],
      [arrayWire(23, [[3, 1]], [int32(1), int32(2), int32(3)]), [1, 2, 3]],
      [
        arrayWire(
          23,
          [
            [2, 1],
            [2, 1],
          ],
          [int32(1), null, null, int32(4)],
        ),
        [
          [1, null],
          [null, 4],
        ],
      ],
      [arrayWire(23, [[3, 0]], [int32(1), int32(2), int32(3)]), [1, 2, 3]], // lower bounds are dropped
      [
        arrayWire(
          23,
          [
            [2, -5],
            [2, 1],
          ],
          [int32(1), int32(2), int32(3), int32(4)],
        ),
        [
          [1, 2],
          [3, 4],
        ],
      ],
      [
        arrayWire(
          23,
          [
            [3, 1],
            [2, 1],
          ],
          [1, 2, 3, 4, 5, 6].map(int32),
        ),
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      ],
      [
        arrayWire(
          23,
          [
            [2, 1],
            [3, 1],
          ],
          [1, 2, 3, 4, 5, 6].map(int32),
        ),
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ],
      [
        arrayWire(
          23,
          [
            [2, 1],
            [2, 1],
            [2, 1],
          ],
          [1, 2, 3, 4, 5, 6, 7, 8].map(int32),
        ),
        [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [5, 6],
            [7, 8],
          ],
        ],
      ],
      [arrayWire(23, Array(6).fill([1, 1]), [int32(7)]), [[[[[[7]]]]]]],
      [arrayWire(23, [[1, 1]], [null]), [null]],
      [arrayWire(23, [[2, 2147483646]], [int32(-2147483648), int32(2147483647)]), [-2147483648, 2147483647]],
      [arrayWire(23, [[0, 1]], []), []],
      [null, null],
    ],
  ],
  [
    "bool[]",
    arrayKind(K.Bool),
    [[arrayWire(16, [[3, 1]], [Uint8Array.of(1), Uint8Array.of(0), null]), [true, false, null]]],
  ],
  ["int2[]", arrayKind(K.Int2), [[arrayWire(21, [[2, 1]], [int16(-32768), int16(32767)]), [-32768, 32767]]]],
  [
    "int8[]",
    arrayKind(K.Int8),
    [[arrayWire(20, [[3, 1]], [int64(MIN_INT64), null, int64(MAX_INT64)]), [MIN_INT64, null, MAX_INT64]]],
  ],
  [
    "float4[]",
    arrayKind(K.Float4),
    [
      [
        arrayWire(700, [[4, 1]], [float32(NaN), float32(-0), float32(1.5), float32(1.1)]),
        [NaN, -0, 1.5, Math.fround(1.1)],
      ],
    ],
  ],
  [
    "float8[]",
    arrayKind(K.Float8),
    [
      [
        arrayWire(
          701,
          [
            [2, 1],
            [1, 1],
          ],
          [float64(-Infinity), hexBytes("400921fb54442d18")],
        ),
        [[-Infinity], [Math.PI]],
      ],
    ],
  ],
  ["oid[]", arrayKind(K.Oid), [[arrayWire(26, [[2, 1]], [uint32(4294967295), uint32(0)]), [4294967295, 0]]]],
  [
    "date[]",
    arrayKind(K.Date),
    [
      [
        arrayWire(1082, [[4, 1]], [int32(0), int32(2147483647), int32(-2147483648), int32(-2451545)]),
        ["2000-01-01", "infinity", "-infinity", "4714-11-24 BC"], // PostgreSQL date 0, ±infinity, Julian day 0
      ],
    ],
  ],
  [
    "time[]",
    arrayKind(K.Time),
    [[arrayWire(1083, [[2, 1]], [int64(0n), int64(45296789012n)]), ["00:00:00", "12:34:56.789012"]]],
  ],
  [
    "timestamp[]",
    arrayKind(K.Timestamp),
    [
      [
        arrayWire(1114, [[4, 1]], [int64(0n), int64(-1n), int64(MAX_INT64), null]),
        [new Date(PG_EPOCH_MS), new Date(PG_EPOCH_MS - 1), Infinity, null],
      ],
    ],
  ],
  [
    "uuid[]",
    arrayKind(K.Uuid),
    [
      [
        arrayWire(2950, [[2, 1]], [hexBytes("A0EEBC999C0B4EF8BB6D6BB9BD380A11"), null]),
        ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", null],
      ],
    ],
  ],
  [
    "numeric[]",
    arrayKind(K.Numeric),
    [
      [
        arrayWire(
          1700,
          [
            [2, 1],
            [2, 1],
          ],
          [num([1, 5000], 0, 2), null, numericWire([], 0, NUMERIC_NAN, 0), num([1], 25, 0)],
        ),
        [
          ["1.50", null],
          ["NaN", `1${"0".repeat(100)}`],
        ],
      ],
    ],
  ],
  [
    "interval[]",
    arrayKind(K.Interval),
    [[arrayWire(1186, [[2, 1]], [intervalWire(1n, 2, 3), null]), [interval(3, 2, 1n), null]]],
  ],
  [
    "timetz[]",
    arrayKind(K.Timetz),
    [
      [
        arrayWire(1266, [[2, 1]], [timetzWire(0n, -19800), timetzWire(1n, 0)]),
        ["00:00:00+05:30", "00:00:00.000001+00"],
      ],
    ],
  ],
  ["point[]", arrayKind(K.Point), [[arrayWire(600, [[1, 1]], [concat(float64(1), float64(2))]), [new Point(1, 2)]]]],
  [
    "macaddr[]",
    arrayKind(K.Macaddr),
    [[arrayWire(829, [[2, 1]], [null, hexBytes("08002b010203")]), [null, "08:00:2b:01:02:03"]]],
  ],
  [
    "int4range",
    rangeKind(K.Int4),
    [
      [rangeWire(RANGE_LB_INC, int32(1), int32(10)), new Range(1, 10, "[)")],
      [rangeWire(RANGE_EMPTY, null, null), new Range(null, null, "[)", true)],
      [rangeWire(RANGE_LB_INF, null, int32(6)), new Range(null, 6, "()")],
      [rangeWire(RANGE_LB_INC | RANGE_UB_INF, int32(3), null), new Range(3, null, "[)")],
      [rangeWire(RANGE_LB_INF | RANGE_UB_INF, null, null), new Range(null, null, "()")],
      [rangeWire(RANGE_LB_INC | RANGE_UB_INC, int32(-1), int32(1)), new Range(-1, 1, "[]")],
      [rangeWire(RANGE_UB_INC, int32(-1), int32(1)), new Range(-1, 1, "(]")],
      [rangeWire(0x80 | RANGE_LB_INC, int32(1), int32(2)), new Range(1, 2, "[)")], // GiST's contain-empty bit
      [null, null],
    ],
  ],
  [
    "int8range",
    rangeKind(K.Int8),
    [
      [
        rangeWire(RANGE_LB_INC | RANGE_UB_INC, int64(MIN_INT64), int64(MAX_INT64)),
        new Range(MIN_INT64, MAX_INT64, "[]"),
      ],
    ],
  ],
  [
    "numrange",
    rangeKind(K.Numeric),
    [
      [rangeWire(RANGE_UB_INC, num([1, 5000], 0, 1), num([2, 5000], 0, 2)), new Range("1.5", "2.50", "(]")],
      [
        rangeWire(RANGE_LB_INC | RANGE_UB_INF, numericWire([], 0, NUMERIC_NINF, 0), null),
        new Range("-Infinity", null, "[)"),
      ],
      [rangeWire(RANGE_EMPTY, null, null), new Range(null, null, "[)", true)],
    ],
  ],
  [
    "daterange",
    rangeKind(K.Date),
    [[rangeWire(RANGE_LB_INC, int32(0), int32(2147483647)), new Range("2000-01-01", "infinity", "[)")]],
  ],
  [
    "tsrange",
    rangeKind(K.Timestamp),
    [[rangeWire(RANGE_LB_INC, int64(0n), int64(MAX_INT64)), new Range<unknown>(new Date(PG_EPOCH_MS), Infinity, "[)")]],
  ],
];

/** Reads every DataRow of the current batch as JS values. */
function readBatch(codec: Codec, count: number, plan: number[], rows: unknown[][]): void {
  const m = codec.messages;
  for (let i = 0; i < count; i++) {
    if (m[i * 6] !== 0x44) continue;
    const rowIndex = m[i * 6 + 5]!;
    rows.push(
      plan.map((kind, c) => {
        if (codec.fieldBytes(i, c) === null) return null;
        return kind === K.Text ? codec.fieldText(i, c) : columnValue(codec.views, kind, codec.column(c)!, rowIndex);
      }),
    );
  }
}

function readAll(codec: Codec, chunks: Iterable<Uint8Array>, plan: number[]): unknown[][] {
  const rows: unknown[][] = [];
  codec.setPlan(plan);
  for (const chunk of chunks) {
    readBatch(codec, codec.push(chunk), plan, rows);
    while (codec.pending) readBatch(codec, codec.resume(), plan, rows);
  }
  return rows;
}

describe.each(BUILDS)("binary values, %s build", (build) => {
  test.each(FIXTURES)("%s", async (_name, kind, fixtures) => {
    const codec = await loadCodec({ build });
    // One row per fixture, each also next to a text and an int4 column.
    const plan = [K.Text, kind, K.Int4];
    const stream = concatAll(fixtures.map(([wire], r) => dataRow([utf8("x"), wire, int32(r)])));
    const rows = readAll(codec, [stream], plan);
    expect(rows).toStrictEqual(fixtures.map(([, expected], r) => ["x", expected, r]));
  });

  test("a stream of every kind decodes the same split at every byte and in chunks of every size", async () => {
    // Up to four short fixtures of every kind (a NULL among them where there is one).
    const columns = FIXTURES.map(([, kind, fixtures]) => {
      const short = fixtures.filter(([w]) => w === null || w.length < 200);
      return { kind, fixtures: short.length > 4 ? [...short.slice(0, 3), ...short.slice(-1)] : short };
    });
    const plan = [K.Int8, ...columns.map((c) => c.kind), K.Text];
    const rowCount = Math.max(...columns.map((c) => c.fixtures.length));
    const wires: (Uint8Array | null)[][] = [];
    const expected: unknown[][] = [];
    for (let r = 0; r < rowCount; r++) {
      const cells = columns.map((c) => c.fixtures[r % c.fixtures.length]!);
      wires.push([int64(BigInt(r)), ...cells.map(([w]) => w), utf8(`row ${r}`)]);
      expected.push([BigInt(r), ...cells.map(([, e]) => e), `row ${r}`]);
    }
    const stream = concat(message("Z", utf8("I")), ...wires.map(dataRow), message("C", utf8("SELECT\0")));
    const codec = await loadCodec({ build });
    codec.setStopTypes("");
    const whole = readAll(codec, [stream], plan);
    expect(whole).toStrictEqual(expected);
    // Compared as exact fingerprints (toStrictEqual on thousands of splits would take minutes).
    const want = fingerprint(whole);
    for (let at = 0; at <= stream.length; at++) {
      const got = fingerprint(readAll(codec, [stream.subarray(0, at), stream.subarray(at)], plan));
      if (got !== want) expect(got, `split at ${at}`).toBe(want);
    }
    for (let size = 1; size <= 97; size += size < 16 ? 1 : 9) {
      expect(fingerprint(readAll(codec, chunksOf(stream, size), plan)), `chunks of ${size}`).toBe(want);
    }
  });
});

/** An exact text of decoded rows: class names, bigints, -0, NaN and ±Infinity are all told apart. */
function fingerprint(rows: unknown[][]): string {
  return JSON.stringify(rows, function (this: unknown, _key, value: unknown) {
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0)))
      return `number ${Object.is(value, -0) ? "-0" : value}`;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return { class: value.constructor.name, ...value };
    }
    return value;
  });
}
