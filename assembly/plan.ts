// The decode plan: one column kind per DataRow field, and where each typed column lives in the
// columns region. Kind numbers match ColumnKind in src/codec/layout.ts.

import { Err, Slot, fail, get, put } from "./state";
import { MSG_CAP, growColumns } from "./regions";

export const enum Kind {
  Text = 0,
  Bool = 1,
  Int2 = 2,
  Int4 = 3,
  Int8 = 4,
  Float4 = 5,
  Float8 = 6,
  Oid = 7,
  Date = 8,
  Time = 9,
  Timestamp = 10,
  Uuid = 11,
}

const KIND_COUNT: usize = 12;

/** Bytes of a binary field on the wire, per kind (0 = not decoded). */
export const WIRE_SIZE: usize = memory.data<u8>([0, 1, 2, 4, 8, 4, 8, 4, 4, 8, 8, 16]);
/** Bytes per row in the typed output column, per kind. */
export const COLUMN_SIZE: usize = memory.data<u8>([0, 1, 2, 4, 8, 4, 8, 4, 4, 8, 8, 36]);
/** Placement pass per kind: 8-byte columns first, then 4, 2, 1, so every column is naturally aligned. */
const PLACEMENT: usize = memory.data<u8>([255, 3, 2, 1, 0, 1, 0, 1, 1, 0, 0, 3]);

/**
 * Takes the `columns` kinds JS wrote at Slot.PlanKinds (-1 = no plan) and places their typed
 * columns. Only called when no batch can still be read.
 */
export function setPlan(columns: i32): i32 {
  if (columns < 0) {
    put(Slot.PlanLen, -1);
    put(Slot.RowCap, MSG_CAP);
    put(Slot.RowBytes, 0);
    return 0;
  }
  if (columns > get(Slot.PlanCap)) return fail(Err.BadPlan, columns, -1);
  const kinds = <usize>get(Slot.PlanKinds);
  let rowBytes = 0;
  for (let c = 0; c < columns; c++) {
    const kind = <usize>load<u8>(kinds + <usize>c);
    if (kind >= KIND_COUNT) return fail(Err.BadPlan, c, <i32>kind);
    rowBytes += <i32>load<u8>(COLUMN_SIZE + kind);
  }
  // Set first: a relayout while growing must carry all `columns` kinds along.
  put(Slot.PlanLen, columns);
  if (!growColumns(rowBytes)) return -1;
  assignColumns(columns);
  return 0;
}

/** Gives each typed plan column its place in the columns region and sets the batch row capacity. */
export function assignColumns(columns: i32): void {
  const kinds = <usize>get(Slot.PlanKinds);
  const addrs = <usize>get(Slot.PlanAddrs);
  let rowBytes = 0;
  for (let c = 0; c < columns; c++) {
    rowBytes += <i32>load<u8>(COLUMN_SIZE + <usize>load<u8>(kinds + <usize>c));
  }
  const rowCap = rowBytes == 0 ? MSG_CAP : min(MSG_CAP, get(Slot.ColCap) / rowBytes);
  let addr = <usize>get(Slot.ColBase);
  for (let pass: u8 = 0; pass < 4; pass++) {
    for (let c = 0; c < columns; c++) {
      const kind = <usize>load<u8>(kinds + <usize>c);
      if (load<u8>(PLACEMENT + kind) != pass) continue;
      store<i32>(addrs + (<usize>c << 2), <i32>addr);
      addr += <usize>rowCap * <usize>load<u8>(COLUMN_SIZE + kind);
    }
  }
  put(Slot.RowCap, rowCap);
  put(Slot.RowBytes, rowBytes);
}
