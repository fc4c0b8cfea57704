// Which protocol SQL given without parameters takes. One plain statement goes through the
// extended protocol (its results then come in binary where the codec decodes them); anything
// else keeps the simple protocol, whose behaviour for it the extended one would not reproduce:
// several statements (Parse refuses them), an empty text (EmptyQueryResponse), `$n` written
// into the text (the server's "there is no parameter $1" instead of a Bind count mismatch) and
// COPY (its data phase belongs to the simple protocol here). When unsure, the answer is "simple":
// that is always correct, only slower.

import { forEachCodeSpan, isDigit, isNameChar, isSpace, startsComment } from "./sql-scanner.js";

const SEMICOLON = 0x3b;
const DOLLAR = 0x24;

/** What scanStatement() found in a SQL text, quoted text and comments aside. */
export interface StatementShape {
  /** Nothing but semicolons, whitespace and comments after the first statement; no leading semicolon. */
  single: boolean;
  /** Some statement text (code or quoted) beyond comments and whitespace. */
  content: boolean;
  /** The statement's first word in upper case; null when the text starts with a quoted region. */
  firstWord: string | null;
  /** A `$n` placeholder outside quotes and comments. */
  placeholder: boolean;
}

/** One pass over `sql`: how many statements, its first word, any `$n` placeholder. */
export function scanStatement(sql: string): StatementShape {
  const shape: StatementShape = { single: true, content: false, firstWord: null, placeholder: false };
  let ended = false; // a semicolon after the statement text
  let last = 0; // end of the previous code span: the text in between is quoted or a comment

  const gap = (start: number, end: number): void => {
    if (start >= end) return;
    if (startsComment(sql, start)) return; // a comment first: ignore it (conservatively, see below)
    if (ended) shape.single = false; // a string or quoted name after the statement ended
    shape.content = true;
  };

  forEachCodeSpan(sql, (start, end) => {
    gap(last, start);
    last = end;
    for (let i = start; i < end; i++) {
      const code = sql.charCodeAt(i);
      if (isSpace(code)) continue;
      if (code === SEMICOLON) {
        if (!shape.content) shape.single = false; // leading semicolon: not a plain statement
        ended = true;
        continue;
      }
      if (ended) {
        shape.single = false;
        return;
      }
      if (code === DOLLAR && isDigit(sql.charCodeAt(i + 1))) {
        const before = i > start ? sql.charCodeAt(i - 1) : -1;
        if (!(isNameChar(before) || before === DOLLAR)) shape.placeholder = true;
      }
      if (!shape.content && shape.firstWord === null) {
        let j = i;
        while (j < end && isNameChar(sql.charCodeAt(j))) j++;
        shape.firstWord = sql.slice(i, j).toUpperCase();
      }
      shape.content = true;
    }
  });
  gap(last, sql.length);
  return shape;
}

/**
 * True when `sql` is exactly one statement that the extended protocol runs as the simple one
 * would: some statement text, then at most semicolons, whitespace and comments; no `$n`
 * placeholder outside quotes and comments; not COPY.
 */
export function runsAsOneStatement(sql: string): boolean {
  const { single, content, firstWord, placeholder } = scanStatement(sql);
  // A text of comments only is empty to the server; a quoted region after a leading comment
  // (`/* c */ 'x'`) is not recognised as content, so such text also takes the simple path.
  return single && content && !placeholder && firstWord !== "COPY";
}
