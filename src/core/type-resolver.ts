// User types (OIDs from FirstNormalObjectId on: enums, domains, composites, extension types,
// arrays and ranges of them) are looked up once per connection in pg_type and taught to the
// connection's type registry.

import type { ColumnInfo } from "../protocol/messages.js";
import type { TypeRegistry, UserTypeKind } from "../types/registry.js";
import type { QueryResult } from "./query.js";

/** PostgreSQL's FirstNormalObjectId: OIDs below it are built in. */
const FIRST_NORMAL_OID = 16384;

export interface TypeResolverHost {
  registry: TypeRegistry;
  query(sql: string, params: unknown[]): Promise<QueryResult>;
  serverMajorVersion(): number;
  isClosed(): boolean;
  /** Decoding rules changed: cached decoders must be rebuilt. */
  changed(): void;
}

export class TypeResolver {
  private readonly known = new Set<number>();
  private readonly lookups = new Map<number, Promise<void>>();

  constructor(private readonly host: TypeResolverHost) {}

  /** OIDs among `columns` not looked up yet. */
  unresolved(columns: ColumnInfo[]): number[] {
    const out: number[] = [];
    for (const c of columns) {
      if (c.type_oid >= FIRST_NORMAL_OID && !this.known.has(c.type_oid) && !out.includes(c.type_oid))
        out.push(c.type_oid);
    }
    return out;
  }

  /** Looks the types up (sharing lookups already in flight); never rejects. */
  resolve(oids: number[]): Promise<void> {
    const missing = oids.filter((oid) => !this.known.has(oid) && !this.lookups.has(oid));
    if (missing.length > 0) {
      // A failed lookup (e.g. inside a failed transaction) leaves the values as text.
      const lookup = this.lookUp(missing).catch(() => undefined);
      for (const oid of missing) this.lookups.set(oid, lookup);
      void lookup.finally(() => {
        for (const oid of missing) this.lookups.delete(oid);
      });
    }
    return Promise.all(oids.map((oid) => this.lookups.get(oid))).then(() => undefined);
  }

  private async lookUp(oids: number[]): Promise<void> {
    let pending = oids;
    while (pending.length > 0 && !this.host.isClosed()) {
      const multirangeOf =
        this.host.serverMajorVersion() >= 14
          ? "(SELECT rngtypid FROM pg_catalog.pg_range WHERE rngmultitypid = t.oid)"
          : "NULL::oid";
      const result = await this.host.query(
        `SELECT t.oid, t.typname, t.typtype, t.typcategory, t.typelem, t.typbasetype,
                coalesce(e.typdelim, ','), r.rngsubtype, ${multirangeOf}
         FROM pg_catalog.pg_type t
         LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem
         LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
         WHERE t.oid = ANY($1::oid[])`,
        [pending],
      );
      const next: number[] = [];
      const need = (oid: number | undefined): void => {
        if (oid && oid >= FIRST_NORMAL_OID && !this.known.has(oid) && !pending.includes(oid) && !next.includes(oid)) {
          next.push(oid);
        }
      };
      for (const row of result.rows) {
        const [oid, name, typtype, category, elem, base, delimiter, subtype, rangeOfMulti] = row as [
          number,
          string,
          string,
          string,
          number,
          number,
          string,
          number | null,
          number | null,
        ];
        const kind = kindOf(typtype, category, elem);
        const elementOid =
          kind === "array"
            ? elem
            : kind === "range"
              ? (subtype ?? undefined)
              : kind === "multirange"
                ? (rangeOfMulti ?? undefined)
                : undefined;
        const baseOid = kind === "domain" ? base : undefined;
        this.host.registry.registerUserType({ oid, name, kind, elementOid, baseOid, delimiter });
        this.known.add(oid);
        need(elementOid);
        need(baseOid);
      }
      for (const oid of pending) this.known.add(oid); // not found (dropped meanwhile): stays text
      pending = next;
    }
    this.host.changed();
  }
}

function kindOf(typtype: string, category: string, elem: number): UserTypeKind {
  switch (typtype) {
    case "e":
      return "enum";
    case "c":
      return "composite";
    case "d":
      return "domain";
    case "r":
      return "range";
    case "m":
      return "multirange";
    default:
      return category === "A" && elem !== 0 ? "array" : "base";
  }
}
