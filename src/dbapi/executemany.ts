// executemany(): the parameter sets run in order and none runs after one has failed, as in
// pg8000. Two strategies give that result:
//
// - In order: each set is sent once the previous one has succeeded (one round trip per set).
//   Used in autocommit, where every set commits on its own: rows of the sets before a failure
//   stay, so the later sets must never reach the server. Pipelining the sets in one implicit
//   transaction (one Sync) would skip the later sets too, but it is not the same: a failure
//   would also roll back the sets before it, other sessions would see the rows only at the end,
//   and statements that refuse to run in a transaction block would fail.
// - Pipelined: every set is sent before the first answer arrives. Used only inside a
//   transaction block, where a failing set aborts the transaction and the server refuses every
//   later set (25P02) without running it — what the user sees is the same as in order. Only
//   statements that cannot end the transaction block qualify (see mayPipeline). The one case
//   the server cannot stop is a failure on the client while a result is read (an in adapter
//   throwing): the later sets have run by then. pg8000 desynchronises its connection there.

import type { QueryResult } from "../core/query.js";
import { forEachCodeSpan } from "../core/sql-scanner.js";
import type { Parameters } from "./cursor.js";

/** What executemany did: the results of the sets that succeeded, and the first failure. */
export type ParameterSetsOutcome =
  | { results: QueryResult[]; failed: false }
  | { results: QueryResult[]; failed: true; error: unknown };

/** Sends one parameter set; may throw synchronously for a set that cannot be sent. */
export type SendParameterSet = (params: Parameters) => Promise<QueryResult>;

/** Each set waits for the previous one's success. */
export async function runInOrder(
  paramSets: Iterable<Parameters>,
  send: SendParameterSet,
): Promise<ParameterSetsOutcome> {
  const results: QueryResult[] = [];
  try {
    for (const params of paramSets) results.push(await send(params));
  } catch (error) {
    return { results, failed: true, error };
  }
  return { results, failed: false };
}

/**
 * Every set is sent at once; the outcome is read in set order. A set that cannot be sent
 * (a client-side error) stops the sending, but the sets already sent are still awaited, so
 * the error reported is the first in set order — as if the sets had run one by one.
 */
export async function runPipelined(
  paramSets: Iterable<Parameters>,
  send: SendParameterSet,
): Promise<ParameterSetsOutcome> {
  const sent: Promise<QueryResult>[] = [];
  let unsendable: { error: unknown } | null = null;
  try {
    for (const params of paramSets) {
      const pending = send(params);
      pending.catch(() => undefined); // read below, in order; no unhandled rejection meanwhile
      sent.push(pending);
    }
  } catch (error) {
    unsendable = { error };
  }
  // Wait for every answer, so the connection is idle again when executemany settles.
  const settled = await Promise.allSettled(sent);
  const results: QueryResult[] = [];
  for (const outcome of settled) {
    if (outcome.status === "rejected") return { results, failed: true, error: outcome.reason };
    results.push(outcome.value);
  }
  return unsendable ? { results, failed: true, error: unsendable.error } : { results, failed: false };
}

/**
 * Statements that cannot end or repair a transaction block, so that after a failure the server
 * refuses every later set. Transaction control (COMMIT, ROLLBACK [TO], END, ABORT, PREPARE
 * TRANSACTION…) and anything unrecognised run in order instead.
 */
const PIPELINE_SAFE = new Set(["insert", "update", "delete", "merge", "select", "with", "values", "table", "call"]);

export function mayPipeline(sql: string): boolean {
  return PIPELINE_SAFE.has(leadingKeyword(sql));
}

/** The first word of the statement, lower case, after any whitespace and comments. */
function leadingKeyword(sql: string): string {
  let keyword: string | null = null;
  forEachCodeSpan(sql, (start, end) => {
    if (keyword !== null) return;
    const code = sql.slice(start, end).trimStart();
    if (code.length > 0) keyword = /^[A-Za-z]*/.exec(code)![0].toLowerCase();
  });
  return keyword ?? "";
}
