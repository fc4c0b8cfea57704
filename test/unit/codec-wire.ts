// Test helpers for the codec: a tiny builder for backend-message bytes (written from the protocol
// document, not from the codec), chunking, and a collector that reads every framed message back
// into plain values so different chunkings can be compared.

import { expect } from "vitest";
import { type Codec, ColumnKind, type ColumnKindValue, MESSAGE_STRIDE } from "../../src/codec/index.js";

export const BUILDS = ["release", "debug"] as const;

export function int16(n: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setInt16(0, n);
  return b;
}
export function int32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return b;
}
export function uint32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}
export function int64(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, n);
  return b;
}
export function float32(x: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x);
  return b;
}
export function float64(x: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x);
  return b;
}
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
export function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/-/g, "");
  return Uint8Array.from({ length: clean.length / 2 }, (_, i) => parseInt(clean.slice(i * 2, i * 2 + 2), 16));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatAll(parts);
}

export function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Type byte, int32 length counting itself, body. */
export function message(type: string, ...body: Uint8Array[]): Uint8Array {
  return framed(type, concatAll(body));
}

function framed(type: string, body: Uint8Array): Uint8Array {
  return concat(utf8(type), int32(body.length + 4), body);
}

/** DataRow: int16 field count, then per field int32 length (-1 = NULL) and the bytes. */
export function dataRow(fields: (Uint8Array | null)[]): Uint8Array {
  const parts = [int16(fields.length)];
  for (const f of fields) parts.push(f === null ? int32(-1) : concat(int32(f.length), f));
  return framed("D", concatAll(parts));
}

/**
 * A stand-in RowDescription whose body is just the plan's kinds: the codec never parses 'T'
 * bodies, and collect() uses them to set the plan for the rows that follow.
 */
export function planMessage(kinds: readonly number[]): Uint8Array {
  return message("T", Uint8Array.from(kinds));
}

export function chunksOf(stream: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i += size) out.push(stream.subarray(i, i + size));
  return out;
}

export type Decoded = number | bigint | string | null;

export interface Frame {
  type: string;
  body: number[];
  /** DataRow fields as bytes (null = NULL). */
  fields?: (number[] | null)[];
  /** DataRow values from the typed columns (Text columns: undefined). */
  values?: (Decoded | undefined)[];
}

/** Reads one batch into frames; a 'T' (stand-in, see planMessage) sets the plan for what follows. */
function readBatch(codec: Codec, count: number, frames: Frame[], plan: { kinds: number[] | null }): void {
  const m = codec.messages;
  const f = codec.fields;
  const bytes = codec.bytes;
  for (let i = 0; i < count; i++) {
    const e = i * MESSAGE_STRIDE;
    const type = String.fromCharCode(m[e]!);
    const body = Array.from(bytes.subarray(m[e + 1]!, m[e + 1]! + m[e + 2]!));
    const frame: Frame = { type, body };
    if (type === "D") {
      const first = m[e + 3]!;
      const n = m[e + 4]!;
      const row = m[e + 5]!;
      frame.fields = [];
      for (let k = 0; k < n; k++) {
        const off = f[(first + k) * 2]!;
        const len = f[(first + k) * 2 + 1]!;
        frame.fields.push(len < 0 ? null : Array.from(bytes.subarray(off, off + len)));
      }
      if (plan.kinds !== null) frame.values = plan.kinds.map((kind, c) => columnValue(codec, c, kind, row));
    } else {
      expect(m.subarray(e + 3, e + 6)).toEqual(Int32Array.of(-1, -1, -1));
    }
    if (type === "T") {
      plan.kinds = body;
      codec.setPlan(body);
    }
    frames.push(frame);
  }
}

function columnValue(codec: Codec, c: number, kind: number, row: number): Decoded | undefined {
  const column = codec.column(c);
  if (kind === ColumnKind.Text) {
    expect(column).toBeNull();
    return undefined;
  }
  expect(column).not.toBeNull();
  if (kind === ColumnKind.Uuid) return String.fromCharCode(...(column as Uint8Array).subarray(row * 36, row * 36 + 36));
  return column![row]!;
}

/** Pushes every chunk, resuming while pending, and returns all frames in order. */
export function collect(codec: Codec, chunks: Iterable<Uint8Array>, initialPlan: number[] | null = null): Frame[] {
  const frames: Frame[] = [];
  const plan = { kinds: initialPlan };
  if (initialPlan !== null) codec.setPlan(initialPlan);
  for (const chunk of chunks) {
    readBatch(codec, codec.push(chunk), frames, plan);
    while (codec.pending) readBatch(codec, codec.resume(), frames, plan);
  }
  return frames;
}

/** A column value as the fixture states it: the wire bytes and what the typed column must hold. */
export interface Cell {
  kind: ColumnKindValue;
  wire: Uint8Array | null;
  expected: Decoded;
}

// ---- binary send formats of the variable-width types, written from the PostgreSQL sources ----

/** numeric_send: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then the base-10000 digits. */
export function numericWire(digits: readonly number[], weight: number, sign: number, dscale: number): Uint8Array {
  const b = new Uint8Array(8 + digits.length * 2);
  const v = new DataView(b.buffer);
  v.setUint16(0, digits.length);
  v.setInt16(2, weight);
  v.setUint16(4, sign);
  v.setUint16(6, dscale);
  digits.forEach((d, i) => v.setUint16(8 + i * 2, d & 0xffff));
  return b;
}
export const NUMERIC_POS = 0x0000;
export const NUMERIC_NEG = 0x4000;
export const NUMERIC_NAN = 0xc000;
export const NUMERIC_PINF = 0xd000;
export const NUMERIC_NINF = 0xf000;

/** interval_send: int64 µs, int32 days, int32 months. */
export function intervalWire(micros: bigint, days: number, months: number): Uint8Array {
  return concat(int64(micros), int32(days), int32(months));
}

/** timetz_send: int64 µs since midnight, int32 zone in seconds WEST of UTC. */
export function timetzWire(micros: bigint, zoneWest: number): Uint8Array {
  return concat(int64(micros), int32(zoneWest));
}

/**
 * array_send: int32 ndim, int32 has-nulls, int32 element OID, per dimension int32 length and
 * int32 lower bound, then each element as int32 length (-1 = NULL) and its bytes.
 */
export function arrayWire(
  elementOid: number,
  dims: readonly (readonly [length: number, lower: number])[],
  elements: readonly (Uint8Array | null)[],
  hasNulls = elements.some((e) => e === null) ? 1 : 0,
): Uint8Array {
  const parts: Uint8Array[] = [int32(dims.length), int32(hasNulls), uint32(elementOid)];
  for (const [length, lower] of dims) parts.push(int32(length), int32(lower));
  for (const e of elements) parts.push(e === null ? int32(-1) : concat(int32(e.length), e));
  return concatAll(parts);
}

export const RANGE_EMPTY = 0x01;
export const RANGE_LB_INC = 0x02;
export const RANGE_UB_INC = 0x04;
export const RANGE_LB_INF = 0x08;
export const RANGE_UB_INF = 0x10;

/** range_send: uint8 flags, then each bound present as int32 length and its bytes. */
export function rangeWire(flags: number, lower: Uint8Array | null, upper: Uint8Array | null): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(flags)];
  for (const bound of [lower, upper]) if (bound !== null) parts.push(int32(bound.length), bound);
  return concatAll(parts);
}
