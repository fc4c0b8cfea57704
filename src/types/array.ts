// PostgreSQL array literals: parsing the text form of array results and building the text
// form for array parameters.
//
// Reading: "{1,2}", "{{1,2},{3,4}}", "{}", unquoted NULL → null (a quoted "NULL" is the
// string), double-quoted elements with backslash escapes, box[]'s ";" delimiter. Arrays whose
// lower bound is not 1 carry a dimension prefix ("[0:1]={1,2}"); JS arrays start at 0 whatever
// the bounds, so the prefix is skipped and the elements are returned as plain nested arrays.

import { DataError, InterfaceError } from "../errors.js";

export type ArrayElementDecoder = (text: string) => unknown;

const identity: ArrayElementDecoder = (s) => s;

/** PG's array_isspace: the characters around elements that are not part of them. */
function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\v" || c === "\f";
}

class ArrayReader {
  pos = 0;
  constructor(
    readonly text: string,
    readonly element: ArrayElementDecoder,
    readonly delimiter: string,
  ) {}

  fail(why: string): never {
    throw new DataError(`malformed array literal ${JSON.stringify(this.text)}: ${why}`);
  }

  skipSpace(): void {
    while (isSpace(this.text[this.pos])) this.pos++;
  }

  /** Reads "{…}" at the current position (after optional spaces). */
  readArray(): unknown[] {
    this.skipSpace();
    if (this.text[this.pos] !== "{") this.fail(`expected "{" at ${this.pos}`);
    this.pos++;
    const items: unknown[] = [];
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return items;
    }
    for (;;) {
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === "{") items.push(this.readArray());
      else if (c === '"') items.push(this.element(this.readQuoted()));
      else items.push(this.readUnquoted());
      this.skipSpace();
      const next = this.text[this.pos++];
      if (next === "}") return items;
      if (next !== this.delimiter) this.fail(`expected "${this.delimiter}" or "}" at ${this.pos - 1}`);
    }
  }

  readQuoted(): string {
    let value = "";
    let start = ++this.pos;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail("unterminated quoted element");
      if (c === '"') {
        value += this.text.slice(start, this.pos++);
        return value;
      }
      if (c === "\\") {
        value += this.text.slice(start, this.pos) + (this.text[this.pos + 1] ?? "");
        this.pos += 2;
        start = this.pos;
      } else this.pos++;
    }
  }

  /** An unquoted element ends at the delimiter or "}"; NULL (any case, unescaped) is SQL NULL. */
  readUnquoted(): unknown {
    let value = "";
    let escaped = false;
    let start = this.pos;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail("unterminated array");
      if (c === this.delimiter || c === "}") break;
      if (c === "{" || c === '"') this.fail(`unexpected ${c} at ${this.pos}`);
      if (c === "\\") {
        value += this.text.slice(start, this.pos) + (this.text[this.pos + 1] ?? "");
        escaped = true;
        this.pos += 2;
        start = this.pos;
      } else this.pos++;
    }
    value += this.text.slice(start, this.pos);
    // Spaces around an unquoted element are not part of it (spaces escaped inside it are, but
    // PG never prints those: it quotes such elements).
    value = value.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, "");
    if (value === "") this.fail(`empty element at ${this.pos}`);
    if (!escaped && value.length === 4 && value.toUpperCase() === "NULL") return null;
    return this.element(value);
  }
}

/**
 * Parses an array literal into nested JS arrays, decoding each non-null element with `element`.
 * `delimiter` is the element type's typdelim: "," for everything built in except box (";").
 */
export function parseArray(text: string, element: ArrayElementDecoder = identity, delimiter = ","): unknown[] {
  const reader = new ArrayReader(text, element, delimiter);
  if (text[0] === "[") {
    // Dimension decoration "[lo:hi][lo:hi]=": bounds are not representable in a JS array.
    const eq = text.indexOf("=");
    if (eq < 0) reader.fail("dimension prefix without '='");
    reader.pos = eq + 1;
  }
  const result = reader.readArray();
  reader.skipSpace();
  if (reader.pos !== text.length) reader.fail(`unexpected text after the array at ${reader.pos}`);
  return result;
}

/**
 * Quotes an element for an array literal when PG would otherwise misread it: empty, "NULL",
 * containing a delimiter, brace, quote, backslash or space. Always quoting would also be correct;
 * quoting only when needed keeps literals readable in logs.
 */
export function quoteArrayElement(text: string): string {
  if (text !== "" && !/[{},"\\ \t\n\r\v\f;]/.test(text) && !(text.length === 4 && text.toUpperCase() === "NULL")) {
    return text;
  }
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * Builds an array literal from a JS array. `elementText` gives an element's text (null → NULL)
 * or, for an element that is itself an array (after adapters and toPostgres()), returns the
 * array to descend into. Nested arrays become dimensions and must be rectangular, as PG requires.
 */
export function formatArray(
  value: readonly unknown[],
  elementText: (element: unknown) => string | null | readonly unknown[],
): string {
  // Resolve every element first so the shape check sees what will actually be sent.
  type Node = string | null | Node[];
  const resolve = (items: readonly unknown[], depth: number): Node[] => {
    if (depth > 6) throw new InterfaceError("arrays have at most 6 dimensions in PostgreSQL");
    return items.map((item) => {
      const r = elementText(item);
      return Array.isArray(r) ? resolve(r, depth + 1) : (r as string | null);
    });
  };
  const tree = resolve(value, 1);

  const shape = (node: Node[]): number[] => {
    const first = node[0];
    return Array.isArray(first) ? [node.length, ...shape(first)] : [node.length];
  };
  const expected = shape(tree);
  // PG has no empty sub-arrays: an array with a zero-length dimension is just the empty array.
  if (expected.includes(0)) {
    checkShape(tree, expected, 0, true);
    return "{}";
  }
  checkShape(tree, expected, 0, false);

  const write = (node: Node[]): string =>
    `{${node.map((n) => (Array.isArray(n) ? write(n) : n === null ? "NULL" : quoteArrayElement(n))).join(",")}}`;
  return write(tree);
}

function checkShape(node: unknown[], dims: number[], level: number, allowEmpty: boolean): void {
  const ragged = (): never => {
    throw new InterfaceError(
      "array is not rectangular: every sub-array at the same depth must have the same length " +
        "and arrays cannot be mixed with scalars (PostgreSQL arrays are multi-dimensional)",
    );
  };
  if (node.length !== dims[level] && !(allowEmpty && node.length === 0)) ragged();
  const deeper = level + 1 < dims.length;
  for (const child of node) {
    if (Array.isArray(child) !== deeper) ragged();
    if (deeper) checkShape(child as unknown[], dims, level + 1, allowEmpty);
  }
}
