// The SQL notebook: pg8000/native in the browser, through the pg8000 bridge.
// Connection fields can be prefilled from the URL fragment (never sent to any server):
//   index.html#bridge=ws://127.0.0.1:5480/&target=main&user=alice&database=app&token=…

import * as pg8000 from "pg8000/native";
import { Cell, type CellHost } from "./app/cell.js";
import { insertAtCursor } from "./app/editor.js";
import { fromSqlFile, toSqlFile } from "./app/notebook-file.js";
import { setUpImport, setUpListen } from "./app/panels.js";
import type { ResultView } from "./app/result-view.js";
import { SchemaBrowser } from "./app/schema.js";
import { friendlyMessage, Session } from "./app/session.js";

// For experiments in the browser console: `await pg8000.connect({...})`.
(globalThis as { pg8000?: typeof pg8000 }).pg8000 = pg8000;

const STORAGE_KEY = "pg8000-notebook.cells";
const FIRST_CELLS = [
  "-- Ctrl+Enter runs a cell (or the selected part), Shift+Enter runs it and moves on.\nSELECT name, country, population FROM city ORDER BY population DESC;",
  "-- A time series to chart: run, then press Chart.\nSELECT day, temp_max, temp_min FROM weather WHERE city_id = 1 ORDER BY day;",
  "SELECT city, month, mean_temp, precipitation_mm FROM monthly_weather WHERE city = 'Lisbon' ORDER BY month;",
];

const byId = <T extends HTMLElement>(testid: string): T => document.querySelector<T>(`[data-testid="${testid}"]`)!;
const form = document.querySelector<HTMLFormElement>("#login")!;
const status = byId<HTMLElement>("connection-status");
const txStatus = byId<HTMLElement>("transaction-status");
const connectButton = byId<HTMLButtonElement>("connect");
const disconnectButton = byId<HTMLButtonElement>("disconnect");
const cellList = document.querySelector<HTMLElement>("#cells")!;
const session = new Session();
const cells: Cell[] = [];
let lastFocused: Cell | null = null;
let saveTimer: ReturnType<typeof setTimeout> | undefined;
const params = new URLSearchParams(location.hash.slice(1));

const schema = new SchemaBrowser(byId("schema-browser"), session, (text) => {
  const target = lastFocused ?? cells[0];
  if (target) insertAtCursor(target.editor, text);
});

const host: CellHost = {
  session,
  changed: () => scheduleSave(),
  remove(cell) {
    const at = cells.indexOf(cell);
    cells.splice(at, 1);
    cell.destroy();
    if (lastFocused === cell) lastFocused = null;
    if (cells.length === 0) addCell("");
    save();
  },
  move(cell, by) {
    const at = cells.indexOf(cell);
    const to = at + by;
    if (to < 0 || to >= cells.length) return;
    cells.splice(at, 1);
    cells.splice(to, 0, cell);
    if (by < 0) cells[to + 1]!.element.before(cell.element);
    else cells[to - 1]!.element.after(cell.element);
    save();
  },
  focusNext(cell) {
    const next = cells[cells.indexOf(cell) + 1] ?? addCell("");
    next.editor.focus();
  },
  focused(cell) {
    lastFocused = cell;
  },
  schemaMayHaveChanged: () => schema.refresh(),
  async chart(view: ResultView, chartHost: HTMLElement) {
    // uPlot loads with the first chart, not with the page.
    const { showChart } = await import("./app/chart.js");
    if (session.con) await showChart(view, chartHost, session.con, (oid) => session.typeName(oid));
  },
};

function addCell(sql: string, after?: Cell): Cell {
  const cell = new Cell(sql, host);
  const at = after ? cells.indexOf(after) + 1 : cells.length;
  cells.splice(at, 0, cell);
  if (after) after.element.after(cell.element);
  else cellList.append(cell.element);
  save();
  return cell;
}

function save(): void {
  clearTimeout(saveTimer);
  localStorage.setItem(STORAGE_KEY, JSON.stringify(cells.map((c) => c.sql)));
}

function scheduleSave(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(save, 250);
}
addEventListener("pagehide", save);

function loadCells(): string[] {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as unknown;
    if (Array.isArray(stored) && stored.every((s) => typeof s === "string") && stored.length > 0) return stored;
  } catch {
    // A damaged entry: start with the examples.
  }
  return FIRST_CELLS;
}

function replaceCells(sqls: string[]): void {
  for (const cell of cells.splice(0)) cell.destroy();
  for (const sql of sqls) addCell(sql);
}

// ---- toolbar ----
byId("add-cell").addEventListener("click", () => addCell("", lastFocused ?? undefined).editor.focus());
byId("run-all").addEventListener("click", async () => {
  for (const cell of [...cells]) {
    await cell.run(false);
    if (cell.element.querySelector('[data-testid="error"]')) break;
  }
});
byId("notebook-export").addEventListener("click", () => {
  const url = URL.createObjectURL(new Blob([toSqlFile(cells.map((c) => c.sql))], { type: "application/sql" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = "notebook.sql";
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
});
byId<HTMLInputElement>("notebook-import").addEventListener("change", async (event) => {
  const input = event.target as HTMLInputElement;
  const file = input.files?.[0];
  if (!file) return;
  replaceCells(fromSqlFile(await file.text()));
  input.value = "";
});

// ---- connection ----
function field(name: string): string {
  return (form.elements.namedItem(name) as HTMLInputElement).value.trim();
}

async function openConnection(): Promise<void> {
  if (session.isConnecting) {
    session.abortConnect();
    return;
  }
  connectButton.textContent = "Abort";
  connectButton.dataset.testid = "connect";
  status.textContent = "Connecting…";
  status.classList.remove("failed");
  try {
    await session.connect({
      bridge: field("bridge"),
      token: field("token"),
      target: field("target"),
      user: field("user"),
      password: (form.elements.namedItem("password") as HTMLInputElement).value,
      database: field("database"),
      application_name: params.get("app") ?? undefined,
    });
  } catch (err) {
    status.textContent = `Not connected: ${friendlyMessage(err)}`;
    status.classList.add("failed");
  } finally {
    connectButton.textContent = "Connect";
    setButtons();
  }
}

session.on("connected", () => {
  const con = session.con!;
  status.textContent = `Connected to PostgreSQL ${con.parameter_statuses.server_version ?? "?"} as ${field("user")}`;
  con.on("notice", (fields) => {
    const running = cells.find((c) => c.isRunning) ?? lastFocused ?? cells[0];
    running?.addNotice(fields as Record<string, string | undefined>);
  });
  showTransaction();
  schema.refresh();
  setButtons();
});
session.on("closed", () => {
  status.textContent = session.lastCloseReason ? `Disconnected: ${session.lastCloseReason}` : "Not connected";
  status.classList.toggle("failed", session.lastCloseReason !== "");
  showTransaction();
  setButtons();
});
session.on("transaction", showTransaction);

function showTransaction(): void {
  const state = session.transactionStatus;
  txStatus.dataset.state = state ?? "";
  txStatus.textContent =
    state === "T"
      ? "in a transaction (COMMIT or ROLLBACK ends it)"
      : state === "E"
        ? "failed transaction: ROLLBACK to go on"
        : state === "I"
          ? "idle (autocommit)"
          : "";
}

function setButtons(): void {
  const open = session.con !== null;
  connectButton.disabled = open;
  disconnectButton.disabled = !open;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void openConnection();
});
disconnectButton.addEventListener("click", () => void session.disconnect());

setUpImport(byId("import-panel"), session, () => schema.refresh());
setUpListen(byId("listen-panel"), session);

// ---- start ----
for (const name of ["bridge", "token", "target", "user", "database"]) {
  const value = params.get(name);
  if (value !== null) (form.elements.namedItem(name) as HTMLInputElement).value = value;
}
if (params.get("limits") === "pglite") byId("pglite-note").hidden = false;
for (const sql of loadCells()) addCell(sql);
// `npm start` with a server that needs no password connects straight away.
if (params.get("connect") === "1") void openConnection();
