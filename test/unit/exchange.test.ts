// The per-request phase machine (src/core/exchange.ts): what the server may send next, given
// what was sent. Message flows from the protocol documentation ("Message Flow"), each one
// accepted in order, and the messages each phase must refuse.

import { describe, expect, it } from "vitest";
import { Expectations, type Phase } from "../../src/core/exchange.js";
import { InterfaceError } from "../../src/errors.js";

const code = (letter: string): number => letter.charCodeAt(0);

/** Feeds `flow` (one letter per backend message) and returns where the request ended (index of its final ReadyForQuery). */
function run(phases: Phase[], flow: string): number {
  const e = new Expectations();
  for (const p of phases) e.expect(p);
  for (let i = 0; i < flow.length; i++) {
    const letter = flow[i]!;
    if (letter === "D") {
      if (!e.rowsAllowed) throw e.violation(code("D"));
      continue;
    }
    if (e.accept(code(letter))) return i;
  }
  return -1;
}

describe("message flows the server sends are accepted to their ReadyForQuery", () => {
  it.each<[string, Phase[], string]>([
    ["simple query with rows", ["query"], "TDDCZ"],
    ["simple query, several statements", ["query"], "CTDCICZ"],
    ["simple query, error midway", ["query"], "TDEZ"],
    ["empty query", ["query"], "IZ"],
    ["COPY FROM STDIN (simple)", ["query"], "GCZ"],
    ["COPY TO STDOUT (simple)", ["query"], "HdddcCZ"],
    ["replication (CopyBoth), then the command's result", ["query"], "WddcTDCCZ"],
    ["replication: a keepalive queued after the server's CopyDone", ["query"], "WddcdCZ"],
    ["prepare: Parse, Describe statement, Sync", ["parse", "parameters", "sync"], "1tnZ"],
    ["prepare with columns", ["parse", "parameters", "sync"], "1tTZ"],
    ["cached run: Bind, Execute, Sync", ["bind", "execute", "sync"], "2DDCZ"],
    ["unnamed: Parse, Bind, Describe portal, Execute, Sync", ["parse", "bind", "columns", "execute", "sync"], "12TDCZ"],
    ["extended error skips to the Sync", ["parse", "bind", "columns", "execute", "sync"], "EZ"],
    ["evicted statements closed first", ["close", "close", "bind", "execute", "sync"], "332CZ"],
    ["COPY FROM STDIN (extended)", ["parse", "bind", "columns", "execute", "sync"], "12nGCZ"],
    ["startup", ["startup"], "RRKZ"],
  ])("%s", (_name, phases, flow) => {
    expect(run(phases, flow)).toBe(flow.length - 1);
  });

  it("a portal read in batches: Execute and Flush, then Execute again, then Sync", () => {
    const e = new Expectations();
    e.expect("bind");
    e.expect("execute");
    expect(e.accept(code("2"))).toBe(false);
    expect(e.rowsAllowed).toBe(true);
    expect(e.accept(code("s"))).toBe(false);
    expect(e.current).toBeUndefined(); // nothing awaited while the consumer reads the batch
    e.expect("execute");
    expect(e.rowsAllowed).toBe(true);
    expect(e.accept(code("C"))).toBe(false);
    e.expect("sync");
    expect(e.accept(code("Z"))).toBe(true);
  });

  it("an error in a portal awaits the Sync sent after it", () => {
    const e = new Expectations();
    e.expect("bind");
    e.expect("execute");
    e.accept(code("2"));
    e.accept(code("E"));
    expect(() => e.accept(code("Z"))).toThrow(InterfaceError);
  });
});

describe("messages the current phase does not await are refused", () => {
  it.each<[string, Phase[], string]>([
    ["ReadyForQuery before a simple query's answer", ["query"], "Z"],
    ["ReadyForQuery in a result set", ["query"], "TDZ"],
    ["DataRow before RowDescription", ["query"], "D"],
    ["DataRow after CommandComplete", ["query"], "TCD"],
    ["CopyData after the replication command's result", ["query"], "WcCd"],
    ["ReadyForQuery before BindComplete", ["bind", "execute", "sync"], "Z"],
    ["CommandComplete for a Parse", ["parse", "sync"], "C"],
    ["BindComplete twice", ["bind", "execute", "sync"], "22"],
    ["a second ReadyForQuery", ["sync"], "ZZ"],
    ["rows for a Describe", ["parse", "parameters", "sync"], "1tD"],
    ["ParseComplete during startup", ["startup"], "1"],
  ])("%s", (_name, phases, flow) => {
    let error: unknown;
    try {
      const end = run(phases, flow);
      if (end >= 0 && end < flow.length - 1) {
        // Finished early: the rest belongs to no request, which the connection refuses too.
        error = new InterfaceError("message after the request ended");
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InterfaceError);
    expect((error as Error).message).toMatch(/protocol violation|after the request ended/);
  });
});
