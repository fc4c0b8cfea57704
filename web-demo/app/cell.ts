// One notebook cell: its editor, buttons, status and results. Running splits the SQL (or the
// selection) into statements and runs them one after another, each into its own result; the
// first error stops the cell and is marked in the editor.

import type { EditorView } from "@codemirror/view";
import { clearErrorMark, closeCompletionList, createEditor, destroyEditor, markError, selection } from "./editor.js";
import { duration } from "./format.js";
import { el } from "./grid.js";
import { button, type ErrorShown, ResultView } from "./result-view.js";
import { NotebookError, runStatement, stripLeadingComments } from "./run-statement.js";
import type { Session } from "./session.js";
import { friendlyMessage } from "./session.js";
import { splitStatements } from "./statements.js";

export interface CellHost {
  session: Session;
  changed(): void;
  remove(cell: Cell): void;
  move(cell: Cell, by: number): void;
  focusNext(cell: Cell): void;
  focused(cell: Cell): void;
  /** A statement that may have changed the schema ran: refresh the browser. */
  schemaMayHaveChanged(): void;
  chart(view: ResultView, host: HTMLElement): Promise<void>;
}

let cellCounter = 0;

export class Cell {
  readonly element: HTMLElement;
  readonly editor: EditorView;
  readonly id = ++cellCounter;
  private readonly status: HTMLElement;
  private readonly runButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly results: HTMLElement;
  private readonly notices: HTMLElement;
  private running: AbortController | null = null;
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** Resolves when the current run ends. */
  done: Promise<void> = Promise.resolve();

  constructor(
    sql: string,
    private readonly host: CellHost,
  ) {
    this.element = el("article", "cell");
    this.element.dataset.testid = "cell";
    const toolbar = el("div", "cell-toolbar");
    this.runButton = button("▶ Run", "cell-run", () => void this.run(false));
    this.runButton.title = "Run the cell (Ctrl+Enter); with a selection, only the selection";
    const runSelection = button("Run selection", "cell-run-selection", () => void this.run(true));
    this.cancelButton = button("■ Cancel", "cell-cancel", () => this.cancel());
    this.cancelButton.disabled = true;
    this.status = el("span", "cell-status");
    this.status.dataset.testid = "cell-status";
    this.status.setAttribute("aria-live", "polite");
    const spacer = el("span", "spacer");
    const up = button("↑", "cell-move-up", () => host.move(this, -1));
    up.title = "Move up";
    const down = button("↓", "cell-move-down", () => host.move(this, 1));
    down.title = "Move down";
    const remove = button("✕", "cell-delete", () => host.remove(this));
    remove.title = "Delete the cell";
    toolbar.append(this.runButton, runSelection, this.cancelButton, this.status, spacer, up, down, remove);
    const editorHost = el("div", "cell-editor-host");
    this.notices = el("ul", "notices");
    this.results = el("div", "results");
    this.element.append(toolbar, editorHost, this.notices, this.results);
    this.editor = createEditor(editorHost, sql, {
      run: () => void this.run(true),
      runAndNext: () => {
        void this.run(true);
        host.focusNext(this);
      },
      changed: () => host.changed(),
      focused: () => host.focused(this),
    });
  }

  get sql(): string {
    return this.editor.state.doc.toString();
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  destroy(): void {
    this.cancel();
    destroyEditor(this.editor);
    this.element.remove();
  }

  cancel(): void {
    this.running?.abort();
  }

  /** A notice, by the protocol's field letters: V/S severity, M message, D detail, H hint. */
  addNotice(fields: Record<string, string | undefined>): void {
    const li = el("li", "notice");
    li.dataset.testid = "notice";
    li.textContent = `${fields.V ?? fields.S ?? "NOTICE"}: ${fields.M ?? ""}${fields.D ? ` — ${fields.D}` : ""}${fields.H ? ` (hint: ${fields.H})` : ""}`;
    this.notices.append(li);
  }

  /** Runs the cell; `useSelection`: only the selected text when there is a selection. */
  run(useSelection: boolean): Promise<void> {
    if (this.running) return this.done;
    this.done = this.runNow(useSelection);
    return this.done;
  }

  private async runNow(useSelection: boolean): Promise<void> {
    const picked = useSelection ? selection(this.editor) : null;
    const source = picked ?? { text: this.sql, from: 0 };
    const statements = splitStatements(source.text);
    this.results.replaceChildren();
    this.notices.replaceChildren();
    clearErrorMark(this.editor);
    closeCompletionList(this.editor);
    const con = this.host.session.con;
    if (!con) {
      this.status.textContent = "Not connected";
      return;
    }
    if (statements.length === 0) {
      this.status.textContent = "Nothing to run";
      return;
    }
    const controller = new AbortController();
    this.running = controller;
    this.runButton.disabled = true;
    this.cancelButton.disabled = false;
    this.element.classList.add("running");
    const started = performance.now();
    this.status.textContent = "running…";
    this.ticker = setInterval(() => {
      this.status.textContent = `running ${duration(performance.now() - started)}`;
    }, 100);
    let failed = false;
    let ddl = false;
    try {
      for (const statement of statements) {
        const isQuery = /^(select|with|values|table|show|explain)\b/i.test(stripLeadingComments(statement.text));
        ddl ||= !isQuery;
        const view = new ResultView(statement.text, isQuery ? (v, h) => void this.host.chart(v, h) : null);
        this.results.append(view.element);
        try {
          await runStatement(con, statement.text, view, (oid) => this.host.session.typeName(oid), controller.signal);
        } catch (err) {
          view.showError(describeError(err));
          const position = Number((err as { fields?: Record<string, string> }).fields?.P);
          if (position > 0) markError(this.editor, source.from + statement.from + position - 1);
          failed = true;
          break;
        } finally {
          this.host.session.emit("transaction");
        }
      }
    } finally {
      clearInterval(this.ticker);
      const ms = performance.now() - started;
      this.status.textContent = `${failed ? (controller.signal.aborted ? "cancelled" : "failed") : "done"} in ${duration(ms)}`;
      this.element.classList.remove("running");
      this.running = null;
      this.runButton.disabled = false;
      this.cancelButton.disabled = true;
      if (ddl) this.host.schemaMayHaveChanged();
    }
  }
}

function describeError(err: unknown): ErrorShown {
  if (err instanceof NotebookError) return { name: "Notebook", message: err.message };
  const e = err as { name?: string; code?: string; message?: string; fields?: Record<string, string | undefined> };
  if (!e.code) return { name: e.name ?? "Error", message: friendlyMessage(err) };
  // The server's fields by their protocol letters: D detail, H hint, W where.
  const f = e.fields ?? {};
  return {
    name: e.name ?? "Error",
    code: e.code,
    message: e.message ?? String(err),
    detail: f.D,
    hint: f.H,
    where: f.W,
  };
}
