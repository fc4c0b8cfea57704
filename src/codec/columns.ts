// Typed views of a batch's decoded columns, one element (or a fixed number of elements) per row:
// the array type for each column kind (see ColumnKind in ./layout.ts).

import { ARRAY_OF, ColumnKind, columnSize, RANGE_OF } from "./layout.js";

export type TypedColumn =
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | Uint8Array;

/** The column of `rows` rows of `kind` at `addr` in the codec's memory; null for kinds without one (Text). */
export function typedColumn(buffer: ArrayBuffer, kind: number, addr: number, rows: number): TypedColumn | null {
  if (kind >= RANGE_OF) return new Uint8Array(buffer, addr, rows * columnSize(kind));
  if (kind >= ARRAY_OF) return new Int32Array(buffer, addr, rows);
  switch (kind) {
    case ColumnKind.Bool:
      return new Uint8Array(buffer, addr, rows);
    case ColumnKind.Int2:
      return new Int16Array(buffer, addr, rows);
    case ColumnKind.Int4:
    case ColumnKind.Date:
      return new Int32Array(buffer, addr, rows);
    case ColumnKind.Oid:
      return new Uint32Array(buffer, addr, rows);
    case ColumnKind.Int8:
      return new BigInt64Array(buffer, addr, rows);
    case ColumnKind.Float4:
      return new Float32Array(buffer, addr, rows);
    case ColumnKind.Float8:
    case ColumnKind.Time:
    case ColumnKind.Timestamp:
      return new Float64Array(buffer, addr, rows);
    case ColumnKind.Numeric:
      return new Int32Array(buffer, addr, rows * 2);
    case ColumnKind.Interval:
      return new BigInt64Array(buffer, addr, rows * 2);
    case ColumnKind.Point:
      return new Float64Array(buffer, addr, rows * 2);
    case ColumnKind.Uuid:
    case ColumnKind.Timetz:
    case ColumnKind.Macaddr:
    case ColumnKind.Macaddr8:
      return new Uint8Array(buffer, addr, rows * columnSize(kind));
    default:
      return null;
  }
}
