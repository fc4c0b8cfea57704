// Named prepared statements per connection, least recently used evicted first.
// Evicted statements are closed on the server (the Close rides along with the next write).

import type { ColumnInfo } from "../protocol/messages.js";
import type { RowDecoder } from "./rows.js";

export interface StatementEntry {
  readonly name: string;
  readonly sql: string;
  /** Parameter OIDs as the server resolved them (ParameterDescription). */
  paramOids: number[] | null;
  /** Result columns; null when the statement returns no rows; undefined until described. */
  columns: ColumnInfo[] | null | undefined;
  /** Decoder requesting binary where the codec can decode; set once described. */
  decoder: RowDecoder | null;
  /** The connection's typesGeneration the decoder was built for. */
  decoderGeneration: number;
  /** Parse failed: later users get this error instead of "statement does not exist". */
  parseError: Error | null;
  /** Requests in flight using this statement; it is not closed while > 0. */
  uses: number;
}

/** A statement not parsed on the server yet. */
export function newStatementEntry(name: string, sql: string): StatementEntry {
  return { name, sql, paramOids: null, columns: undefined, decoder: null, decoderGeneration: -1, parseError: null, uses: 0 };
}

export class StatementCache {
  private readonly entries = new Map<string, StatementEntry>();
  private counter = 0;
  /** Names to Close on the server with the next write. */
  readonly toClose: string[] = [];

  constructor(readonly capacity: number) {}

  get enabled(): boolean {
    return this.capacity > 0;
  }

  get(key: string): StatementEntry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Map keeps insertion order: re-inserting marks it most recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  create(key: string, sql: string): StatementEntry {
    const entry = newStatementEntry(`pg8000_s${++this.counter}`, sql);
    this.entries.set(key, entry);
    this.evict();
    return entry;
  }

  /** Forgets a statement (parse failed, or the server dropped it); closes it if it exists there. */
  remove(key: string, entry: StatementEntry, existsOnServer: boolean): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
    if (existsOnServer) this.toClose.push(entry.name);
  }

  /** Forgets everything (e.g. after DISCARD ALL the server has none of them). */
  clear(): void {
    this.entries.clear();
  }

  private evict(): void {
    if (this.entries.size <= this.capacity) return;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      if (entry.uses > 0) continue;
      this.entries.delete(key);
      if (entry.parseError === null) this.toClose.push(entry.name);
    }
  }
}
