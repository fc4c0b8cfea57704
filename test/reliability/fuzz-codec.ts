// The seeded codec fuzzer: random decode plans (every binary column kind, arrays, ranges) over
// DataRows of random field bytes — right-sized, wrong-sized, NULL — mixed with other backend
// messages, then mutated and pushed in random chunks straight into the WASM codec. Every push
// either frames (and every planned value then reads, or raises DataError for a value JavaScript
// cannot hold) or throws InterfaceError; anything else is a bug. Much faster than a case through the driver, so this is
// where the millions of cases go.

import { arrayKind, type Codec, ColumnKind, loadCodec, rangeKind } from "../../src/codec/index.js";
import { compileCodec } from "../../src/codec/module.js";
import { columnValue } from "../../src/codec/values.js";
import { DatabaseError, InterfaceError } from "../../src/errors.js";
import { mutate } from "./fuzz-harness.js";
import { rng } from "./workload.js";

const K = ColumnKind;
/** Binary width of each fixed-width kind; 0 = variable. */
const WIDTH: Record<number, number> = {
  [K.Bool]: 1,
  [K.Int2]: 2,
  [K.Int4]: 4,
  [K.Int8]: 8,
  [K.Float4]: 4,
  [K.Float8]: 8,
  [K.Oid]: 4,
  [K.Date]: 4,
  [K.Time]: 8,
  [K.Timestamp]: 8,
  [K.Uuid]: 16,
  [K.Numeric]: 0,
  [K.Interval]: 16,
  [K.Timetz]: 12,
  [K.Point]: 16,
  [K.Macaddr]: 6,
  [K.Macaddr8]: 8,
};
const SCALARS = Object.keys(WIDTH).map(Number);
const KINDS = [
  K.Text,
  ...SCALARS,
  arrayKind(K.Int4),
  arrayKind(K.Float8),
  arrayKind(K.Date),
  rangeKind(K.Int4),
  rangeKind(K.Date),
];

export interface CodecFuzzReport {
  cases: number;
  framed: number;
  refused: number;
  values: number;
  /** Codec instances used (a refused stream fails its codec for good). */
  codecs: number;
  /** Refusals by the first words of their message. */
  reasons: Record<string, number>;
  failures: string[];
}

const be32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const be16 = (n: number): number[] => [(n >> 8) & 255, n & 255];
const msg = (type: string, body: number[]): number[] => [type.charCodeAt(0), ...be32(body.length + 4), ...body];
const bytes = (n: number, r: () => number): number[] => Array.from({ length: n }, () => Math.floor(r() * 256));

function fieldFor(kind: number, r: () => number): number[] {
  const width = WIDTH[kind];
  if (width !== undefined && width > 0) {
    // Mostly the right width (any bits), sometimes one off: both must be handled.
    const n = r() < 0.98 ? width : Math.max(0, width + (r() < 0.5 ? -1 : 1));
    if (kind === K.Bool && r() < 0.95) return [r() < 0.5 ? 1 : 0];
    if (kind === K.Timetz && r() < 0.95) {
      const micros = BigInt(Math.floor(r() * 86_400_000_001));
      const time = Array.from({ length: 8 }, (_, i) => Number((micros >> BigInt(56 - i * 8)) & 255n));
      return [...time, ...be32(Math.floor((r() - 0.5) * 2 * 57_599))];
    }
    return bytes(n, r);
  }
  if (kind === K.Numeric) {
    const ndigits = Math.floor(r() * 4);
    const digits = Array.from({ length: ndigits }, () =>
      be16(r() < 0.98 ? Math.floor(r() * 10000) : Math.floor(r() * 65536)),
    ).flat();
    const sign =
      r() < 0.9
        ? [0, 0x4000][Math.floor(r() * 2)]!
        : [0xc000, 0xd000, 0xf000, Math.floor(r() * 65536)][Math.floor(r() * 4)]!;
    return [
      ...be16(ndigits),
      ...be16(Math.floor((r() - 0.5) * 40)),
      ...be16(sign),
      ...be16(Math.floor(r() * 20)),
      ...digits,
    ];
  }
  if (kind === K.Text) return bytes(Math.floor(r() * 12), r);
  if (kind === arrayKind(K.Int4) || kind === arrayKind(K.Float8) || kind === arrayKind(K.Date)) {
    const element = kind === arrayKind(K.Int4) ? 23 : kind === arrayKind(K.Float8) ? 701 : 1082;
    const width = element === 701 ? 8 : r() < 0.98 ? 4 : Math.floor(r() * 6);
    const n = Math.floor(r() * 4);
    const items = Array.from({ length: n }, () => {
      if (r() < 0.2) return be32(-1);
      const size = width;
      return [...be32(size), ...bytes(size, r)];
    }).flat();
    const ndim = r() < 0.03 ? Math.floor(r() * 8) : n === 0 ? 0 : 1;
    const dims = ndim === 0 ? [] : [...be32(n), ...be32(r() < 0.9 ? 1 : Math.floor((r() - 0.5) * 10))];
    return [...be32(ndim), ...be32(r() < 0.5 ? 1 : 0), ...be32(element), ...dims, ...items];
  }
  // range: flags, then lower/upper bounds present as the flags say
  const flags = r() < 0.97 ? [0, 0x01, 0x02, 0x06, 0x08, 0x10, 0x18][Math.floor(r() * 7)]! : Math.floor(r() * 256);
  const bound = (): number[] => [...be32(4), ...bytes(4, r)];
  return [flags, ...(flags & 0x09 ? [] : bound()), ...(flags & 0x11 ? [] : bound())];
}

function streamFor(kinds: number[], r: () => number): number[] {
  const out: number[] = [];
  const rows = Math.floor(r() * 6);
  for (let i = 0; i < rows; i++) {
    const count = r() < 0.99 ? kinds.length : Math.floor(r() * (kinds.length + 2));
    const fields = Array.from({ length: count }, (_, c) => {
      if (r() < 0.1) return be32(-1);
      const field = fieldFor(kinds[c] ?? K.Text, r);
      return [...be32(field.length), ...field];
    }).flat();
    out.push(...msg("D", [...be16(count), ...fields]));
    if (r() < 0.1) out.push(...msg("N", [0x53, 0x4e, 0x4f, 0x54, 0x49, 0x43, 0x45, 0, 0]));
    if (r() < 0.05) out.push(...msg("S", [0x61, 0, 0x62, 0]));
  }
  out.push(...msg("C", [0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0]));
  out.push(...msg("Z", [0x49]));
  return out;
}

/** Frames everything pushed so far, reading every planned value of every batch; returns the last type framed. */
function drain(codec: Codec, kinds: number[], count: number, report: CodecFuzzReport, last: number): number {
  for (;;) {
    if (count > 0) last = codec.messages[(count - 1) * 6]!;
    if (count > 0 && codec.rowCount > 0) {
      for (let c = 0; c < kinds.length; c++) {
        const column = codec.column(c);
        if (!column) continue;
        for (let row = 0; row < codec.rowCount; row++) {
          columnValue(codec.views, kinds[c]!, column, row);
          report.values++;
        }
      }
    }
    if (!codec.pending) return last;
    count = codec.resume();
  }
}

export async function runCodecFuzz(seed: number, cases: number): Promise<CodecFuzzReport> {
  const r = rng(seed);
  const module = await compileCodec("release");
  const report: CodecFuzzReport = { cases: 0, framed: 0, refused: 0, values: 0, codecs: 0, reasons: {}, failures: [] };
  let codec: Codec | null = null;
  let kinds: number[] = [];
  let planned = false;
  for (let n = 0; n < cases && report.failures.length < 20; n++) {
    if (!codec) {
      codec = await loadCodec({ module });
      report.codecs++;
      planned = false;
    }
    // A plan serves several cases (as one statement's plan serves many rows): setting a plan
    // costs more than framing a few rows.
    if (!planned || r() < 0.05) {
      kinds = Array.from({ length: 1 + Math.floor(r() * 5) }, () => KINDS[Math.floor(r() * KINDS.length)]!);
      planned = false;
    }
    let stream: Uint8Array = Uint8Array.from(streamFor(kinds, r));
    if (r() < 0.15) stream = mutate(stream, r);
    report.cases++;
    try {
      if (!planned) codec.setPlan(kinds);
      planned = true;
      let last = 0;
      for (let at = 0; at < stream.length; ) {
        const size = r() < 0.5 ? stream.length : 1 + Math.floor(r() * 64);
        last = drain(codec, kinds, codec.push(stream.subarray(at, at + size)), report, last);
        at += size;
      }
      report.framed++;
      // A mangled stream may leave a message half-read (a length that promises more bytes):
      // it would swallow the next case, so that one starts with a fresh codec.
      if (last !== 0x5a) codec = null;
    } catch (err) {
      // InterfaceError for bytes that break the protocol, DataError for a value JS cannot hold.
      if (err instanceof InterfaceError || err instanceof DatabaseError) {
        report.refused++;
        const reason = err.message
          .replace(/[0-9]+/g, "N")
          .split(/[:(]/)
          .slice(0, 2)
          .join(":")
          .slice(0, 110);
        report.reasons[reason] = (report.reasons[reason] ?? 0) + 1;
      } else report.failures.push(`seed ${seed} case ${n}: ${(err as Error)?.stack ?? String(err)}`);
      codec = null;
    }
  }
  return report;
}
