// The SQL notebook: pg8000/native in the browser, through the pg8000 bridge.
// Connection fields can be prefilled from the URL fragment (never sent to any server):
//   index.html#bridge=ws://127.0.0.1:5480/&target=main&user=alice&database=app&token=…

import type { Connection } from "pg8000/native";
import * as pg8000 from "pg8000/native";

// For experiments in the browser console: `await pg8000.connect({...})`.
(globalThis as { pg8000?: typeof pg8000 }).pg8000 = pg8000;

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;
const form = $<HTMLFormElement>("#login");
const status = $<HTMLOutputElement>("#status");
const sqlBox = $<HTMLTextAreaElement>("#sql");
const runButton = $<HTMLButtonElement>("#run");
const cancelButton = $<HTMLButtonElement>("#cancel");
const connectButton = $<HTMLButtonElement>("#connect");
const disconnectButton = $<HTMLButtonElement>("#disconnect");
const summary = $<HTMLOutputElement>("#summary");
const errorBox = $<HTMLDivElement>("#error");
const table = $<HTMLTableElement>("#rows");
const notifications = $<HTMLOListElement>("#notifications");

let con: Connection | null = null;
let running = false;

prefill();

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void openConnection();
});
disconnectButton.addEventListener("click", () => void con?.close());
runButton.addEventListener("click", () => void runSql());
cancelButton.addEventListener("click", () => void con?.cancel().catch(showError));
sqlBox.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    if (!runButton.disabled) void runSql();
  }
});

function prefill(): void {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const name of ["bridge", "token", "target", "user", "database"]) {
    const value = params.get(name);
    if (value !== null) (form.elements.namedItem(name) as HTMLInputElement).value = value;
  }
  // `npm start` with a server that needs no password connects straight away.
  if (params.get("connect") === "1") void openConnection();
}

function field(name: string): string | undefined {
  const value = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  return value === "" ? undefined : value;
}

async function openConnection(): Promise<void> {
  connectButton.disabled = true;
  status.value = "Connecting…";
  try {
    const opened = await pg8000.connect({
      user: field("user") ?? "",
      password: (form.elements.namedItem("password") as HTMLInputElement).value || undefined,
      database: field("database"),
      bridge: { url: field("bridge") ?? "", token: field("token"), target: field("target") },
    });
    con = opened;
    const server = opened.parameter_statuses.server_version ?? "?";
    status.value = `Connected to PostgreSQL ${server} as ${field("user")}`;
    opened.on("notification", ([pid, channel, payload]) => {
      const item = document.createElement("li");
      item.textContent = `${channel}: ${payload} (from backend ${pid})`;
      notifications.append(item);
    });
    opened.on("close", (error) => {
      if (con !== opened) return;
      con = null;
      status.value = error ? `Disconnected: ${error.message}` : "Disconnected";
      setButtons();
    });
  } catch (err) {
    status.value = "Not connected";
    showError(err);
  } finally {
    setButtons();
  }
}

async function runSql(): Promise<void> {
  if (!con) return;
  running = true;
  setButtons();
  clearResult();
  summary.value = "Running…";
  const started = performance.now();
  try {
    const rows = await con.run(sqlBox.value);
    const ms = Math.round(performance.now() - started);
    if (rows === null) {
      summary.value = `Done in ${ms} ms${con.row_count !== null && con.row_count >= 0 ? `, ${con.row_count} rows affected` : ""}`;
    } else {
      renderRows(
        (con.columns ?? []).map((c) => c.name),
        rows,
      );
      summary.value = `${rows.length} row${rows.length === 1 ? "" : "s"} in ${ms} ms`;
    }
  } catch (err) {
    summary.value = "";
    showError(err);
  } finally {
    running = false;
    setButtons();
  }
}

function setButtons(): void {
  const open = con !== null && !con.closed;
  connectButton.disabled = open;
  disconnectButton.disabled = !open;
  runButton.disabled = !open || running;
  cancelButton.disabled = !open || !running;
}

function clearResult(): void {
  errorBox.hidden = true;
  errorBox.textContent = "";
  table.hidden = true;
  table.tHead!.replaceChildren();
  table.tBodies[0]!.replaceChildren();
}

function showError(err: unknown): void {
  const e = err as { name?: string; message?: string; code?: string; detail?: string; hint?: string };
  const lines = [`${e.name ?? "Error"}${e.code ? ` [${e.code}]` : ""}: ${e.message ?? String(err)}`];
  if (e.detail) lines.push(`DETAIL: ${e.detail}`);
  if (e.hint) lines.push(`HINT: ${e.hint}`);
  errorBox.textContent = lines.join("\n");
  errorBox.hidden = false;
}

function renderRows(names: string[], rows: unknown[][]): void {
  const head = document.createElement("tr");
  for (const name of names) {
    const th = document.createElement("th");
    th.textContent = name;
    head.append(th);
  }
  table.tHead!.append(head);
  const body = table.tBodies[0]!;
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const value of row) {
      const td = document.createElement("td");
      // textContent only: values come from the database and may hold markup.
      td.textContent = formatValue(value);
      if (value === null) td.className = "null";
      tr.append(td);
    }
    body.append(tr);
  }
  table.hidden = false;
}

/** How a value looks in a cell: close to psql's text output where JavaScript allows. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (value instanceof Uint8Array) return `\\x${Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (typeof value === "object") {
    const own = (value as { toString?: () => string }).toString;
    if (!Array.isArray(value) && own && own !== Object.prototype.toString) return String(value);
    return JSON.stringify(value, (_key, v: unknown) =>
      typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? formatValue(v) : v,
    );
  }
  return String(value);
}
