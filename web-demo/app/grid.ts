// The result grid: virtualised (the DOM holds only the rows in view, a few dozen, whatever the
// row count), fed while rows stream in. Rows have one fixed height; a value that does not fit
// on one line is shown whole in the detail box under the grid when its cell is clicked.

import { cellText, isNumericType } from "./format.js";
import type { ResultRows } from "./result-data.js";

export interface GridColumn {
  name: string;
  type: string;
  /** The type's OID, when the column came from the server. */
  oid?: number;
}

const ROW_HEIGHT = 24;
/** Browsers cap an element's height (~33M px in Chromium): beyond this the scrollbar is scaled. */
const MAX_BODY_PX = 16_000_000;
const OVERSCAN = 8;

export class ResultGrid {
  readonly element: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly pool: HTMLDivElement[] = [];
  private readonly numeric: boolean[];
  private sized = false;
  private scheduled = false;

  constructor(
    private readonly columns: GridColumn[],
    private readonly rows: ResultRows,
    private readonly onCell: (row: number, column: number) => void,
  ) {
    this.numeric = columns.map((c) => isNumericType(c.type));
    this.element = el("div", "grid");
    this.scroller = el("div", "grid-scroll");
    this.scroller.tabIndex = 0;
    const header = el("div", "grid-row grid-header");
    columns.forEach((c, i) => {
      const th = el("div", `grid-cell${this.numeric[i] ? " num" : ""}`);
      th.dataset.testid = "result-column";
      th.dataset.type = c.type;
      th.title = `${c.name} (${c.type})`;
      const name = el("span", "col-name");
      name.textContent = c.name;
      const type = el("span", "col-type");
      type.textContent = c.type;
      th.append(name, type);
      header.append(th);
    });
    this.body = el("div", "grid-body");
    this.scroller.append(header, this.body);
    this.element.append(this.scroller);
    this.scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    this.body.addEventListener("click", (event) => {
      const cell = (event.target as HTMLElement).closest<HTMLElement>(".grid-cell");
      const row = cell?.parentElement as HTMLElement | undefined;
      if (!cell || !row?.dataset.row) return;
      this.onCell(Number(row.dataset.row), Array.prototype.indexOf.call(row.children, cell));
    });
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  /** More rows arrived in the shared ResultRows: redraw at the next frame. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  /** Draws now (the result is complete: its last rows show together with its summary). */
  renderNow(): void {
    this.render();
  }

  private render(): void {
    const count = this.rows.length;
    if (!this.sized && count > 0) this.sizeColumns();
    const total = count * ROW_HEIGHT;
    const bodyHeight = Math.min(total, MAX_BODY_PX);
    this.body.style.height = `${bodyHeight}px`;
    const view = this.scroller.clientHeight || 400;
    const scrollTop = Math.max(0, this.scroller.scrollTop - ROW_HEIGHT);
    const visible = Math.ceil(view / ROW_HEIGHT) + 1;
    let first: number;
    let top: number;
    if (total === bodyHeight) {
      first = Math.floor(scrollTop / ROW_HEIGHT);
      top = first * ROW_HEIGHT;
    } else {
      // Scaled: the scroll fraction picks the first row; rows are laid out from the scroll position.
      const fraction = scrollTop / Math.max(1, bodyHeight - view);
      first = Math.floor(Math.min(1, fraction) * Math.max(0, count - visible));
      top = scrollTop;
    }
    const from = Math.max(0, first - (total === bodyHeight ? OVERSCAN : 0));
    const to = Math.min(count, first + visible + OVERSCAN);
    const needed = to - from;
    while (this.pool.length < needed) this.pool.push(this.makeRow());
    for (let i = 0; i < this.pool.length; i++) {
      const rowEl = this.pool[i]!;
      if (i >= needed) {
        if (rowEl.parentElement) rowEl.remove();
        continue;
      }
      const index = from + i;
      const offset = total === bodyHeight ? index * ROW_HEIGHT : top + (index - first) * ROW_HEIGHT;
      rowEl.style.transform = `translateY(${offset}px)`;
      if (rowEl.dataset.row !== String(index)) {
        rowEl.dataset.row = String(index);
        this.fill(rowEl, index);
      }
      if (!rowEl.parentElement) this.body.append(rowEl);
    }
  }

  private makeRow(): HTMLDivElement {
    const row = el("div", "grid-row");
    row.dataset.testid = "result-row";
    for (let c = 0; c < this.columns.length; c++) row.append(el("div", `grid-cell${this.numeric[c] ? " num" : ""}`));
    return row;
  }

  private fill(rowEl: HTMLDivElement, row: number): void {
    const cells = rowEl.children;
    for (let c = 0; c < this.columns.length; c++) {
      const cell = cells[c] as HTMLElement;
      const value = this.rows.value(row, c);
      // textContent only: values come from the database and may hold markup.
      cell.textContent = cellText(value, this.columns[c]!.type);
      cell.classList.toggle("null", value === null || value === undefined);
    }
  }

  /** Column widths from the header and the first rows, so they do not jump while rows stream in. */
  private sizeColumns(): void {
    this.sized = true;
    const sample = Math.min(200, this.rows.length);
    const widths = this.columns.map((c, i) => {
      let chars = Math.max(c.name.length, c.type.length + 1);
      for (let r = 0; r < sample; r++) chars = Math.max(chars, cellText(this.rows.value(r, i), c.type).length);
      return `${Math.min(Math.max(chars, 4), 48) + 2}ch`;
    });
    this.element.style.setProperty("--grid-columns", widths.join(" "));
  }
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}
