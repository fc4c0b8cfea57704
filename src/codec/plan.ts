// A decode plan: one column kind per result column, validated once. The statement's RowDecoder
// holds it, the Codec applies it to the batches it frames; nobody else keeps a copy of the kinds.

import { InterfaceError } from "../errors.js";
import { ColumnKind, isPlanKind, MAX_PLAN_COLUMNS } from "./layout.js";

export class DecodePlan {
  /** One ColumnKind (or arrayKind()/rangeKind()) per column; never written after construction. */
  readonly kinds: Uint8Array;
  /** Whether the codec decodes any column (a plan with only Text columns need not be applied). */
  readonly decodesAny: boolean;
  private formats: number[] | undefined;

  constructor(kinds: ArrayLike<number>) {
    if (kinds.length > MAX_PLAN_COLUMNS) {
      throw new InterfaceError(`a decode plan has at most ${MAX_PLAN_COLUMNS} columns, not ${kinds.length}`);
    }
    const plan = new Uint8Array(kinds.length);
    for (let c = 0; c < kinds.length; c++) {
      const kind = kinds[c]!;
      if (!isPlanKind(kind)) throw new InterfaceError(`invalid decode plan: column ${c} has kind ${kind}`);
      plan[c] = kind;
    }
    this.kinds = plan;
    this.decodesAny = plan.some((k) => k !== ColumnKind.Text);
  }

  get columnCount(): number {
    return this.kinds.length;
  }

  /** Result format codes for Bind: 1 (binary) where the codec decodes, 0 (text) elsewhere. */
  resultFormats(): number[] {
    return (this.formats ??= Array.from(this.kinds, (k) => (k === ColumnKind.Text ? 0 : 1)));
  }
}
