// hstore (extension type, so its OID differs per database; the connection registers
// parseHstore once it has looked the OID up).
// Text form: "a"=>"1", "b"=>NULL — keys and values double-quoted with backslash escapes; an
// unquoted NULL value is SQL NULL. Unquoted keys/values (accepted by hstore input) are read too.

import { DataError } from "../errors.js";

/**
 * The prototype of decoded hstore objects: a non-enumerable toPostgres() sends one back as
 * hstore text (a plain object would go out as JSON, which hstore rejects). Keys stay the only
 * enumerable properties, so the object still reads, spreads and stringifies as a plain record.
 */
const HSTORE_PROTOTYPE: object = Object.create(Object.prototype, {
  toPostgres: {
    value(this: Record<string, string | null>): string {
      return formatHstore(this);
    },
    enumerable: false,
  },
});

export function parseHstore(text: string): Record<string, string | null> {
  const result: Record<string, string | null> = Object.create(HSTORE_PROTOTYPE);
  let pos = 0;
  const fail = (why: string): never => {
    throw new DataError(`malformed hstore ${JSON.stringify(text)}: ${why} at ${pos}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  /** Returns [text, wasQuoted]. */
  const readItem = (): [string, boolean] => {
    if (text[pos] === '"') {
      let value = "";
      for (pos++; ; pos++) {
        const c = text[pos];
        if (c === undefined) fail("unterminated quote");
        if (c === '"') {
          pos++;
          return [value, true];
        }
        value += c === "\\" ? (text[++pos] ?? "") : c;
      }
    }
    const start = pos;
    while (pos < text.length && !/[\s=,>"]/.test(text[pos]!)) pos++;
    if (pos === start) fail("expected a key or value");
    return [text.slice(start, pos), false];
  };

  skipSpace();
  while (pos < text.length) {
    const [key] = readItem();
    skipSpace();
    if (!text.startsWith("=>", pos)) fail('expected "=>"');
    pos += 2;
    skipSpace();
    const [value, quoted] = readItem();
    const entry = !quoted && value.toUpperCase() === "NULL" ? null : value;
    // defineProperty, so a "__proto__" key is stored as data instead of replacing the prototype.
    Object.defineProperty(result, key, { value: entry, enumerable: true, writable: true, configurable: true });
    skipSpace();
    if (pos < text.length) {
      if (text[pos] !== ",") fail('expected ","');
      pos++;
      skipSpace();
    }
  }
  return result;
}

/** The hstore text form of a string map, for sending one as a parameter. */
export function formatHstore(map: Record<string, string | null | undefined>): string {
  const quote = (s: string) => `"${s.replace(/["\\]/g, "\\$&")}"`;
  return Object.entries(map)
    .map(([k, v]) => `${quote(k)}=>${v === null || v === undefined ? "NULL" : quote(String(v))}`)
    .join(", ");
}
