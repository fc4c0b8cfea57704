// Named prepared statements per connection, least recently used evicted first.
// Evicted statements are closed on the server (the Close rides along with the next write).

import type { ColumnInfo } from "../protocol/messages.js";
import { checkCString } from "../protocol/serializer.js";
import { randomBytes } from "./auth/primitives.js";
import type { RowDecoder } from "./rows.js";

export interface StatementEntry {
  readonly name: string;
  readonly sql: string;
  /** Parameter type OIDs it was parsed with, joined by commas (its key beside the SQL). */
  readonly types: string;
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
  /** When it was last used (the cache's clock), for least-recently-used eviction. */
  lastUsed: number;
  /** Settles when the server has described it (rejects with the parse error). */
  described: Promise<void>;
}

/** A statement not parsed on the server yet. */
export function newStatementEntry(name: string, sql: string, types = ""): StatementEntry {
  return {
    name,
    sql,
    types,
    paramOids: null,
    columns: undefined,
    decoder: null,
    decoderGeneration: -1,
    parseError: null,
    uses: 0,
    lastUsed: 0,
    described: Promise.resolve(),
  };
}

/**
 * A per-connection prefix for statement names ("pg8000_3f9a0c2e51b7_4_"): random per process, then
 * a counter per connection. Behind a pooler in transaction mode (PgBouncer) a server session
 * serves many clients in turn, so a statement named by a plain counter could be another client's
 * with different SQL, and binding it would silently return that statement's rows. With these
 * prefixes a foreign statement is never found under our name: the server answers 26000 (does not
 * exist) and the driver prepares again. (Six random bytes once per process, not per connection:
 * getRandomValues costs more than the rest of the name.)
 */
export function statementNamePrefix(): string {
  processPrefix ??= `pg8000_${Array.from(randomBytes(6), (b) => b.toString(16).padStart(2, "0")).join("")}_`;
  return `${processPrefix}${(connectionCount++).toString(36)}_`;
}

let processPrefix: string | undefined;
let connectionCount = 0;

export class StatementCache {
  /** By SQL text, then by parameter types ("23,25"): a user's SQL string keeps its hash, so
   *  no key string is built or hashed per query. */
  private readonly entries = new Map<string, Map<string, StatementEntry>>();
  private size = 0;
  private counter = 0;
  private tick = 0;
  /** Names to Close on the server with the next write. */
  readonly toClose: string[] = [];
  private readonly prefix = statementNamePrefix();

  constructor(readonly capacity: number) {}

  /** Set once a statement we prepared vanished from the server (see vanished()). */
  private mixed = false;

  get enabled(): boolean {
    return this.capacity > 0 && !this.mixed;
  }

  /**
   * A statement this connection prepared does not exist on the server (26000): a transaction
   * pooler (PgBouncer) is handing our exchanges to different server connections, so a named
   * statement can never be relied on here. From now on every query is one unnamed
   * Parse/Bind/Describe/Execute/Sync exchange, which a pooler keeps on one server connection.
   */
  vanished(entry: StatementEntry): void {
    this.mixedServers();
    this.remove(entry, false);
  }

  /** A pooler was seen mixing server connections: no named statements from now on. */
  mixedServers(): void {
    this.mixed = true;
  }

  /**
   * Forgets every statement without closing it (the session dropped them all: DEALLOCATE ALL,
   * DISCARD ALL). Statements in use still fail with 26000 on the server, as they would anyway.
   */
  forgetAll(): void {
    this.entries.clear();
    this.size = 0;
    this.toClose.length = 0;
  }

  get(sql: string, types: string): StatementEntry | undefined {
    const entry = this.entries.get(sql)?.get(types);
    if (entry) entry.lastUsed = ++this.tick;
    return entry;
  }

  create(sql: string, types: string): StatementEntry {
    // SQL that cannot be sent is refused before it is cached: its Parse would never go out.
    checkCString(sql, "query");
    const entry = newStatementEntry(this.uniqueName("s"), sql, types);
    entry.lastUsed = ++this.tick;
    let byTypes = this.entries.get(sql);
    if (!byTypes) this.entries.set(sql, (byTypes = new Map()));
    byTypes.set(types, entry);
    this.size++;
    this.evict();
    return entry;
  }

  /** A statement name no other connection uses, e.g. "pg8000_3f9a0c2e1b7d_s12". */
  uniqueName(kind: string): string {
    return `${this.prefix}${kind}${++this.counter}`;
  }

  /** Forgets a statement (parse failed, or the server dropped it); closes it if it exists there. */
  remove(entry: StatementEntry, existsOnServer: boolean): void {
    const byTypes = this.entries.get(entry.sql);
    if (byTypes?.get(entry.types) === entry) {
      byTypes.delete(entry.types);
      if (byTypes.size === 0) this.entries.delete(entry.sql);
      this.size--;
    }
    if (existsOnServer) this.toClose.push(entry.name);
  }

  /** Least recently used first, skipping statements in use (they go once no longer used). */
  private evict(): void {
    if (this.size <= this.capacity) return;
    const all: StatementEntry[] = [];
    for (const byTypes of this.entries.values()) for (const entry of byTypes.values()) all.push(entry);
    all.sort((a, b) => a.lastUsed - b.lastUsed);
    for (const entry of all) {
      if (this.size <= this.capacity) break;
      if (entry.uses > 0) continue;
      this.remove(entry, entry.parseError === null);
    }
  }
}
