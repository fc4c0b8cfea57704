// The side panels that are not cells: CSV import through COPY FROM STDIN, and LISTEN.

import { identifier } from "pg8000/native";
import { duration, parseCsvLine, plural } from "./format.js";
import { el } from "./grid.js";
import { friendlyMessage, type Session } from "./session.js";

const $ = <T extends HTMLElement>(root: ParentNode, testid: string): T =>
  root.querySelector<T>(`[data-testid="${testid}"]`)!;

/**
 * CSV import: the file goes to `COPY table FROM STDIN (FORMAT csv, HEADER true)` as a stream of
 * the File's chunks (never read whole), the progress bar counting the bytes handed over. A table
 * that does not exist is created first with one text column per header field.
 */
export function setUpImport(root: HTMLElement, session: Session, imported: () => void): void {
  const fileInput = $<HTMLInputElement>(root, "import-file");
  const tableInput = $<HTMLInputElement>(root, "import-table");
  const start = $<HTMLButtonElement>(root, "import-start");
  const progress = $<HTMLProgressElement>(root, "import-progress");
  const done = $<HTMLElement>(root, "import-done");
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (file && !tableInput.value)
      tableInput.value = file.name
        .replace(/\.[^.]*$/, "")
        .replace(/\W+/g, "_")
        .toLowerCase();
  });
  start.addEventListener("click", async () => {
    const file = fileInput.files?.[0];
    const con = session.con;
    const name = tableInput.value.trim();
    done.textContent = "";
    done.classList.remove("failed");
    if (!con) return void (done.textContent = "Connect first.");
    if (!file) return void (done.textContent = "Choose a CSV file first.");
    if (!name) return void (done.textContent = "Name the table to import into.");
    start.disabled = true;
    progress.max = file.size;
    progress.value = 0;
    const started = performance.now();
    try {
      const target = name
        .split(".")
        .map((part) => identifier(part))
        .join(".");
      const exists = await con.run("SELECT to_regclass(:t) IS NOT NULL", { t: target });
      let created = false;
      if (!exists?.[0]?.[0]) {
        const header = parseCsvLine(firstLine(await file.slice(0, 1 << 16).text()));
        const columns = header.map((h, i) => `${identifier(h.trim() || `column_${i + 1}`)} text`);
        await con.run(`CREATE TABLE ${target} (${columns.join(", ")})`);
        created = true;
      }
      const reader = file.stream().getReader();
      let sent = 0;
      const source = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done: ended, value } = await reader.read();
          if (ended) {
            controller.close();
            return;
          }
          sent += value.byteLength;
          progress.value = sent;
          controller.enqueue(value);
        },
        cancel: (reason) => reader.cancel(reason),
      });
      await con.run(`COPY ${target} FROM STDIN WITH (FORMAT csv, HEADER true)`, null, { stream: source });
      progress.value = file.size;
      done.textContent = `Imported ${plural(con.row_count ?? 0, "row")} into ${name}${created ? " (new table, text columns)" : ""} in ${duration(performance.now() - started)}.`;
      imported();
    } catch (err) {
      done.classList.add("failed");
      done.textContent = `Import failed: ${friendlyMessage(err)}`;
    } finally {
      session.emit("transaction");
      start.disabled = false;
    }
  });
}

function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

/** LISTEN panel: channels listened to on the notebook's session; notifications appear live. */
export function setUpListen(root: HTMLElement, session: Session): void {
  const channelInput = $<HTMLInputElement>(root, "listen-channel");
  const start = $<HTMLButtonElement>(root, "listen-start");
  const list = root.querySelector<HTMLOListElement>(".notifications")!;
  const channels = root.querySelector<HTMLElement>(".channels")!;
  const message = root.querySelector<HTMLElement>(".listen-message")!;
  session.on("connected", () => {
    channels.textContent = "";
    session.con!.on("notification", ([pid, channel, payload]) => {
      const item = el("li");
      item.dataset.testid = "notification";
      const time = new Date().toLocaleTimeString("en-GB");
      item.textContent = `${time} ${channel}: ${payload} (from backend ${pid})`;
      list.prepend(item);
    });
  });
  const listen = async (): Promise<void> => {
    const channel = channelInput.value.trim();
    const con = session.con;
    message.textContent = "";
    if (!con) return void (message.textContent = "Connect first.");
    if (!channel) return void (message.textContent = "Name a channel.");
    try {
      await con.run(`LISTEN ${identifier(channel)}`);
      channels.textContent = `${channels.textContent ? `${channels.textContent}, ` : "Listening to: "}${channel}`;
      channelInput.value = "";
    } catch (err) {
      message.textContent = friendlyMessage(err);
    } finally {
      session.emit("transaction");
    }
  };
  start.addEventListener("click", () => void listen());
  channelInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") void listen();
  });
}
