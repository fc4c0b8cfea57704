// Which one-shot statements (pool.run / pool.query) may share a connection with other callers'
// statements, pipelined behind and ahead of them. Each one runs in its own implicit transaction
// (our extended-protocol exchanges each end with Sync), so an error stays with its statement;
// what must never be shared is a statement that can leave the session inside a transaction
// (BEGIN, START TRANSACTION, a CALL or DO with transaction control, several statements in one
// string): the statements pipelined after it would run inside that transaction. So only one
// statement whose first word is a plain query or data change qualifies; everything else takes
// a connection of its own, as pool.connect() does. When unsure the answer is "no": that is
// always correct, only slower.

import { forEachCodeSpan, isNameChar, isNameStart, isSpace, startsComment } from "../core/sql-scanner.js";

/** Statements that cannot open, end or leave a transaction block. */
const SHAREABLE_VERBS = new Set(["SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "TABLE", "MERGE", "SHOW"]);

const SEMICOLON = 0x3b;
const MEMO_LIMIT = 512;
/** Answers by SQL text: the scan stays off the hot path. */
const memo = new Map<string, boolean>();

/** True when `sql` is exactly one statement that starts with one of SHAREABLE_VERBS. */
export function shareable(sql: string): boolean {
  let answer = memo.get(sql);
  if (answer === undefined) {
    answer = scan(sql);
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
    memo.set(sql, answer);
  }
  return answer;
}

function scan(sql: string): boolean {
  let verb: string | null = null;
  let ended = false; // a semicolon after the statement
  let ok = true;
  let last = 0; // end of the previous code span: what lies between is quoted or a comment

  // Quoted text or comments between code spans: a comment is fine anywhere; a quoted region
  // before the first word, or after the semicolon, is not one plain statement.
  const between = (start: number, end: number): void => {
    if (start < end && !startsComment(sql, start) && (verb === null || ended)) ok = false;
  };

  forEachCodeSpan(sql, (start, end) => {
    if (!ok) return;
    between(last, start);
    last = end;
    for (let i = start; i < end && ok; i++) {
      const code = sql.charCodeAt(i);
      if (isSpace(code)) continue;
      if (code === SEMICOLON && verb !== null) {
        ended = true;
        continue;
      }
      if (ended || verb !== null) {
        if (ended) ok = false; // a second statement
        continue;
      }
      if (!isNameStart(code)) {
        ok = false; // `(SELECT …)`, a leading semicolon, …: not worth guessing
        return;
      }
      let j = i;
      while (j < end && isNameChar(sql.charCodeAt(j))) j++;
      verb = sql.slice(i, j).toUpperCase();
      i = j - 1;
    }
  });
  if (ok) between(last, sql.length);
  return ok && verb !== null && SHAREABLE_VERBS.has(verb);
}
