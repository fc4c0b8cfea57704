// Turning framed DataRows into JS rows. Binary fixed-width columns come out of the WASM
// codec already decoded (typed columns); text columns are decoded here from their offsets.

import { ColumnKind, type Codec } from "../codec/index.js";
import type { ColumnInfo } from "../protocol/messages.js";
import type { DecodeText } from "../protocol/text-encoding.js";
import { formatDate, formatTime, timestampFromMillis } from "../types/datetime.js";
import type { InAdapter, TypeRegistry } from "../types/registry.js";

/** Types the codec decodes in binary, by OID. Everything else is requested as text. */
const BINARY_KIND = new Map<number, number>([
  [16, ColumnKind.Bool],
  [21, ColumnKind.Int2],
  [23, ColumnKind.Int4],
  [20, ColumnKind.Int8],
  [700, ColumnKind.Float4],
  [701, ColumnKind.Float8],
  [26, ColumnKind.Oid],
  [28, ColumnKind.Oid], // xid
  [29, ColumnKind.Oid], // cid
  [1082, ColumnKind.Date],
  [1083, ColumnKind.Time],
  [1114, ColumnKind.Timestamp],
  [1184, ColumnKind.Timestamp],
  [2950, ColumnKind.Uuid],
]);

type Column = Int16Array | Int32Array | Uint32Array | BigInt64Array | Float32Array | Float64Array | Uint8Array;

/**
 * How one result set's rows are decoded: a codec plan (binary kinds) plus a text decoder per
 * text column. Built once per statement description.
 */
export class RowDecoder {
  readonly kinds: Uint8Array;
  private readonly text: (InAdapter | undefined)[];
  /** Whether any column is decoded by the codec (a plan must be set). */
  readonly usesPlan: boolean;
  private columns: (Column | null)[] = [];

  private constructor(
    kinds: Uint8Array,
    text: (InAdapter | undefined)[],
    private readonly decodeText: DecodeText,
  ) {
    this.kinds = kinds;
    this.text = text;
    this.usesPlan = kinds.some((k) => k !== ColumnKind.Text);
  }

  /** All columns arrive as text (simple protocol, or an unprepared extended query). */
  static forText(columns: ColumnInfo[], registry: TypeRegistry, decodeText: DecodeText): RowDecoder {
    return new RowDecoder(
      new Uint8Array(columns.length),
      columns.map((c) => registry.textDecoder(c.type_oid)),
      decodeText,
    );
  }

  /** Binary for what the codec decodes (unless an in-adapter overrides the type), text otherwise. */
  static forBinary(columns: ColumnInfo[], registry: TypeRegistry, decodeText: DecodeText): RowDecoder {
    const kinds = new Uint8Array(columns.length);
    columns.forEach((c, i) => {
      if (!registry.hasInAdapter(c.type_oid)) kinds[i] = BINARY_KIND.get(c.type_oid) ?? ColumnKind.Text;
    });
    return new RowDecoder(
      kinds,
      columns.map((c, i) => (kinds[i] === ColumnKind.Text ? registry.textDecoder(c.type_oid) : undefined)),
      decodeText,
    );
  }

  /** Result format codes for Bind: 1 where the codec decodes binary. */
  resultFormats(): number[] {
    return Array.from(this.kinds, (k) => (k === ColumnKind.Text ? 0 : 1));
  }

  /** Re-reads the codec's typed columns; call at the start of every framed batch. */
  refresh(codec: Codec): void {
    const cols = this.columns;
    cols.length = this.kinds.length;
    for (let c = 0; c < this.kinds.length; c++) {
      cols[c] = this.kinds[c] === ColumnKind.Text ? null : codec.column(c);
    }
  }

  /** Builds the row for framed message `i` of the current batch. */
  decode(codec: Codec, i: number): unknown[] {
    const m = codec.messages;
    const base = i * 6;
    const first = m[base + 3]!;
    const n = m[base + 4]!;
    const rowIndex = m[base + 5]!;
    const fields = codec.fields;
    const bytes = codec.bytes;
    const kinds = this.kinds;
    const row = new Array<unknown>(n);
    for (let c = 0; c < n; c++) {
      const f = (first + c) * 2;
      const len = fields[f + 1]!;
      if (len < 0) {
        row[c] = null;
        continue;
      }
      const kind = kinds[c];
      if (kind === ColumnKind.Text || kind === undefined) {
        const off = fields[f]!;
        const s = this.decodeText(bytes, off, off + len);
        const decoder = this.text[c];
        row[c] = decoder === undefined ? s : decoder(s);
        continue;
      }
      const col = this.columns[c]!;
      switch (kind) {
        case ColumnKind.Bool:
          row[c] = col[rowIndex] === 1;
          break;
        case ColumnKind.Date:
          row[c] = formatDate(col[rowIndex] as number);
          break;
        case ColumnKind.Time:
          row[c] = formatTime(col[rowIndex] as number);
          break;
        case ColumnKind.Timestamp: {
          const ms = col[rowIndex] as number;
          row[c] = timestampFromMillis(ms);
          break;
        }
        case ColumnKind.Uuid:
          row[c] = latin1(col as Uint8Array, rowIndex * 36, 36);
          break;
        default:
          row[c] = col[rowIndex];
      }
    }
    return row;
  }
}

function latin1(bytes: Uint8Array, start: number, n: number): string {
  let s = "";
  for (let i = start; i < start + n; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
