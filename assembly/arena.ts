// The value arena: variable-size decoded values of the current batch (numeric text, array
// records), bump-allocated from Slot.ArenaBase. It is reset at the start of every batch; a row
// whose values do not fit ends the batch before it (the next batch starts with that row), and a
// row that does not fit an empty arena makes the arena grow to that row's size (./framing.ts).
// So the arena holds at most one batch, and grows only to what a single row decodes to.

import { Slot, get, put } from "./state";

/** Returned by the out-of-line decoders when the arena is full. 0 = decoded, -1 = error recorded. */
export const ARENA_FULL = 1;

let arenaPos: usize = 0;
let arenaEnd: usize = 0;
/** Arena bytes (from its base) that the allocation which did not fit would have needed. */
let arenaNeed: u64 = 0;

export function resetArena(): void {
  arenaPos = <usize>get(Slot.ArenaBase);
  arenaEnd = arenaPos + <usize>get(Slot.ArenaCap);
}

/** Records how much of the arena this batch used (for tests and diagnostics). */
export function arenaDone(): void {
  put(Slot.ArenaLen, <i32>(arenaPos - <usize>get(Slot.ArenaBase)));
}

export function arenaWanted(): u64 {
  return arenaNeed;
}

/** `size` bytes aligned to `align` (a power of two), or 0 when they do not fit. */
export function arenaAlloc(size: u64, align: usize): usize {
  const at = (arenaPos + align - 1) & ~(align - 1);
  if (<u64>at + size > <u64>arenaEnd) {
    arenaNeed = <u64>at + size - <u64>get(Slot.ArenaBase);
    return 0;
  }
  arenaPos = at + <usize>size;
  return at;
}
