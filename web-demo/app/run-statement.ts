// Runs one statement of a cell into its ResultView: rows streamed from a portal (so the first
// rows show while the rest arrive), a command's row count, COPY TO STDOUT as text.

import type { Connection } from "pg8000/native";
import type { ResultView } from "./result-view.js";

/** Rows per round trip: large enough that a million rows are ~100 round trips. */
const BATCH = 10_000;

const COPY_FROM_STDIN = /^\s*copy\b[\s\S]*\bfrom\s+stdin\b/i;
const COPY_TO_STDOUT = /^\s*copy\b[\s\S]*\bto\s+stdout\b/i;

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
  // Parse and describe first: the columns (and their types) show before any row arrives.
  const prepared = await con.prepare(sql);
  const columns = prepared.columns;
  await prepared.close();
  if (columns === null) {
    await con.run(sql, null, { signal });
    view.showCommand(con.row_count, performance.now() - started);
    return;
  }
  view.startRows(columns.map((c) => ({ name: c.name, type: typeName(c.type_oid) })));
  const rows = view.rows;
  let since = 0;
  for await (const row of con.stream(sql, null, { signal, batch_size: BATCH })) {
    rows.push(row);
    // One redraw request per batch is plenty; the grid draws at the next frame.
    if (++since === 1000) {
      since = 0;
      view.rowsAdded();
    }
  }
  view.rowsAdded();
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
