// The WASM codec against hand-built backend byte streams, fed split at every boundary, on both
// builds. Expected values are worked out here from the protocol and calendar facts, not taken
// from the codec.

import { describe, expect, test } from "vitest";
import { ColumnKind, loadCodec, readFrames } from "../../src/codec/index.js";
import {
  BUILDS,
  type Cell,
  chunksOf,
  collect,
  concat,
  concatAll,
  dataRow,
  type Frame,
  float32,
  float64,
  hexBytes,
  int16,
  int32,
  int64,
  message,
  planMessage,
  uint32,
  utf8,
} from "./codec-wire.js";

const K = ColumnKind;
const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

/** Per column kind: wire values and what the typed column must hold for each. */
const CELLS: Cell[][] = [
  [
    { kind: K.Text, wire: utf8("hello"), expected: null },
    { kind: K.Text, wire: utf8(""), expected: null },
    { kind: K.Text, wire: utf8("héllo wörld, a longer text value over thirty-two bytes"), expected: null },
  ],
  [
    { kind: K.Bool, wire: Uint8Array.of(1), expected: 1 },
    { kind: K.Bool, wire: Uint8Array.of(0), expected: 0 },
  ],
  [
    { kind: K.Int2, wire: int16(-32768), expected: -32768 },
    { kind: K.Int2, wire: int16(32767), expected: 32767 },
    { kind: K.Int2, wire: int16(-1), expected: -1 },
  ],
  [
    { kind: K.Int4, wire: int32(-2147483648), expected: -2147483648 },
    { kind: K.Int4, wire: int32(2147483647), expected: 2147483647 },
    { kind: K.Int4, wire: int32(-7), expected: -7 },
  ],
  [
    { kind: K.Int8, wire: int64(MIN_INT64), expected: MIN_INT64 },
    { kind: K.Int8, wire: int64(MAX_INT64), expected: MAX_INT64 },
    { kind: K.Int8, wire: int64(-1n), expected: -1n },
    { kind: K.Int8, wire: int64(2n ** 53n + 1n), expected: 2n ** 53n + 1n },
  ],
  [
    { kind: K.Float4, wire: float32(NaN), expected: NaN },
    { kind: K.Float4, wire: float32(Infinity), expected: Infinity },
    { kind: K.Float4, wire: float32(-Infinity), expected: -Infinity },
    { kind: K.Float4, wire: float32(-0), expected: -0 },
    { kind: K.Float4, wire: float32(1.5), expected: 1.5 },
    { kind: K.Float4, wire: hexBytes("7f7fffff"), expected: 3.4028234663852886e38 },
    { kind: K.Float4, wire: hexBytes("80000001"), expected: -1.401298464324817e-45 },
  ],
  [
    { kind: K.Float8, wire: float64(NaN), expected: NaN },
    { kind: K.Float8, wire: float64(Infinity), expected: Infinity },
    { kind: K.Float8, wire: float64(-Infinity), expected: -Infinity },
    { kind: K.Float8, wire: float64(-0), expected: -0 },
    { kind: K.Float8, wire: hexBytes("0000000000000001"), expected: 5e-324 },
    { kind: K.Float8, wire: hexBytes("ffefffffffffffff"), expected: -1.7976931348623157e308 },
    { kind: K.Float8, wire: hexBytes("400921fb54442d18"), expected: Math.PI },
  ],
  [
    { kind: K.Oid, wire: uint32(4294967295), expected: 4294967295 },
    { kind: K.Oid, wire: uint32(0), expected: 0 },
    { kind: K.Oid, wire: uint32(2950), expected: 2950 },
  ],
  [
    { kind: K.Date, wire: int32(0), expected: 10957 }, // 2000-01-01
    { kind: K.Date, wire: int32(-10957), expected: 0 }, // 1970-01-01
    { kind: K.Date, wire: int32(8766), expected: 19723 }, // 2024-01-01 = 1704067200 s / 86400
    { kind: K.Date, wire: int32(-2451545), expected: -2440588 }, // Julian day 0, PostgreSQL's earliest date
    { kind: K.Date, wire: int32(2147483647), expected: 2147483647 }, // infinity
    { kind: K.Date, wire: int32(-2147483648), expected: -2147483648 }, // -infinity
  ],
  [
    { kind: K.Time, wire: int64(0n), expected: 0 },
    { kind: K.Time, wire: int64(45296789012n), expected: 45296789012 }, // 12:34:56.789012
    { kind: K.Time, wire: int64(86400000000n), expected: 86400000000 }, // 24:00:00
  ],
  [
    { kind: K.Timestamp, wire: int64(0n), expected: 946684800000 },
    { kind: K.Timestamp, wire: int64(-1n), expected: 946684799999 }, // floors toward -infinity
    { kind: K.Timestamp, wire: int64(1999n), expected: 946684800001 },
    { kind: K.Timestamp, wire: int64(-1001n), expected: 946684799998 },
    { kind: K.Timestamp, wire: int64(757382400000000n), expected: 1704067200000 }, // 2024-01-01T00:00:00Z
    { kind: K.Timestamp, wire: int64(-211813488000000000n), expected: -210866803200000 }, // Julian day 0
    { kind: K.Timestamp, wire: int64(MAX_INT64), expected: Infinity },
    { kind: K.Timestamp, wire: int64(MIN_INT64), expected: -Infinity },
  ],
  [
    {
      kind: K.Uuid,
      wire: hexBytes("000102030405060708090a0b0c0d0e0f"),
      expected: "00010203-0405-0607-0809-0a0b0c0d0e0f",
    },
    {
      kind: K.Uuid,
      wire: hexBytes("A0EEBC999C0B4EF8BB6D6BB9BD380A11"),
      expected: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    },
    { kind: K.Uuid, wire: new Uint8Array(16).fill(0xff), expected: "ffffffff-ffff-ffff-ffff-ffffffffffff" },
  ],
];

const PLAN = CELLS.map((cells) => cells[0]!.kind);
/** What a NULL leaves in each kind's typed column. */
const NULL_VALUE: Record<number, number | bigint | string> = {
  [K.Int8]: 0n,
  [K.Uuid]: "\0".repeat(36),
};

/** Rows cycling through every cell of every kind, then an all-NULL row. */
function fixtureRows(): Cell[][] {
  const count = Math.max(...CELLS.map((c) => c.length));
  const rows: Cell[][] = [];
  for (let r = 0; r < count; r++) rows.push(CELLS.map((cells) => cells[r % cells.length]!));
  rows.push(CELLS.map((cells) => ({ kind: cells[0]!.kind, wire: null, expected: NULL_VALUE[cells[0]!.kind] ?? 0 })));
  return rows;
}

function rowFrame(row: Cell[], decoded: boolean): Frame {
  const frame: Frame = {
    type: "D",
    body: Array.from(dataRow(row.map((c) => c.wire)).subarray(5)),
    fields: row.map((c) => (c.wire === null ? null : Array.from(c.wire))),
  };
  if (decoded) frame.values = row.map((c) => (c.kind === K.Text ? undefined : c.expected));
  return frame;
}

function asFrame(bytes: Uint8Array): Frame {
  return { type: String.fromCharCode(bytes[0]!), body: Array.from(bytes.subarray(5)) };
}

/** Every kind of framing situation: startup chatter, zero-length bodies, rows with and without a plan. */
function sessionStream(): { stream: Uint8Array; expected: Frame[] } {
  const rows = fixtureRows();
  const undecoded = [dataRow([utf8("1"), null, utf8("")]), dataRow([]), dataRow([null])];
  const head = [
    message("R", int32(0)),
    message("S", utf8("client_encoding\0UTF8\0")),
    message("K", int32(1234), int32(-5678)),
    message("Z", utf8("I")),
    message("n"),
    message("I"),
  ];
  const planned = [planMessage(PLAN), ...rows.map((r) => dataRow(r.map((c) => c.wire)))];
  const tail = [message("C", utf8("SELECT 7\0")), message("N", utf8("SNOTICE\0\0")), message("Z", utf8("T"))];
  const stream = concat(...head, ...undecoded, ...planned, ...tail);
  const expected: Frame[] = [
    ...head.map(asFrame),
    ...undecoded.map((d) => ({ ...asFrame(d), fields: fieldsOf(d) })),
    asFrame(planned[0]!),
    ...rows.map((r) => rowFrame(r, true)),
    ...tail.map(asFrame),
  ];
  return { stream, expected };
}

/** Fields of a DataRow built by dataRow(), parsed back independently of the codec. */
function fieldsOf(d: Uint8Array): (number[] | null)[] {
  const view = new DataView(d.buffer, d.byteOffset, d.length);
  const fields: (number[] | null)[] = [];
  let at = 7;
  for (let k = 0; k < view.getInt16(5); k++) {
    const len = view.getInt32(at);
    at += 4;
    fields.push(len < 0 ? null : Array.from(d.subarray(at, at + len)));
    if (len > 0) at += len;
  }
  return fields;
}

describe.each(BUILDS)("codec, %s build", (build) => {
  test("frames and decodes the same at every chunk size", async () => {
    const { stream, expected } = sessionStream();
    const codec = await loadCodec({ build });
    for (let size = 1; size <= stream.length; size++) {
      expect(collect(codec, chunksOf(stream, size)), `chunk size ${size}`).toEqual(expected);
      codec.clearPlan();
    }
  });

  test("frames and decodes the same when split in two at every byte", async () => {
    const { stream, expected } = sessionStream();
    const codec = await loadCodec({ build });
    for (let at = 0; at <= stream.length; at++) {
      const chunks = [stream.subarray(0, at), stream.subarray(at)];
      expect(collect(codec, chunks), `split at ${at}`).toEqual(expected);
      codec.clearPlan();
    }
  });

  test("random chunkings of a long stream agree with one push", async () => {
    const rows = fixtureRows();
    const parts = [planMessage(PLAN)];
    for (let i = 0; i < 3000; i++) parts.push(dataRow(rows[i % rows.length]!.map((c) => c.wire)));
    parts.push(message("C", utf8("SELECT 3000\0")));
    const stream = concatAll(parts);
    const whole = collect(await loadCodec({ build }), [stream]);
    expect(whole.length).toBe(3002);
    expect(whole[1]).toEqual(rowFrame(rows[0]!, true));
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const codec = await loadCodec({ build });
    for (let round = 0; round < 5; round++) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + Math.floor(random() * random() * 70000);
        chunks.push(stream.subarray(at, at + size));
        at += size;
      }
      expect(collect(codec, chunks)).toEqual(whole);
    }
  });

  test("a stop after RowDescription lets a new plan apply to the rows that follow", async () => {
    const first = [K.Int4, K.Text];
    const second = [K.Float8, K.Bool, K.Int2];
    const stream = concat(
      planMessage(first),
      dataRow([int32(42), utf8("x")]),
      dataRow([int32(-1), null]),
      message("C", utf8("SELECT 2\0")),
      planMessage(second),
      dataRow([float64(2.5), Uint8Array.of(1), int16(-3)]),
      message("C", utf8("SELECT 1\0")),
    );
    const codec = await loadCodec({ build });
    expect(codec.push(stream)).toBe(1); // stopped right after the first 'T'
    expect(codec.pending).toBe(true);
    codec.setPlan(first);
    expect(codec.resume()).toBe(4); // two rows, 'C', and the second 'T'
    expect(codec.column(0)).toEqual(Int32Array.of(42, -1));
    expect(codec.column(1)).toBeNull();
    expect(codec.pending).toBe(true);
    codec.setPlan(second);
    expect(codec.resume()).toBe(2);
    expect(codec.pending).toBe(false);
    expect(codec.column(0)).toEqual(Float64Array.of(2.5));
    expect(codec.column(1)).toEqual(Uint8Array.of(1));
    expect(codec.column(2)).toEqual(Int16Array.of(-3));
  });

  test("pending is false when the message after a stop has not fully arrived", async () => {
    const row = dataRow([int32(5)]);
    const codec = await loadCodec({ build });
    expect(codec.push(concat(planMessage([K.Int4]), row.subarray(0, 6)))).toBe(1);
    expect(codec.pending).toBe(false);
    codec.setPlan([K.Int4]);
    expect(codec.push(row.subarray(6))).toBe(1);
    expect(codec.column(0)).toEqual(Int32Array.of(5));
  });

  test("setStopTypes chooses where framing stops; '' frames everything at once", async () => {
    const stream = concat(planMessage([]), message("C", utf8("x\0")), message("Z", utf8("I")), message("Z", utf8("I")));
    const codec = await loadCodec({ build });
    codec.setStopTypes("");
    expect(codec.push(stream)).toBe(4);
    expect(codec.pending).toBe(false);
    codec.setStopTypes("CZ");
    expect(codec.push(stream)).toBe(2);
    expect(codec.pending).toBe(true);
    expect(codec.resume()).toBe(1);
    expect(codec.resume()).toBe(1);
    expect(codec.pending).toBe(false);
    expect(codec.resume()).toBe(0);
  });

  test("a full message table stops with pending and resume frames the rest", async () => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 10000; i++) parts.push(dataRow([int32(i), null]));
    const stream = concatAll(parts);
    const codec = await loadCodec({ build });
    codec.setPlan([K.Int4, K.Int8]);
    const seen: number[] = [];
    let batches = 0;
    for (let n = codec.push(stream); ; n = codec.resume()) {
      batches++;
      const m = codec.messages;
      const ints = codec.column(0) as Int32Array;
      expect(ints.length).toBe(n);
      for (let i = 0; i < n; i++) {
        expect(m[i * 6 + 5]).toBe(i);
        seen.push(ints[m[i * 6 + 5]!]!);
      }
      expect(codec.column(1)).toEqual(new BigInt64Array(n));
      if (!codec.pending) break;
    }
    expect(batches).toBeGreaterThan(1);
    expect(seen).toEqual(Array.from({ length: 10000 }, (_, i) => i));
  });

  test("rows of a wide plan fill the typed columns early and resume continues", async () => {
    const columns = 300;
    const plan = new Array<number>(columns).fill(K.Uuid);
    const uuid = hexBytes("a0eebc999c0b4ef8bb6d6bb9bd380a11");
    const rows = 200;
    const parts = [];
    for (let r = 0; r < rows; r++) {
      parts.push(dataRow(Array.from({ length: columns }, (_, c) => (c === r % columns ? null : uuid))));
    }
    const codec = await loadCodec({ build });
    codec.setPlan(plan);
    let row = 0;
    let batches = 0;
    for (let n = codec.push(concatAll(parts)); ; n = codec.resume()) {
      batches++;
      for (let i = 0; i < n; i++, row++) {
        const nullColumn = row % columns;
        const text = String.fromCharCode(...(codec.column(nullColumn) as Uint8Array).subarray(i * 36, i * 36 + 36));
        expect(text).toBe("\0".repeat(36));
        const other = String.fromCharCode(
          ...(codec.column((nullColumn + 1) % columns) as Uint8Array).subarray(i * 36, i * 36 + 36),
        );
        expect(other).toBe("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
      }
      if (!codec.pending) break;
    }
    expect(row).toBe(rows);
    expect(batches).toBeGreaterThan(1);
  });

  test("many-field rows fill the field table early and resume continues", async () => {
    const parts = [];
    for (let r = 0; r < 100; r++)
      parts.push(dataRow(Array.from({ length: 1000 }, (_, k) => (k === r ? int32(r) : null))));
    const codec = await loadCodec({ build });
    let rows = 0;
    let batches = 0;
    for (let n = codec.push(concatAll(parts)); ; n = codec.resume()) {
      batches++;
      for (let i = 0; i < n; i++, rows++) {
        expect(codec.fieldBytes(i, rows)).toEqual(int32(rows));
        expect(codec.fieldBytes(i, rows === 0 ? 1 : 0)).toBeNull();
      }
      if (!codec.pending) break;
    }
    expect(rows).toBe(100);
    expect(batches).toBeGreaterThan(1);
  });

  test("one DataRow with more fields than the whole field table", async () => {
    const fields = Array.from({ length: 65535 }, (_, k) => (k % 3 === 0 ? null : int16(k)));
    const row = dataRow(fields);
    const codec = await loadCodec({ build });
    const before = codec.push(message("Z", utf8("I")));
    expect(before).toBe(1);
    const frames = collect(codec, chunksOf(concat(message("C", utf8("x\0")), row, row), 65536));
    expect(frames.map((f) => f.type)).toEqual(["C", "D", "D"]);
    expect(frames[1]!.fields).toEqual(fields.map((f) => (f === null ? null : Array.from(f))));
    expect(frames[2]!.fields).toEqual(frames[1]!.fields);
  });

  test("a plan wider than the plan region, with rows wider than the columns region", async () => {
    const columns = 40000;
    const plan = Array.from({ length: columns }, (_, c) => (c % 2 === 0 ? K.Int8 : K.Uuid));
    const uuid = hexBytes("00010203-0405-0607-0809-0a0b0c0d0e0f");
    const row = (r: number) => dataRow(plan.map((_, c) => (c % 2 === 0 ? int64(BigInt(c * 10 + r)) : uuid)));
    const codec = await loadCodec({ build });
    codec.setPlan(plan);
    let seen = 0;
    for (let n = codec.push(concat(row(0), row(1), row(2))); ; n = codec.resume()) {
      for (let i = 0; i < n; i++, seen++) {
        const rowIndex = codec.messages[i * 6 + 5]!;
        expect((codec.column(columns - 2) as BigInt64Array)[rowIndex]).toBe(BigInt((columns - 2) * 10 + seen));
        expect((codec.column(0) as BigInt64Array)[rowIndex]).toBe(BigInt(seen));
        const uuidText = (codec.column(columns - 1) as Uint8Array).subarray(rowIndex * 36, rowIndex * 36 + 36);
        expect(String.fromCharCode(...uuidText)).toBe("00010203-0405-0607-0809-0a0b0c0d0e0f");
      }
      if (!codec.pending) break;
    }
    expect(seen).toBe(3);
  });

  test("a plan applies to rows framed after setPlan, not to the current batch", async () => {
    const codec = await loadCodec({ build });
    codec.setPlan([K.Int4]);
    codec.push(dataRow([int32(9)]));
    codec.setPlan([K.Int2, K.Int2]);
    // The current batch keeps its columns until the next push/resume.
    expect(codec.column(0)).toEqual(Int32Array.of(9));
    codec.push(dataRow([int16(1), int16(2)]));
    expect(codec.column(1)).toEqual(Int16Array.of(2));
    codec.clearPlan();
    codec.push(dataRow([null, null, null]));
    expect(codec.column(0)).toBeNull();
    expect(() => codec.setPlan([99])).toThrow(/kind 99/);
  });

  test("conveniences: frames(), body(), fieldText(), fieldBytes(), readFrames()", async () => {
    const codec = await loadCodec({ build });
    const stream = concat(message("C", utf8("SELECT 1\0")), dataRow([utf8("héllo"), null, utf8("x".repeat(40))]));
    expect(codec.push(stream)).toBe(2);
    expect(codec.messageCount).toBe(2);
    expect(codec.rowCount).toBe(1);
    const frames = [...codec.frames()];
    expect(frames.map((f) => [f.index, f.type, f.fieldCount, f.rowIndex])).toEqual([
      [0, "C", -1, -1],
      [1, "D", 3, 0],
    ]);
    expect(codec.body(0)).toEqual(utf8("SELECT 1\0"));
    expect(codec.fieldText(1, 0)).toBe("héllo");
    expect(codec.fieldText(1, 1)).toBeNull();
    expect(codec.fieldText(1, 2)).toBe("x".repeat(40));
    expect(codec.fieldBytes(1, 0)).toEqual(utf8("héllo"));
    expect(() => codec.fieldText(0, 0)).toThrow(/no field 0/);
    expect(() => codec.body(2)).toThrow(/no message 2/);

    const fresh = await loadCodec({ build });
    fresh.setStopTypes("TC"); // a plan change takes effect with the next push/resume
    const seen: string[] = [];
    async function* trickle(): AsyncGenerator<Uint8Array> {
      for (const c of chunksOf(concat(planMessage([K.Int4]), dataRow([int32(3)]), stream), 3)) yield c;
    }
    for await (const m of readFrames(fresh, trickle())) {
      if (m.type === "T") fresh.setPlan(Array.from(m.body));
      if (m.type === "D" && m.fieldCount === 1) seen.push(`int ${(fresh.column(0) as Int32Array)[m.rowIndex]}`);
      else seen.push(m.type === "D" ? `row ${fresh.fieldText(m.index, 0)}` : m.type);
      if (m.type === "C") fresh.clearPlan();
    }
    expect(seen).toEqual(["T", "int 3", "C", "row héllo"]);
  });
});

describe("loading", () => {
  test("each codec has its own memory; the module is compiled once", async () => {
    const [a, b] = await Promise.all([loadCodec(), loadCodec()]);
    expect(a.bytes.buffer).not.toBe(b.bytes.buffer);
    a.push(message("Z", utf8("I")));
    expect(b.push(message("C", utf8("x\0")))).toBe(1);
    expect(String.fromCharCode(a.messages[0]!)).toBe("Z");
    expect(String.fromCharCode(b.messages[0]!)).toBe("C");
  });

  test("options are checked", async () => {
    await expect(loadCodec({ maxMessageSize: 3 })).rejects.toThrow(/maxMessageSize/);
    await expect(loadCodec({ maxMessageSize: 2 ** 31 })).rejects.toThrow(/maxMessageSize/);
    await expect(loadCodec({ build: "fast" as "release" })).rejects.toThrow(/unknown codec build/);
  });
});
