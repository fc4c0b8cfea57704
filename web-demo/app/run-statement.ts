// Runs one statement of a cell into its ResultView: rows streamed from a portal a batch at a
// time, column by column (so the first rows show while the rest arrive, and no object is made
// per row), a command's row count, COPY TO STDOUT as text.

import type { Connection } from "pg8000/native";
import type { ResultView } from "./result-view.js";

/**
 * Rows per round trip: a small first batch, so that the first rows show soon, then each batch
 * four times the one before, up to LAST_BATCH: a million rows are 8 round trips, not 100 (each
 * a wait for the server, the bridge and the browser, with nothing to do meanwhile).
 */
const FIRST_BATCH = 5_000;
const LAST_BATCH = 200_000;

const COPY_FROM_STDIN = /^\s*copy\b[\s\S]*\bfrom\s+stdin\b/i;
const COPY_TO_STDOUT = /^\s*copy\b[\s\S]*\bto\s+stdout\b/i;
/** Statements that return rows (or may): they stream at once. */
const ROWS_LIKELY = /^(select|with|values|table|show|explain|fetch)\b/i;
/** SELECT … INTO makes a table: a command, whose row count is shown. */
const SELECT_INTO = /^select\b[\s\S]*\binto\b/i;

export async function runStatement(
  con: Connection,
  sql: string,
  view: ResultView,
  typeName: (oid: number) => string,
  signal: AbortSignal,
): Promise<void> {
  const started = performance.now();
  const code = stripLeadingComments(sql);
  if (COPY_FROM_STDIN.test(code)) {
    throw new NotebookError(
      "COPY … FROM STDIN reads from the client: use the CSV import panel (it streams your file through COPY).",
    );
  }
  if (COPY_TO_STDOUT.test(code)) {
    let text = "";
    await con.run(sql, null, {
      signal,
      stream: { write: (chunk: string | Uint8Array) => void (text += asText(chunk)) },
    });
    view.showText(text, performance.now() - started);
    return;
  }
  if (!ROWS_LIKELY.test(code) || SELECT_INTO.test(code)) {
    // A command, or something that may be one: described first, so that a statement without
    // rows runs once as it is (and shows its row count) and one with rows (… RETURNING) streams.
    const prepared = await con.prepare(sql);
    const columns = prepared.columns;
    await prepared.close();
    if (columns === null) {
      await con.run(sql, null, { signal });
      view.showCommand(con.row_count, performance.now() - started);
      return;
    }
  }
  // The portal's description gives the columns: no prepare (and close) round trips first.
  const stream = con.stream_columnar(sql, null, { signal, batch_size: FIRST_BATCH });
  const begin = (): void =>
    view.startRows((stream.columns ?? []).map((c) => ({ name: c.name, type: typeName(c.type_oid), oid: c.type_oid })));
  let shown = false;
  let ended = false;
  // A slow query shows its columns as soon as the server described them, before any row.
  const columnsKnown = (): void => {
    if (shown || ended) return;
    if (stream.columns === null) requestAnimationFrame(columnsKnown);
    else {
      shown = true;
      begin();
    }
  };
  requestAnimationFrame(columnsKnown);
  try {
    for await (const batch of stream) {
      if (!shown) begin();
      shown = true;
      view.rows.append(batch);
      stream.batch_size = Math.min(stream.batch_size * 4, LAST_BATCH);
      // The grid draws at the next frame.
      view.rowsAdded();
    }
  } finally {
    ended = true;
  }
  if (stream.columns === null) {
    view.showCommand(stream.row_count >= 0 ? stream.row_count : null, performance.now() - started);
    return;
  }
  if (!shown) begin();
  view.finishRows(performance.now() - started);
}

export class NotebookError extends Error {
  override name = "Notebook";
}

const decoder = new TextDecoder();
function asText(chunk: string | Uint8Array): string {
  return typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
}

export function stripLeadingComments(sql: string): string {
  return sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, "");
}
