// One statement's result under a cell: a summary line (rows, time), the streamed grid, the
// detail of a clicked value, CSV export and the chart; or the command's outcome; or its error.

import { csvField, duration, isChartableType, plural, sqlstateClass, valueText } from "./format.js";
import { el, type GridColumn, ResultGrid } from "./grid.js";
import { ResultRows } from "./result-data.js";

export interface ErrorShown {
  name: string;
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  where?: string;
}

/** Made once: toLocaleString() builds a formatter on every call, a millisecond each. */
const COUNT = new Intl.NumberFormat("en-US");

export class ResultView {
  readonly element: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly count: HTMLElement;
  private readonly extra: HTMLElement;
  private grid: ResultGrid | null = null;
  private columns: GridColumn[] = [];
  rows = new ResultRows([]);
  private detail: HTMLPreElement | null = null;
  private countShown = -1;
  /** Every row of the result arrived (not cancelled, not failed half-way). */
  complete = false;

  constructor(
    readonly sql: string,
    private readonly onChart: ((view: ResultView, host: HTMLElement) => void) | null,
  ) {
    this.element = el("section", "result");
    this.element.dataset.testid = "result";
    this.summary = el("div", "result-summary");
    this.count = el("span", "rowcount");
    this.extra = el("span", "result-time");
    this.summary.append(this.count, this.extra);
    this.element.append(this.summary);
  }

  /** The statement returns rows with these columns; batches follow through `rows.append()`. */
  startRows(columns: GridColumn[]): void {
    this.columns = columns;
    this.rows = new ResultRows(columns.map((c) => c.type));
    this.count.dataset.testid = "result-rowcount";
    this.count.textContent = "0";
    this.extra.textContent = " rows so far…";
    this.grid = new ResultGrid(columns, this.rows, (r, c) => this.showDetail(r, c));
    const actions = el("div", "result-actions");
    const csv = button("Export CSV", "result-export-csv", () => this.exportCsv());
    actions.append(csv);
    if (this.onChart && columns.some((c) => isChartableType(c.type))) {
      const chartHost = el("div", "chart-host");
      chartHost.hidden = true;
      const toggle = button("Chart", "result-chart-toggle", () => {
        chartHost.hidden = !chartHost.hidden;
        this.grid!.element.hidden = !chartHost.hidden;
        toggle.textContent = chartHost.hidden ? "Chart" : "Grid";
        if (!chartHost.hidden && chartHost.childElementCount === 0) this.onChart!(this, chartHost);
      });
      actions.append(toggle);
      this.element.append(actions, this.grid.element, chartHost);
    } else {
      this.element.append(actions, this.grid.element);
    }
  }

  /** Rows arrived (already appended to `rows`): redraw at the next frame. */
  rowsAdded(): void {
    this.grid?.schedule();
    if (this.countShown === -1) {
      this.countShown = 0;
      requestAnimationFrame(() => this.updateCount());
    }
  }

  private updateCount(): void {
    this.countShown = -1;
    this.count.textContent = COUNT.format(this.rows.length);
  }

  finishRows(ms: number): void {
    this.complete = true;
    this.count.textContent = COUNT.format(this.rows.length);
    this.extra.textContent = ` ${this.rows.length === 1 ? "row" : "rows"} in ${duration(ms)}`;
    this.grid?.renderNow();
  }

  /** A statement without rows: its command tag's count, when it has one. */
  showCommand(rowCount: number | null, ms: number): void {
    this.element.classList.add("command");
    this.count.textContent = rowCount !== null && rowCount >= 0 ? `${plural(rowCount, "row")} affected` : "Done";
    this.extra.textContent = ` in ${duration(ms)}`;
  }

  showText(text: string, ms: number): void {
    this.showCommand(null, ms);
    const pre = el("pre", "copy-out");
    pre.textContent = text;
    this.element.append(pre);
  }

  showError(error: ErrorShown): void {
    this.element.classList.add("failed");
    const box = el("div", "error");
    box.dataset.testid = "error";
    box.setAttribute("role", "alert");
    if (error.code) box.dataset.sqlstate = error.code;
    const head = el("div", "error-head");
    head.textContent = error.code ? `${error.name} · ${error.code} (${sqlstateClass(error.code)})` : error.name;
    const message = el("div", "error-message");
    message.textContent = error.message;
    box.append(head, message);
    for (const [label, text] of [
      ["DETAIL", error.detail],
      ["HINT", error.hint],
      ["WHERE", error.where],
    ] as const) {
      if (!text) continue;
      const line = el("div", `error-${label.toLowerCase()}`);
      line.textContent = `${label}: ${text}`;
      box.append(line);
    }
    if (this.grid && this.rows.length > 0) {
      // The rows that came before the error stay in the grid, and say so.
      this.count.textContent = COUNT.format(this.rows.length);
      this.extra.textContent = ` ${this.rows.length === 1 ? "row" : "rows"} received before the error`;
    } else {
      this.count.textContent = "";
      this.extra.textContent = "";
      this.summary.hidden = true;
    }
    this.element.append(box);
  }

  private showDetail(row: number, column: number): void {
    const value = this.rows.value(row, column);
    const type = this.columns[column]?.type ?? "";
    if (!this.detail) {
      this.detail = el("pre", "value-detail");
      this.detail.dataset.testid = "result-detail";
      this.grid!.element.after(this.detail);
    }
    this.detail.textContent = `${this.columns[column]?.name} (row ${row + 1}):\n${valueText(value, type, true)}`;
  }

  /** The result as a CSV file (header line, COPY's CSV quoting, NULL as empty), built in pieces. */
  exportCsv(): void {
    const parts: string[] = [`${this.columns.map((c) => csvField(c.name, "text")).join(",")}\r\n`];
    const types = this.columns.map((c) => c.type);
    let chunk = "";
    const rows = this.rows;
    for (let r = 0; r < rows.length; r++) {
      for (let c = 0; c < types.length; c++) chunk += (c ? "," : "") + csvField(rows.value(r, c), types[c]!);
      chunk += "\r\n";
      if (chunk.length > 1 << 20) {
        parts.push(chunk);
        chunk = "";
      }
    }
    parts.push(chunk);
    const url = URL.createObjectURL(new Blob(parts, { type: "text/csv" }));
    const link = el("a");
    link.href = url;
    link.download = "result.csv";
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  get columnList(): readonly GridColumn[] {
    return this.columns;
  }
}

export function button(text: string, testid: string, onClick: () => void): HTMLButtonElement {
  const b = el("button");
  b.type = "button";
  b.textContent = text;
  if (testid) b.dataset.testid = testid;
  b.addEventListener("click", onClick);
  return b;
}
