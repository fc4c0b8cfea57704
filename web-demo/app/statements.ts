// Splits a cell's SQL into statements at top-level semicolons, so each statement gets its own
// result, and keeps each statement's offset in the cell so a server error position maps back to
// the editor. Semicolons inside quotes, "identifiers", dollar quotes, comments (nested block
// comments included) and parentheses (e.g. CREATE RULE … (a; b)) do not split.

export interface Statement {
  /** The statement as sent: the cell's text from `from` to `to` (no trailing semicolon). */
  text: string;
  /** Offset of the statement's first character in the cell's SQL. */
  from: number;
  to: number;
}

export function splitStatements(sql: string): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  let depth = 0;
  let i = 0;
  const push = (end: number): void => {
    const text = sql.slice(start, end);
    if (hasCode(text)) out.push({ text, from: start, to: end });
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === "/" && next === "*") {
      i = endOfBlockComment(sql, i);
    } else if (c === "'" || c === '"') {
      i = endOfQuoted(sql, i, c, c === "'" && isEscapeString(sql, i));
    } else if (c === "$") {
      const tag = dollarTag(sql, i);
      if (tag === null) i++;
      else {
        const close = sql.indexOf(tag, i + tag.length);
        i = close < 0 ? sql.length : close + tag.length;
      }
    } else if (c === "(") {
      depth++;
      i++;
    } else if (c === ")") {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (c === ";" && depth === 0) {
      push(i);
      start = i + 1;
      i++;
    } else i++;
  }
  push(sql.length);
  return out;
}

/** Whether the text holds anything but whitespace and comments. */
export function hasCode(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "-" && text[i + 1] === "-") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === "/" && text[i + 1] === "*") i = endOfBlockComment(text, i);
    else if (/\s/.test(c)) i++;
    else return true;
  }
  return false;
}

function endOfBlockComment(sql: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < sql.length) {
    if (sql[i] === "/" && sql[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (sql[i] === "*" && sql[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}

/** E'…' strings take backslash escapes. */
function isEscapeString(sql: string, quote: number): boolean {
  const before = sql[quote - 1];
  if (before !== "E" && before !== "e") return false;
  const prior = sql[quote - 2];
  return prior === undefined || !/[\w$]/.test(prior);
}

function endOfQuoted(sql: string, at: number, quote: string, backslashes: boolean): number {
  let i = at + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashes && c === "\\") i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** `$tag$` or `$$` starting at `at`, unless the `$` is part of a name or a `$1` parameter. */
function dollarTag(sql: string, at: number): string | null {
  const prior = sql[at - 1];
  if (prior !== undefined && /[\w$]/.test(prior)) return null;
  const m = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(at, at + 64));
  return m ? m[0] : null;
}
