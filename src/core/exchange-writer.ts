// The one writer of an exchange's messages — Query, or Parse, Describe, Bind, Execute, Close and
// Sync/Flush in protocol order — which also records what the server must answer to each.
// PostgreSQL docs: Frontend/Backend Protocol, "Simple Query" and "Extended Query".

import * as msg from "../protocol/serializer.js";
import type { EncodedParameter } from "../types/registry.js";
import type { Expectations, Phase } from "./exchange.js";

/** One request's messages, in protocol order. */
export interface Exchange {
  /** Simple Query (answered up to its own ReadyForQuery). */
  query?: string;
  /** Close of this statement. */
  closeStatement?: string;
  parse?: { name: string; sql: string; oids: number[] };
  /** Describe of this statement. */
  describeStatement?: string;
  /** Bind of the unnamed portal. */
  bind?: { statement: string; values: EncodedParameter[]; formats: number[] };
  /** Describe of the unnamed portal. */
  describePortal?: boolean;
  /** Execute of the unnamed portal with this row limit (0 = all rows). */
  execute?: number;
  closePortal?: boolean;
  /** How the exchange ends: Sync (ReadyForQuery follows) or Flush (the portal stays open). */
  end?: "sync" | "flush";
}

/** What the server answers to each message of an exchange, in order; one list per shape. */
const PHASES = new Map<number, readonly Phase[]>();

function phasesOf(e: Exchange): readonly Phase[] {
  const shape =
    (e.closeStatement !== undefined ? 1 : 0) |
    (e.query !== undefined ? 2 : 0) |
    (e.parse ? 4 : 0) |
    (e.describeStatement !== undefined ? 8 : 0) |
    (e.bind ? 16 : 0) |
    (e.describePortal ? 32 : 0) |
    (e.execute !== undefined ? 64 : 0) |
    (e.closePortal ? 128 : 0) |
    (e.end === "flush" ? 256 : 0);
  let phases = PHASES.get(shape);
  if (phases === undefined) {
    const list: Phase[] = [];
    if (shape & 1) list.push("close");
    if (shape & 2) list.push("query");
    else {
      if (shape & 4) list.push("parse");
      if (shape & 8) list.push("parameters");
      if (shape & 16) list.push("bind");
      if (shape & 32) list.push("columns");
      if (shape & 64) list.push("execute");
      if (shape & 128) list.push("close");
      if (!(shape & 256)) list.push("sync");
    }
    phases = Object.freeze(list);
    PHASES.set(shape, phases);
  }
  return phases;
}

/** Writes `exchange` and records the phases its answers go through. */
export function writeExchange(w: msg.MessageWriter, expected: Expectations, exchange: Exchange): void {
  if (exchange.closeStatement !== undefined) msg.close(w, "S", exchange.closeStatement);
  if (exchange.query !== undefined) {
    msg.query(w, exchange.query);
  } else {
    const { parse, bind } = exchange;
    if (parse) msg.parse(w, parse.name, parse.sql, parse.oids);
    if (exchange.describeStatement !== undefined) msg.describe(w, "S", exchange.describeStatement);
    if (bind) msg.bind(w, "", bind.statement, bind.values, bind.formats);
    if (exchange.describePortal) msg.describe(w, "P", "");
    if (exchange.execute !== undefined) msg.execute(w, "", exchange.execute);
    if (exchange.closePortal) msg.close(w, "P", "");
    if (exchange.end === "flush") msg.flush(w);
    else msg.sync(w);
  }
  expected.expectAll(phasesOf(exchange));
}
