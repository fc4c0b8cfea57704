// Linear memories of retired codecs, kept for the next codec. The codec imports its memory
// (env.memory), so a new codec is a fresh instance — every WASM global and table rebuilt by
// instantiation and init() — on a memory another codec used before. Reusing memories matters for
// short-lived connections: every new WebAssembly.Memory counts as external memory in V8, and a
// process that opens and closes connections one after another otherwise sets off a full garbage
// collection every few connects (its cost grows with everything else the process keeps alive).
//
// A memory comes back only when its codec is retired (the connection closed). At that point it is
// detached from every view made of it (grow(0) replaces the buffer: views of the old one read
// nothing any more) and zero-filled, so the next codec starts from the same bytes as on a brand
// new memory, and nothing of the previous connection can be read through it or through stale views.

import type { WasmMemory } from "./layout.js";

/** At most this many idle memories wait for a new codec. */
export const MAX_IDLE_MEMORIES = 4;
/**
 * Memories that grew past this (a connection that read huge messages) are left to the garbage
 * collector: WASM memory never shrinks, and an idle pool should not pin it.
 */
export const MAX_IDLE_MEMORY_BYTES = 4 << 20;

const idle: WasmMemory[] = [];

/** An idle memory (detached and zeroed when it came back), or a new one of one page. */
export function takeMemory(): WasmMemory {
  return idle.pop() ?? new WebAssembly.Memory({ initial: 1 });
}

/** Returns a retired codec's memory: detaches every view of it, zeroes it, and keeps it if there is room. */
export function recycleMemory(memory: WasmMemory): void {
  const grown = memory as WebAssembly.Memory;
  if (idle.length >= MAX_IDLE_MEMORIES || grown.buffer.byteLength > MAX_IDLE_MEMORY_BYTES) return;
  grown.grow(0); // a new buffer: every view of the old one is detached (length 0)
  new Uint8Array(grown.buffer).fill(0);
  idle.push(memory);
}

/** How many memories are idle (for tests). */
export function idleMemoryCount(): number {
  return idle.length;
}
