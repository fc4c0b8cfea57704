// The WASM wire codec: frames PostgreSQL backend messages and decodes binary columns (fixed-width
// types, numeric, arrays and ranges of them), one call per socket chunk. Only integers cross the boundary; JS reads everything
// else from linear memory (layout: ./regions.ts; state slots: ./state.ts). The JS side is
// src/codec/.

import { STATE, Slot, Err, fail, get, put } from "./state";
import { initRegions, growInput as growInputRegion, growPlan } from "./regions";
import { initKindTables, setPlan as applyPlan } from "./plan";
import { frame, initTypeFlags, TYPE_FLAGS, STOP } from "./framing";
import { initHexPairs } from "./decode";

/** Sets up tables and regions. Returns the state block's address, or 0 if memory cannot grow. */
export function init(maxMessageSize: i32): usize {
  initTypeFlags();
  initHexPairs();
  initKindTables();
  put(Slot.MaxMessage, maxMessageSize);
  addStopType(0x54); // RowDescription: the core sets the plan before the rows that follow
  return initRegions() ? STATE : 0;
}

/** The input region holds `length` bytes from its start (JS compacted and appended): frame them. */
export function push(length: i32): i32 {
  if (get(Slot.Error) != Err.None) return -1;
  if (length < 0 || length > get(Slot.InCap)) return fail(Err.OutOfMemory, length);
  put(Slot.InPos, 0);
  put(Slot.InLen, length);
  return frame();
}

/** Frames more of the bytes already pushed, as a new batch. */
export function resume(): i32 {
  return frame();
}

/** Makes room for `need` bytes of input (compacting it). 0, or -1 on failure. */
export function growInput(need: i32): i32 {
  if (get(Slot.Error) != Err.None) return -1;
  return growInputRegion(need) ? 0 : -1;
}

/** Makes room for `columns` plan kinds at Slot.PlanKinds. 0, or -1 on failure. */
export function reservePlan(columns: i32): i32 {
  if (get(Slot.Error) != Err.None) return -1;
  return growPlan(columns) ? 0 : -1;
}

/** Applies the `columns` kinds JS wrote at Slot.PlanKinds; -1 clears the plan. 0, or -1 on failure. */
export function setPlan(columns: i32): i32 {
  if (get(Slot.Error) != Err.None) return -1;
  return applyPlan(columns);
}

export function clearStopTypes(): void {
  for (let t: usize = 0; t < 256; t++) store<u8>(TYPE_FLAGS + t, load<u8>(TYPE_FLAGS + t) & ~STOP);
}

export function addStopType(type: i32): void {
  const at = TYPE_FLAGS + <usize>(type & 0xff);
  store<u8>(at, load<u8>(at) | STOP);
}
