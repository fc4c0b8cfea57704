// The per-connection type registry: which text decoder handles a result column's OID, and how
// a parameter value is encoded. Built-in behaviour lives in shared read-only tables; everything
// a connection adds (in/out adapters, user types found in pg_type) lives on its instance, so
// connections never affect each other.

import { parseArray } from "./array.js";
import { BUILTIN_TEXT_DECODERS, SESSION_TEXT_DECODERS } from "./decoders.js";
import { type AnyConstructor, type EncodedParameter, type OutAdapter, ParameterEncoder } from "./encode.js";
import { parseHstore } from "./hstore.js";
import * as oids from "./oids.js";
import { parseMultirange, parseRange, splitMultirange } from "./range.js";
import { SessionSettings } from "./session.js";

export type { EncodedParameter, OutAdapter } from "./encode.js";

/** Turns the text form of a column value into its JS value. */
export type InAdapter = (text: string) => unknown;

export type UserTypeKind = "enum" | "domain" | "composite" | "array" | "range" | "multirange" | "base";

export interface UserTypeInfo {
  oid: number;
  kind: UserTypeKind;
  /**
   * array: the element type (pg_type.typelem). range: the subtype (pg_range.rngsubtype).
   * multirange: the range type (pg_range.rngtypid); the subtype is accepted too.
   */
  elementOid?: number;
  /** domain: the base type (pg_type.typbasetype). */
  baseOid?: number;
  /** array: the element type's typdelim, "," unless given. */
  delimiter?: string;
  /** pg_type.typname; base types named "hstore" get the hstore decoder. */
  name: string;
}

/** Built-in range type → its subtype (pg_range.rngsubtype). */
export const RANGE_SUBTYPE: ReadonlyMap<number, number> = new Map([
  [oids.INT4RANGE, oids.INTEGER],
  [oids.INT8RANGE, oids.BIGINT],
  [oids.NUMRANGE, oids.NUMERIC],
  [oids.DATERANGE, oids.DATE],
  [oids.TSRANGE, oids.TIMESTAMP],
  [oids.TSTZRANGE, oids.TIMESTAMPTZ],
]);

/** Built-in multirange type → its range type (pg_range.rngmultitypid → rngtypid). */
const MULTIRANGE_RANGE: ReadonlyMap<number, number> = new Map([
  [oids.INT4MULTIRANGE, oids.INT4RANGE],
  [oids.INT8MULTIRANGE, oids.INT8RANGE],
  [oids.NUMMULTIRANGE, oids.NUMRANGE],
  [oids.DATEMULTIRANGE, oids.DATERANGE],
  [oids.TSMULTIRANGE, oids.TSRANGE],
  [oids.TSTZMULTIRANGE, oids.TSTZRANGE],
]);

/** Array types whose text form separates elements with ';' instead of ',' (pg_type.typdelim). */
const SEMICOLON_DELIMITED_ARRAYS: ReadonlySet<number> = new Set([oids.BOX_ARRAY]);

type Composite =
  | { kind: "array"; element: number; delimiter: string }
  | { kind: "range"; subtype: number }
  | { kind: "multirange"; element: number }
  | { kind: "alias"; target: number };

/** Shared: how each built-in array, range and multirange is composed from its element. */
const BUILTIN_COMPOSITES: ReadonlyMap<number, Composite> = new Map<number, Composite>([
  ...[...oids.ARRAY_ELEMENT].map(([array, element]): [number, Composite] => [
    array,
    { kind: "array", element, delimiter: SEMICOLON_DELIMITED_ARRAYS.has(array) ? ";" : "," },
  ]),
  ...[...RANGE_SUBTYPE].map(([range, subtype]): [number, Composite] => [range, { kind: "range", subtype }]),
  ...[...MULTIRANGE_RANGE].map(([multirange, range]): [number, Composite] => [
    multirange,
    { kind: "multirange", element: range },
  ]),
]);

const asText: InAdapter = (s) => s;

export class TypeRegistry {
  private readonly inAdapters = new Map<number, InAdapter>();
  private readonly outAdapters = new Map<AnyConstructor, OutAdapter>();
  /** User types (from pg_type) that need a decoder: domains, arrays, ranges, multiranges, hstore. */
  private readonly userComposites = new Map<number, Composite>();
  private readonly userDecoders = new Map<number, InAdapter>();
  /** Composed decoders; cleared whenever a registration could change one of them. */
  private readonly composed = new Map<number, InAdapter | undefined>();
  private readonly encoder = new ParameterEncoder((value) => this.findOutAdapter(value));
  /** The session's DateStyle, TimeZone, …, as the server last reported them. */
  readonly session = new SessionSettings();
  /** Session-dependent decoders bound to this connection's settings (read at call time). */
  private readonly sessionDecoders = new Map<number, InAdapter>();

  /**
   * The decoder for a column's text form, or undefined when the text itself is the value.
   * An in adapter wins; arrays, ranges and domains are composed from their element's decoder,
   * so an adapter registered for an element type applies inside them too.
   */
  textDecoder(oid: number): InAdapter | undefined {
    const adapter = this.inAdapters.get(oid);
    if (adapter !== undefined) return adapter;
    if (this.composed.has(oid)) return this.composed.get(oid);
    const decoder = this.compose(oid, 0);
    this.composed.set(oid, decoder);
    return decoder;
  }

  /** Overrides decoding for `oid`; the connection then requests that column in text format. */
  registerInAdapter(oid: number, fn: InAdapter): void {
    this.inAdapters.set(oid, fn);
    this.composed.clear();
  }

  hasInAdapter(oid: number): boolean {
    return this.inAdapters.has(oid);
  }

  /**
   * Sends instances of `ctor` (and of its subclasses) through `fn`. Registrations win over
   * every built-in rule; for subclasses the nearest registered ancestor applies.
   */
  registerOutAdapter(ctor: AnyConstructor, fn: OutAdapter): void {
    this.outAdapters.set(ctor, fn);
  }

  encode(value: unknown): EncodedParameter {
    return this.encoder.encode(value);
  }

  /**
   * A ParameterStatus from the server (DateStyle, IntervalStyle, TimeZone, …): text decoders
   * that depend on session settings read them from here when they run, so decoders already
   * handed out (cached per statement) follow the change without being rebuilt.
   */
  sessionChanged(name: string, value: string): void {
    this.session.update(name, value);
  }

  /** Teaches the registry a type found in pg_type (enum, domain, array of a user type, …). */
  registerUserType(info: UserTypeInfo): void {
    const { oid, kind } = info;
    this.userComposites.delete(oid);
    this.userDecoders.delete(oid);
    switch (kind) {
      case "domain":
        if (info.baseOid !== undefined) this.userComposites.set(oid, { kind: "alias", target: info.baseOid });
        break;
      case "array":
        if (info.elementOid !== undefined) {
          this.userComposites.set(oid, { kind: "array", element: info.elementOid, delimiter: info.delimiter ?? "," });
        }
        break;
      case "range":
        if (info.elementOid !== undefined) this.userComposites.set(oid, { kind: "range", subtype: info.elementOid });
        break;
      case "multirange":
        if (info.elementOid !== undefined)
          this.userComposites.set(oid, { kind: "multirange", element: info.elementOid });
        break;
      case "base":
        if (info.name === "hstore") this.userDecoders.set(oid, parseHstore);
        break;
      case "enum":
      case "composite":
        break; // their text is the value
    }
    this.composed.clear();
  }

  private compose(oid: number, depth: number): InAdapter | undefined {
    // Guards against a cycle in user type info (a domain over itself, say).
    if (depth > 16) return undefined;
    const adapter = this.inAdapters.get(oid);
    if (adapter !== undefined) return adapter;
    const user = this.userDecoders.get(oid);
    if (user !== undefined) return user;
    const builtin = BUILTIN_TEXT_DECODERS.get(oid);
    if (builtin !== undefined) return builtin;
    const sessionDecoder = this.sessionDecoder(oid);
    if (sessionDecoder !== undefined) return sessionDecoder;
    const composite = this.userComposites.get(oid) ?? BUILTIN_COMPOSITES.get(oid);
    if (composite === undefined) return undefined;
    switch (composite.kind) {
      case "alias":
        return this.compose(composite.target, depth + 1);
      case "array": {
        const element = this.compose(composite.element, depth + 1) ?? asText;
        const delimiter = composite.delimiter;
        return (text) => parseArray(text, element, delimiter);
      }
      case "range": {
        const element = this.compose(composite.subtype, depth + 1) ?? asText;
        return (text) => parseRange(text, element);
      }
      case "multirange": {
        const target = this.userComposites.get(composite.element) ?? BUILTIN_COMPOSITES.get(composite.element);
        if (target?.kind === "range" || this.inAdapters.has(composite.element)) {
          // Given the range type: decode each range with its decoder (and its in adapter).
          const range = this.compose(composite.element, depth + 1) ?? asText;
          return (text) => splitMultirange(text).map(range);
        }
        // Given the subtype directly.
        const element = this.compose(composite.element, depth + 1) ?? asText;
        return (text) => parseMultirange(text, element);
      }
    }
  }

  private sessionDecoder(oid: number): InAdapter | undefined {
    let decoder = this.sessionDecoders.get(oid);
    if (decoder === undefined) {
      const parse = SESSION_TEXT_DECODERS.get(oid);
      if (parse === undefined) return undefined;
      const session = this.session;
      decoder = (text) => parse(text, session);
      this.sessionDecoders.set(oid, decoder);
    }
    return decoder;
  }

  private findOutAdapter(value: unknown): OutAdapter | undefined {
    if (this.outAdapters.size === 0) return undefined;
    // Primitives look up their wrapper's prototype, so Number/String/BigInt can be registered.
    for (let proto = Object.getPrototypeOf(Object(value)); proto !== null; proto = Object.getPrototypeOf(proto)) {
      const ctor = Object.hasOwn(proto, "constructor") ? proto.constructor : undefined;
      const adapter = ctor === undefined ? undefined : this.outAdapters.get(ctor);
      if (adapter !== undefined) return adapter;
    }
    return undefined;
  }
}
