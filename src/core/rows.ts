// Turning framed DataRows into JS rows. Binary fixed-width columns come out of the WASM
// codec already decoded (typed columns); text columns are decoded here from their offsets.

import type { MemoryViews } from "../codec/codec.js";
import { arrayKind, type Codec, ColumnKind, rangeKind } from "../codec/index.js";
import { DecodePlan } from "../codec/plan.js";
import { asciiText, columnValue } from "../codec/values.js";
import { InterfaceError } from "../errors.js";
import type { ColumnInfo } from "../protocol/messages.js";
import type { DecodeText } from "../protocol/text-encoding.js";
import { formatDate, formatTime, timestampFromMillis } from "../types/datetime.js";
import * as oids from "../types/oids.js";
import { type InAdapter, RANGE_SUBTYPE, type TypeRegistry } from "../types/registry.js";
import { type ByteDecoder, byteDecoder, NOT_FAST } from "../types/text-bytes.js";

type ScalarKind = (typeof ColumnKind)[keyof typeof ColumnKind];

/** Scalar types the codec decodes in binary, by OID. Everything else is requested as text. */
const BINARY_KIND = new Map<number, ScalarKind>([
  [oids.BOOLEAN, ColumnKind.Bool],
  [oids.SMALLINT, ColumnKind.Int2],
  [oids.INTEGER, ColumnKind.Int4],
  [oids.BIGINT, ColumnKind.Int8],
  [oids.REAL, ColumnKind.Float4],
  [oids.FLOAT, ColumnKind.Float8],
  [oids.OID, ColumnKind.Oid],
  [oids.XID, ColumnKind.Oid],
  [oids.CID, ColumnKind.Oid],
  [oids.DATE, ColumnKind.Date],
  [oids.TIME, ColumnKind.Time],
  [oids.TIMESTAMP, ColumnKind.Timestamp],
  [oids.TIMESTAMPTZ, ColumnKind.Timestamp],
  [oids.UUID_TYPE, ColumnKind.Uuid],
  [oids.NUMERIC, ColumnKind.Numeric],
  [oids.INTERVAL, ColumnKind.Interval],
  [oids.TIMETZ, ColumnKind.Timetz],
  [oids.POINT, ColumnKind.Point],
  [oids.MACADDR, ColumnKind.Macaddr],
  [oids.MACADDR8, ColumnKind.Macaddr8],
]);
// Stay text: money (its text follows lc_monetary), int2vector/oidvector (space-separated text
// form, rarely in results), multiranges, and everything of variable width without a decoder.

/** Built-in arrays of those types → their element type (the arrays' binary form is generic). */
const BINARY_ARRAY_ELEMENT = new Map<number, number>(
  [...oids.ARRAY_ELEMENT].filter(([, element]) => BINARY_KIND.has(element)),
);

/** Built-in range types → their subtype (pg_range.rngsubtype); all six decode in binary. */
const BINARY_RANGE_SUBTYPE = RANGE_SUBTYPE;

/**
 * The plan kind for a result column of type `oid`, or Text. An in adapter for the type — or for
 * an array's element or a range's subtype, which the text path applies inside them — keeps the
 * column in text so the adapter sees the text form.
 */
export function binaryKind(oid: number, registry: TypeRegistry): number {
  if (registry.hasInAdapter(oid)) return ColumnKind.Text;
  const scalar = BINARY_KIND.get(oid);
  if (scalar !== undefined) return scalar;
  const element = BINARY_ARRAY_ELEMENT.get(oid);
  if (element !== undefined)
    return registry.hasInAdapter(element) ? ColumnKind.Text : arrayKind(BINARY_KIND.get(element)!);
  const subtype = BINARY_RANGE_SUBTYPE.get(oid);
  if (subtype !== undefined)
    return registry.hasInAdapter(subtype) ? ColumnKind.Text : rangeKind(BINARY_KIND.get(subtype)!);
  return ColumnKind.Text;
}

type Column = Int16Array | Int32Array | Uint32Array | BigInt64Array | Float32Array | Float64Array | Uint8Array;

/**
 * How one result set's rows are decoded: a decode plan (binary kinds, applied by the codec) plus
 * a text decoder per text column. Built once per statement description.
 */
export class RowDecoder {
  readonly plan: DecodePlan;
  private readonly kinds: Uint8Array;
  private readonly text: (InAdapter | undefined)[];
  private columns: (Column | null)[] = [];
  private views: MemoryViews | null = null;

  private constructor(
    plan: DecodePlan,
    text: (InAdapter | undefined)[],
    private readonly decodeText: DecodeText,
    /** Text columns decoded from the bytes without a string first (see text-bytes.ts). */
    private readonly fromBytes: (ByteDecoder | undefined)[] = [],
  ) {
    this.plan = plan;
    this.kinds = plan.kinds;
    this.text = text;
  }

  /** All columns arrive as text (simple protocol, or an unprepared extended query). */
  static forText(columns: ColumnInfo[], registry: TypeRegistry, decodeText: DecodeText): RowDecoder {
    return new RowDecoder(
      new DecodePlan(new Uint8Array(columns.length)),
      columns.map((c) => registry.textDecoder(c.type_oid)),
      decodeText,
      columns.map((c) => (registry.hasInAdapter(c.type_oid) ? undefined : byteDecoder(c.type_oid))),
    );
  }

  /** Binary for what the codec decodes (unless an in-adapter overrides the type), text otherwise. */
  static forBinary(columns: ColumnInfo[], registry: TypeRegistry, decodeText: DecodeText): RowDecoder {
    const kinds = Uint8Array.from(columns, (c) => binaryKind(c.type_oid, registry));
    return new RowDecoder(
      new DecodePlan(kinds),
      columns.map((c, i) => (kinds[i] === ColumnKind.Text ? registry.textDecoder(c.type_oid) : undefined)),
      decodeText,
    );
  }

  /** Result format codes for Bind: 1 where the codec decodes binary. */
  resultFormats(): number[] {
    return this.plan.resultFormats();
  }

  /**
   * DataRow i must have one field per described column. With a plan the codec checks this;
   * rows all in text have no plan, so it is checked here. A mismatch is a protocol violation.
   */
  checkFieldCount(codec: Codec, i: number): void {
    const n = codec.frameFieldCount(i);
    if (n !== this.kinds.length) {
      throw new InterfaceError(
        `protocol violation: a DataRow has ${n} fields but the RowDescription has ${this.kinds.length} columns; the connection is closed`,
      );
    }
  }

  /** Re-reads the codec's typed columns; call at the start of every framed batch. */
  refresh(codec: Codec): void {
    const cols = this.columns;
    cols.length = this.kinds.length;
    for (let c = 0; c < this.kinds.length; c++) {
      cols[c] = this.kinds[c] === ColumnKind.Text ? null : codec.column(c);
    }
    this.views = codec.views;
  }

  /** Builds the row for framed message `i` of the current batch. */
  decode(codec: Codec, i: number): unknown[] {
    const first = codec.frameFirstField(i);
    const n = codec.frameFieldCount(i);
    const rowIndex = codec.frameRowIndex(i);
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
        const fast = this.fromBytes[c];
        if (fast !== undefined) {
          const value = fast(bytes, off, off + len);
          if (value !== NOT_FAST) {
            row[c] = value;
            continue;
          }
        }
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
          row[c] = asciiText(col as Uint8Array, rowIndex * 36, 36);
          break;
        case ColumnKind.Int2:
        case ColumnKind.Int4:
        case ColumnKind.Int8:
        case ColumnKind.Float4:
        case ColumnKind.Float8:
        case ColumnKind.Oid:
          row[c] = col[rowIndex];
          break;
        default: // numeric, interval, timetz, point, macaddr, arrays, ranges
          row[c] = columnValue(this.views!, kind, col, rowIndex);
      }
    }
    return row;
  }
}
