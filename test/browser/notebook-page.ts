// Reading and driving the notebook page the way a user does, through its data-testid hooks
// (the contract in NOTEBOOK.md): type into a cell's editor, press its buttons, read its results.

import type { Page } from "playwright-core";
import { expect } from "vitest";

export interface ShownResult {
  columns: { name: string; type: string }[];
  /** Rendered rows (only those in view: the grid is virtualised), in row order. */
  rows: string[][];
  rowcount: string | null;
  summary: string;
  error: { sqlstate: string | null; text: string } | null;
}

export const cellAt = (page: Page, index: number) => page.locator('[data-testid="cell"]').nth(index);

/** Replaces a cell's SQL by typing into its editor. */
export async function setSql(page: Page, index: number, sql: string): Promise<void> {
  const editor = cellAt(page, index).locator('[data-testid="cell-editor"]');
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(sql);
  await page.keyboard.press("Escape"); // closes a completion popup, if one opened
}

/** Clicks the cell's Run and waits until it is no longer running. */
export async function runCell(page: Page, index: number, timeout = 30_000): Promise<string> {
  const cell = cellAt(page, index);
  await cell.locator('[data-testid="cell-run"]').click();
  return waitCell(page, index, timeout);
}

export async function waitCell(page: Page, index: number, timeout = 30_000): Promise<string> {
  const status = cellAt(page, index).locator('[data-testid="cell-status"]');
  await expect
    .poll(() => status.textContent(), { timeout })
    .toMatch(/^(done|failed|cancelled) in |^Not connected|^Nothing/);
  return (await status.textContent()) ?? "";
}

export async function typeAndRun(page: Page, index: number, sql: string): Promise<ShownResult[]> {
  await setSql(page, index, sql);
  await runCell(page, index);
  return readResults(page, index);
}

export async function readResults(page: Page, index: number): Promise<ShownResult[]> {
  return cellAt(page, index).evaluate((cell) =>
    Array.from(cell.querySelectorAll<HTMLElement>('[data-testid="result"]'), (result) => {
      const error = result.querySelector<HTMLElement>('[data-testid="error"]');
      const rows = Array.from(result.querySelectorAll<HTMLElement>('[data-testid="result-row"]'))
        .sort((a, b) => Number(a.dataset.row) - Number(b.dataset.row))
        .map((row) => Array.from(row.children, (c) => c.textContent ?? ""));
      return {
        columns: Array.from(result.querySelectorAll<HTMLElement>('[data-testid="result-column"]'), (c) => ({
          name: c.querySelector(".col-name")?.textContent ?? "",
          type: c.dataset.type ?? "",
        })),
        rows,
        rowcount: result.querySelector('[data-testid="result-rowcount"]')?.textContent ?? null,
        summary: result.querySelector(".result-summary")?.textContent ?? "",
        error: error ? { sqlstate: error.dataset.sqlstate ?? null, text: error.textContent ?? "" } : null,
      };
    }),
  );
}

export async function waitConnected(page: Page, timeout = 30_000): Promise<string> {
  const status = page.locator('[data-testid="connection-status"]');
  await expect.poll(() => status.textContent(), { timeout }).toMatch(/^Connected to PostgreSQL \d+/);
  return (await status.textContent()) ?? "";
}
