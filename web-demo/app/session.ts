// The notebook's database session: connecting (abortable), the type names of the server, the
// transaction status, and error messages worded for someone using the notebook.

import type { Connection } from "pg8000/native";
import * as pg8000 from "pg8000/native";

export interface LoginFields {
  bridge: string;
  token?: string;
  target?: string;
  user: string;
  password?: string;
  database?: string;
  application_name?: string;
}

export type SessionEvent = "connected" | "closed" | "transaction";

export class Session {
  con: Connection | null = null;
  /** PostgreSQL type names by OID, loaded at connect (int4, text, timestamptz…). */
  private typeNames = new Map<number, string>();
  private readonly listeners = new Map<SessionEvent, Set<() => void>>();
  private connecting: AbortController | null = null;
  lastCloseReason = "";

  on(event: SessionEvent, listener: () => void): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
  }

  emit(event: SessionEvent): void {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }

  get isConnecting(): boolean {
    return this.connecting !== null;
  }

  /**
   * Connects; `abort()` gives up on the attempt at once (a connection that opens after that
   * is closed straight away).
   */
  async connect(fields: LoginFields): Promise<void> {
    const attempt = new AbortController();
    this.connecting = attempt;
    const aborted = new Promise<never>((_, reject) =>
      attempt.signal.addEventListener("abort", () => reject(new Error("Connecting was aborted.")), { once: true }),
    );
    const opening = pg8000.connect({
      user: fields.user,
      password: fields.password || undefined,
      database: fields.database || undefined,
      application_name: fields.application_name || "pg8000 notebook",
      bridge: { url: fields.bridge, token: fields.token || undefined, target: fields.target || undefined },
    });
    opening.then(
      (late) => {
        if (attempt.signal.aborted) void late.close();
      },
      () => undefined,
    );
    try {
      const con = await Promise.race([opening, aborted]);
      const rows = (await con.run("SELECT oid::int4, typname::text FROM pg_type")) ?? [];
      this.typeNames = new Map(rows.map((r) => [r[0] as number, r[1] as string]));
      this.con = con;
      con.on("close", (error) => {
        if (this.con !== con) return;
        this.con = null;
        this.lastCloseReason = error ? friendlyMessage(error) : "";
        this.emit("closed");
      });
      this.emit("connected");
    } finally {
      if (this.connecting === attempt) this.connecting = null;
    }
  }

  abortConnect(): void {
    this.connecting?.abort();
  }

  async disconnect(): Promise<void> {
    const con = this.con;
    this.con = null;
    await con?.close();
    this.lastCloseReason = "";
    this.emit("closed");
  }

  typeName(oid: number): string {
    return this.typeNames.get(oid) ?? String(oid);
  }

  /** "I" idle, "T" in a transaction, "E" failed transaction. */
  get transactionStatus(): "I" | "T" | "E" | null {
    return this.con?.transaction_status ?? null;
  }
}

/**
 * What went wrong, for a notebook user: the driver's messages speak of bridge configs and close
 * codes, which mean nothing to someone whose `npm start` was stopped.
 */
export function friendlyMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/could not open a WebSocket to the bridge/.test(message))
    return "The notebook's server is not running (was npm start stopped?). Start it again and open the address it prints.";
  if (/could not reach PostgreSQL/.test(message))
    return "The database server is not running or cannot be reached. Start it (or npm start) again, then Connect.";
  if (/lost its connection to PostgreSQL|the server closed the connection/.test(message))
    return "The database server ended this session (it was stopped or restarted). Connect again.";
  if (/bridge is shutting down/.test(message))
    return "The notebook's server is shutting down (npm start was stopped). Start it again and open the address it prints.";
  if (/connection to the bridge was lost/.test(message))
    return "The connection to the notebook's server was lost (was npm start stopped?). Start it again, then Connect.";
  if (/refused the token/.test(message))
    return "This page's token is not valid for this server: open the address npm start printed most recently.";
  return message;
}
