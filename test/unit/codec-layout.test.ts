// The WASM codec's memory layout is declared twice: in AssemblyScript (assembly/state.ts,
// assembly/plan.ts, assembly/regions.ts), which the codec is compiled from, and in TypeScript
// (src/codec/layout.ts), which JS reads the codec's memory with. This reads the AssemblyScript
// sources as text and checks that every slot, error code, column kind and size matches.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ARRAY_OF,
  BAD_VALUE_REASONS,
  ColumnKind,
  columnSize,
  Err,
  isPlanKind,
  MESSAGE_STRIDE,
  RANGE_OF,
  SLOT_COUNT,
  Slot,
  wireSize,
} from "../../src/codec/layout.js";

const source = (file: string): string => readFileSync(new URL(`../../assembly/${file}`, import.meta.url), "utf8");

/** `export const enum Name { A = 1, … }` → { A: 1, … } */
function enumOf(text: string, name: string): Record<string, number> {
  const body = new RegExp(`export const enum ${name} \\{([^}]*)\\}`).exec(text)?.[1];
  if (body === undefined) throw new Error(`enum ${name} not found`);
  const out: Record<string, number> = {};
  for (const m of body.matchAll(/^\s*(\w+)\s*=\s*(-?\d+)\s*,?\s*$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** `export const NAME: type = 32;` → 32 */
function constantOf(text: string, name: string): number {
  const m = new RegExp(`(?:export )?const ${name}(?::\\s*\\w+)?\\s*=\\s*(\\d+);`).exec(text);
  if (!m) throw new Error(`constant ${name} not found`);
  return Number(m[1]);
}

/** `const NAME: usize = memory.data<u8>([0, 1, …]);` → [0, 1, …] */
function tableOf(text: string, name: string): number[] {
  const m = new RegExp(`const ${name}: usize = memory\\.data<\\w+>\\(\\[([^\\]]*)\\]\\)`).exec(text);
  if (!m) throw new Error(`table ${name} not found`);
  return m[1]!.split(",").map((n) => Number(n.trim()));
}

const state = source("state.ts");
const plan = source("plan.ts");
const regions = source("regions.ts");

describe("src/codec/layout.ts matches the AssemblyScript codec", () => {
  it("state-block slots: the same names at the same indexes, and the same count", () => {
    const slots = enumOf(state, "Slot");
    expect(Object.keys(slots).length).toBeGreaterThan(20);
    expect(slots).toEqual({ ...Slot });
    expect(constantOf(state, "SLOT_COUNT")).toBe(SLOT_COUNT);
    expect(Math.max(...Object.values(slots))).toBe(SLOT_COUNT - 1);
  });

  it("error codes", () => {
    expect(enumOf(state, "Err")).toEqual({ ...Err });
  });

  it("bad-value reasons: one message per code", () => {
    const bad = Object.values(enumOf(state, "Bad")).sort((a, b) => a - b);
    expect(Object.keys(BAD_VALUE_REASONS).map(Number)).toEqual(bad);
  });

  it("column kinds, array and range offsets", () => {
    expect(enumOf(plan, "Kind")).toEqual({ ...ColumnKind });
    expect(constantOf(plan, "ARRAY_OF")).toBe(ARRAY_OF);
    expect(constantOf(plan, "RANGE_OF")).toBe(RANGE_OF);
    const scalars = constantOf(plan, "SCALAR_KINDS");
    expect(isPlanKind(scalars - 1)).toBe(true);
    expect(isPlanKind(scalars)).toBe(false);
    expect(isPlanKind(ARRAY_OF + scalars - 1)).toBe(true);
    expect(isPlanKind(ARRAY_OF + scalars)).toBe(false);
  });

  it("wire widths and column sizes of every scalar kind", () => {
    const wire = tableOf(plan, "SCALAR_WIRE");
    const column = tableOf(plan, "SCALAR_COLUMN");
    expect(wire.length).toBe(constantOf(plan, "SCALAR_KINDS"));
    wire.forEach((bytes, kind) => {
      if (kind > 0) expect(wireSize(kind), `wire size of kind ${kind}`).toBe(bytes);
    });
    column.forEach((bytes, kind) => expect(columnSize(kind), `column size of kind ${kind}`).toBe(bytes));
  });

  it("message-table stride", () => {
    expect(constantOf(regions, "MSG_STRIDE")).toBe(MESSAGE_STRIDE);
  });
});
