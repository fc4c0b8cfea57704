// The schema browser: schemas → tables and views → columns with their types, read from the
// catalogue; clicking a name inserts it into the cell being edited. The same catalogue feeds
// the editors' completion.

import type { SQLNamespace } from "@codemirror/lang-sql";
import { setCompletionSchema } from "./editor.js";
import { el } from "./grid.js";
import type { Session } from "./session.js";

const CATALOGUE = `
SELECT n.nspname::text, c.relname::text, c.relkind::text, a.attname::text,
       format_type(a.atttypid, a.atttypmod)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
  AND has_schema_privilege(n.oid, 'USAGE')
ORDER BY 1, 2, a.attnum`;

const KINDS: Record<string, string> = { r: "table", v: "view", m: "materialized view", p: "table", f: "foreign table" };

export class SchemaBrowser {
  private refreshing: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly session: Session,
    private readonly insert: (text: string) => void,
  ) {}

  /** Reads the catalogue again (coalesced: at most one refresh waits behind the running one). */
  refresh(): void {
    if (this.refreshing) {
      this.again = true;
      return;
    }
    this.refreshing = this.load().finally(() => {
      this.refreshing = null;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    });
  }

  private async load(): Promise<void> {
    const con = this.session.con;
    if (!con) {
      this.root.replaceChildren();
      return;
    }
    let rows: unknown[][];
    try {
      rows = (await con.run(CATALOGUE)) ?? [];
    } catch {
      return; // e.g. the session is in a failed transaction: keep what is shown
    }
    const schemas = new Map<string, Map<string, { kind: string; columns: [string, string][] }>>();
    for (const [schema, table, kind, column, type] of rows as string[][]) {
      let tables = schemas.get(schema!);
      if (!tables) schemas.set(schema!, (tables = new Map()));
      let entry = tables.get(table!);
      if (!entry) tables.set(table!, (entry = { kind: KINDS[kind!] ?? "table", columns: [] }));
      if (column) entry.columns.push([column, type!]);
    }
    const open = new Set(
      [...this.root.querySelectorAll<HTMLDetailsElement>("details[open]")].map((d) => d.dataset.key),
    );
    const nodes: HTMLElement[] = [];
    const completion: SQLNamespace = {};
    for (const [schema, tables] of schemas) {
      const details = el("details", "schema");
      details.dataset.key = schema;
      details.open = open.has(schema) || schema === "public";
      const summary = el("summary");
      summary.textContent = schema;
      details.append(summary);
      const namespace: Record<string, string[]> = {};
      for (const [table, { kind, columns }] of tables) {
        namespace[table] = columns.map(([c]) => c);
        const tableNode = el("details", "table");
        tableNode.dataset.key = `${schema}.${table}`;
        tableNode.open = open.has(tableNode.dataset.key);
        const head = el("summary");
        const name = el("span", "name");
        name.dataset.testid = "schema-table";
        name.textContent = table;
        name.title = `${kind}: click to insert its name`;
        name.addEventListener("click", (event) => {
          event.preventDefault();
          this.insert(qualified(schema, table));
        });
        const kindLabel = el("span", "kind");
        kindLabel.textContent = kind === "table" ? "" : kind;
        head.append(name, kindLabel);
        const list = el("ul", "columns");
        for (const [column, type] of columns) {
          const li = el("li");
          li.dataset.testid = "schema-column";
          const c = el("span", "name");
          c.textContent = column;
          c.addEventListener("click", () => this.insert(quoteIfNeeded(column)));
          const t = el("span", "type");
          t.textContent = type;
          li.append(c, " ", t);
          list.append(li);
        }
        tableNode.append(head, list);
        details.append(tableNode);
      }
      completion[schema] = namespace;
      nodes.push(details);
    }
    this.root.replaceChildren(...nodes);
    // Unqualified names complete from the public schema (defaultSchema), qualified ones from theirs.
    setCompletionSchema(completion);
  }
}

function qualified(schema: string, table: string): string {
  return schema === "public" ? quoteIfNeeded(table) : `${quoteIfNeeded(schema)}.${quoteIfNeeded(table)}`;
}

function quoteIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
