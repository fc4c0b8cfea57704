// Which one-shot statements (pool.run / pool.query) may share a connection with other callers'
// statements, pipelined behind and ahead of them. Each one runs in its own implicit transaction
// (our extended-protocol exchanges each end with Sync), so an error stays with its statement;
// what must never be shared is a statement that can leave the session inside a transaction
// (BEGIN, START TRANSACTION, a CALL or DO with transaction control, several statements in one
// string): the statements pipelined after it would run inside that transaction. So only one
// statement whose first word is a plain query or data change qualifies; everything else takes
// a connection of its own, as pool.connect() does. When unsure the answer is "no": that is
// always correct, only slower.

import { scanStatement } from "../core/statement-text.js";

/** Statements that cannot open, end or leave a transaction block. */
const SHAREABLE_VERBS = new Set(["SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "TABLE", "MERGE", "SHOW"]);

const MEMO_LIMIT = 512;
/** Answers by SQL text: the scan stays off the hot path. */
const memo = new Map<string, boolean>();

/**
 * True when `sql` is exactly one statement that starts with one of SHAREABLE_VERBS (a statement
 * that starts with quoted text or a parenthesis is not worth guessing about).
 */
export function shareable(sql: string): boolean {
  let answer = memo.get(sql);
  if (answer === undefined) {
    const { single, firstWord } = scanStatement(sql);
    answer = single && firstWord !== null && SHAREABLE_VERBS.has(firstWord);
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
    memo.set(sql, answer);
  }
  return answer;
}
