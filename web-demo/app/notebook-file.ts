// The notebook as a .sql file: each cell starts with a `-- %%` line (the "percent" cell format
// of Jupytext and VS Code), so the file still runs as a plain SQL script.

export const CELL_MARK = "-- %%";

export function toSqlFile(cells: readonly string[]): string {
  return cells.map((sql) => `${CELL_MARK}\n${sql.replace(/\s+$/, "")}\n`).join("\n");
}

/** Cells of a .sql file; a file without `-- %%` lines is one cell. */
export function fromSqlFile(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const cells: string[][] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    if (line.startsWith(CELL_MARK)) {
      current = [];
      cells.push(current);
    } else {
      if (current === null) {
        current = [];
        cells.push(current);
      }
      current.push(line);
    }
  }
  const trimmed = cells.map((c) =>
    c
      .join("\n")
      .replace(/^\s*\n/, "")
      .replace(/\s+$/, ""),
  );
  // Text before the first mark that is only blank lines is not a cell.
  if (cells.length > 1 && trimmed[0] === "" && !lines[0]!.startsWith(CELL_MARK)) trimmed.shift();
  return trimmed.length > 0 ? trimmed : [""];
}
