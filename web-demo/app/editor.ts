// A cell's editor: CodeMirror 6 with PostgreSQL highlighting, completion of table and column
// names from the schema browser's catalogue, the notebook's keys, and the error-position mark.

import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  closeCompletion,
  completionKeymap,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { PostgreSQL, type SQLNamespace, sql } from "@codemirror/lang-sql";
import { bracketMatching, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView, keymap, lineNumbers, placeholder } from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";

export interface EditorHooks {
  /** Ctrl/Cmd+Enter: run the cell (or only the selection when there is one). */
  run(): void;
  /** Shift+Enter: run, then go to the next cell. */
  runAndNext(): void;
  changed(sql: string): void;
  focused(): void;
}

const language = new Compartment();
let currentSchema: SQLNamespace = {};
const views = new Set<EditorView>();

function sqlLanguage() {
  return sql({ dialect: PostgreSQL, schema: currentSchema, defaultSchema: "public" });
}

/** New catalogue from the schema browser: every editor completes from it. */
export function setCompletionSchema(schema: SQLNamespace): void {
  currentSchema = schema;
  for (const view of views) view.dispatch({ effects: language.reconfigure(sqlLanguage()) });
}

const setErrorMark = StateEffect.define<{ from: number; to: number } | null>();
const errorMark = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setErrorMark)) {
        if (effect.value === null) return Decoration.none;
        const { from, to } = effect.value;
        return Decoration.set([
          Decoration.mark({
            class: "cm-error-mark",
            attributes: { "data-testid": "error-marker", title: "the error is here" },
          }).range(from, to),
        ]);
      }
    }
    // Editing moves the mark with the text; an edit inside it clears it.
    return tr.docChanged ? marks.map(tr.changes) : marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export function createEditor(parent: HTMLElement, doc: string, hooks: EditorHooks): EditorView {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        history(),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        // Token classes (tok-keyword…) coloured by notebook.css, for the light and the dark scheme.
        syntaxHighlighting(classHighlighter),
        placeholder("SELECT …   (Ctrl+Enter runs, Shift+Enter runs and moves on)"),
        language.of(sqlLanguage()),
        errorMark,
        keymap.of([
          { key: "Mod-Enter", run: handled(hooks.run) },
          { key: "Shift-Enter", run: handled(hooks.runAndNext) },
          ...closeBracketsKeymap,
          ...completionKeymap,
          ...defaultKeymap,
          ...historyKeymap,
          indentWithTab,
        ]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) hooks.changed(update.state.doc.toString());
          if (update.focusChanged && update.view.hasFocus) hooks.focused();
        }),
        EditorView.contentAttributes.of({ "data-testid": "cell-editor", "aria-label": "SQL" }),
      ],
    }),
  });
  views.add(view);
  return view;
}

/** A key command that always takes the key. */
function handled(action: () => void): () => boolean {
  return () => {
    action();
    return true;
  };
}

export function destroyEditor(view: EditorView): void {
  views.delete(view);
  view.destroy();
}

/** Marks the error at `offset` (0-based, in the cell's text): the word there, or one character. */
export function markError(view: EditorView, offset: number): void {
  const doc = view.state.doc;
  const from = Math.min(Math.max(0, offset), doc.length);
  const rest = doc.sliceString(from, Math.min(doc.length, from + 64));
  const word = /^[\w$.]+|^\S/.exec(rest)?.[0].length ?? 0;
  const to = Math.min(doc.length, from + Math.max(1, word));
  if (from === to) return;
  view.dispatch({ effects: setErrorMark.of({ from, to }), selection: { anchor: from }, scrollIntoView: true });
}

export function clearErrorMark(view: EditorView): void {
  view.dispatch({ effects: setErrorMark.of(null) });
}

/** The cell runs: a completion list still open from the last keystrokes would only cover the result. */
export function closeCompletionList(view: EditorView): void {
  closeCompletion(view);
}

/** The selected text and where it starts, or null when nothing is selected. */
export function selection(view: EditorView): { text: string; from: number } | null {
  const { from, to } = view.state.selection.main;
  return from === to ? null : { text: view.state.sliceDoc(from, to), from };
}

/** Inserts text at the cursor (the schema browser's names). */
export function insertAtCursor(view: EditorView, text: string): void {
  const { from, to } = view.state.selection.main;
  view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length } });
  view.focus();
}
