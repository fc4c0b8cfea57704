// Linear memory layout, from __heap_base upwards:
//
//   messages  MSG_CAP × 6 i32     [type, bodyOffset, bodyLength, firstField, fieldCount, rowIndex]
//   fields    FieldCap × 2 i32    [offset, length | -1]
//   plan      PlanCap u8 kinds, PlanCap u8 hot-path kinds, PlanCap i32 column addresses,
//             PlanCap i32 out-of-line column indexes
//   columns   ColCap bytes        typed output columns of the current batch
//   arena     ArenaCap bytes      variable-size decoded values of the current batch (./values.ts)
//   input     InCap bytes         unframed socket bytes; last, so memory.grow extends it in place
//
// The stub runtime's allocator is never used: regions are placed by hand and memory grows only
// here, when a region really has to get bigger. Growing a region below the input moves the
// regions above it, so relayout() only runs when no framed batch can still be read (at the start
// of push/resume, or mid-frame before anything was framed).

import { Err, Slot, fail, get, put } from "./state";
import { assignColumns } from "./plan";

export const MSG_CAP = 4096;
export const MSG_STRIDE = 6;
/** 64 KiB of input holds at most 16384 fields (4 bytes each), so this rarely grows. */
const INITIAL_FIELD_CAP = 16384;
/** A DataRow has at most 65535 fields (u16 count): the field table never needs more. */
const MAX_FIELD_CAP = 65536;
/** PostgreSQL's MaxTupleAttributeNumber; wider plans grow the plan region. */
const INITIAL_PLAN_CAP = 1664;
const INITIAL_COL_CAP = 256 << 10;
const INITIAL_IN_CAP = 128 << 10;
/** Holds a typical batch's numeric text and array records; grows only for a single row that does not fit. */
const INITIAL_ARENA_CAP = 128 << 10;
/** Input growth overshoots by at most this, so one huge message costs little more than its size. */
const MAX_INPUT_HEADROOM = 16 << 20;
const PAGE: u64 = 65536;
const MEMORY_LIMIT: u64 = 65536 * PAGE;

// @ts-ignore: decorator
@inline function alignUp(x: usize, to: usize): usize {
  return (x + to - 1) & ~(to - 1);
}

/** Places the regions at their initial sizes. Returns false when memory cannot grow. */
export function initRegions(): bool {
  put(Slot.MsgBase, <i32>alignUp(__heap_base, 16));
  put(Slot.MsgCap, MSG_CAP);
  put(Slot.PlanLen, -1);
  put(Slot.RowCap, MSG_CAP);
  return relayout(INITIAL_FIELD_CAP, INITIAL_PLAN_CAP, INITIAL_COL_CAP, INITIAL_ARENA_CAP, INITIAL_IN_CAP);
}

/**
 * Re-places every region with the given capacities (each at least its current one), growing
 * memory if needed. Moves the unframed input to the front of its new place (compaction for
 * free) and keeps the plan; everything else belongs to a batch nobody may read any more.
 */
export function relayout(fieldCap: i32, planCap: i32, colCap: i32, arenaCap: i32, inCap: i32): bool {
  const fieldBase = <usize>get(Slot.MsgBase) + MSG_CAP * MSG_STRIDE * 4;
  const planKinds = fieldBase + (<usize>fieldCap << 3);
  const planHot = planKinds + <usize>planCap;
  const planAddrs = alignUp(planHot + <usize>planCap, 8);
  const planOut = planAddrs + (<usize>planCap << 2);
  const colBase = alignUp(planOut + (<usize>planCap << 2), 8);
  const arenaBase = alignUp(colBase + <usize>colCap, 16);
  const inBase = alignUp(<usize>(<u64>arenaBase + <u64>arenaCap), 16);
  const end = <u64>arenaBase + <u64>arenaCap + 16 + <u64>inCap;
  if (end > MEMORY_LIMIT) return outOfMemory(end);
  const pages = <i32>((end + PAGE - 1) / PAGE);
  const have = memory.size();
  if (pages > have && memory.grow(pages - have) < 0) return outOfMemory(end);

  // Regions only move up, so the highest (input) goes first and nothing live is overwritten.
  const oldInBase = <usize>get(Slot.InBase);
  const inPos = get(Slot.InPos);
  const tail = get(Slot.InLen) - inPos;
  memory.copy(inBase, oldInBase + <usize>inPos, <usize>tail);
  const planLen = get(Slot.PlanLen);
  if (planLen > 0) memory.copy(planKinds, <usize>get(Slot.PlanKinds), <usize>planLen);

  put(Slot.FieldBase, <i32>fieldBase);
  put(Slot.FieldCap, fieldCap);
  put(Slot.PlanKinds, <i32>planKinds);
  put(Slot.PlanHotKinds, <i32>planHot);
  put(Slot.PlanAddrs, <i32>planAddrs);
  put(Slot.PlanOutColumns, <i32>planOut);
  put(Slot.PlanCap, planCap);
  put(Slot.ColBase, <i32>colBase);
  put(Slot.ColCap, colCap);
  put(Slot.ArenaBase, <i32>arenaBase);
  put(Slot.ArenaCap, arenaCap);
  put(Slot.ArenaLen, 0);
  put(Slot.InBase, <i32>inBase);
  put(Slot.InCap, inCap);
  put(Slot.InPos, 0);
  put(Slot.InLen, tail);
  put(Slot.Version, get(Slot.Version) + 1);
  if (planLen > 0) assignColumns(planLen);
  return true;
}

function outOfMemory(bytes: u64): bool {
  fail(Err.OutOfMemory, <i32>(bytes & 0xffffffff), <i32>(bytes >> 32));
  return false;
}

/** Room for `need` bytes of input; grows by what arrived plus bounded headroom, never by an announced length. */
export function growInput(need: i32): bool {
  if (need <= get(Slot.InCap)) return true;
  const cap = min<u64>(<u64>need + <u64>min(need, MAX_INPUT_HEADROOM), <u64>i32.MAX_VALUE);
  return relayout(get(Slot.FieldCap), get(Slot.PlanCap), get(Slot.ColCap), get(Slot.ArenaCap), <i32>cap);
}

/** Room for one DataRow of `fields` fields (only asked for when a batch is still empty). */
export function growFields(fields: i32): bool {
  const cap = min(max(fields, get(Slot.FieldCap) << 1), MAX_FIELD_CAP);
  return relayout(cap, get(Slot.PlanCap), get(Slot.ColCap), get(Slot.ArenaCap), get(Slot.InCap));
}

/** Room for a plan of `columns` kinds. */
export function growPlan(columns: i32): bool {
  if (columns <= get(Slot.PlanCap)) return true;
  return relayout(get(Slot.FieldCap), columns, get(Slot.ColCap), get(Slot.ArenaCap), get(Slot.InCap));
}

/** Room for at least one row of `rowBytes` decoded bytes. */
export function growColumns(rowBytes: i32): bool {
  if (rowBytes <= get(Slot.ColCap)) return true;
  return relayout(get(Slot.FieldCap), get(Slot.PlanCap), <i32>alignUp(<usize>rowBytes, 8), get(Slot.ArenaCap), get(Slot.InCap));
}

/**
 * Room for `need` arena bytes (one row that did not fit, first in its batch): at least doubles,
 * so a row that keeps growing its needs takes few rounds. Bounded by the row's own decoded size.
 */
export function growArena(need: u64): bool {
  const cap = max<u64>(<u64>get(Slot.ArenaCap) << 1, (need + 0xffff) & ~<u64>0xffff);
  if (cap > <u64>i32.MAX_VALUE) {
    fail(Err.OutOfMemory, <i32>(cap & 0xffffffff), <i32>(cap >> 32));
    return false;
  }
  return relayout(get(Slot.FieldCap), get(Slot.PlanCap), get(Slot.ColCap), <i32>cap, get(Slot.InCap));
}
