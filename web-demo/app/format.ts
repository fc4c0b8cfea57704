// How values, types and errors read in the notebook. Pure functions: unit-tested in Node.

/** Types whose values are right-aligned and can be charted. */
const NUMERIC = new Set(["int2", "int4", "int8", "float4", "float8", "numeric", "oid", "money"]);
const TIME = new Set(["date", "timestamp", "timestamptz", "time", "timetz"]);

export function isNumericType(type: string): boolean {
  return NUMERIC.has(type);
}

/** Can be an axis of a chart: numbers and points in time. */
export function isChartableType(type: string): boolean {
  return NUMERIC.has(type) || (TIME.has(type) && type !== "time" && type !== "timetz");
}

/** One grid cell's text: one line (newlines shown as ↵), long values cut (the detail view shows them whole). */
export function cellText(value: unknown, type: string): string {
  const full = valueText(value, type, false);
  const line = full.length > 300 ? `${full.slice(0, 300)}…` : full;
  return line.includes("\n") ? line.replace(/\r?\n/g, "↵") : line;
}

/** The whole value as text: psql-like; JSON pretty-printed when `pretty`. */
export function valueText(value: unknown, type: string, pretty: boolean): string {
  if (value === null || value === undefined) return "NULL";
  if (type === "json" || type === "jsonb") {
    const parsed = typeof value === "string" ? tryParse(value) : value;
    return pretty ? JSON.stringify(parsed, jsonReplacer, 2) : oneLineJson(parsed);
  }
  if (value instanceof Uint8Array) return bytesToHex(value);
  if (value instanceof Date) return dateText(value, type);
  if (typeof value === "object") {
    const own = (value as { toString?: () => string }).toString;
    if (!Array.isArray(value) && own && own !== Object.prototype.toString) return String(value);
    return JSON.stringify(value, jsonReplacer);
  }
  return String(value);
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return bytesToHex(v);
  return v;
}

/** JSON on one line with a space after `:` and `,`, the way people write it by hand. */
function oneLineJson(value: unknown): string {
  return JSON.stringify(value, jsonReplacer, 1)
    .replace(/\n\s*/g, " ")
    .replace(/\[ /g, "[")
    .replace(/ \]/g, "]")
    .replace(/\{ /g, "{")
    .replace(/ \}/g, "}");
}

export function bytesToHex(bytes: Uint8Array): string {
  let out = "\\x";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function dateText(d: Date, type: string): string {
  if (Number.isNaN(d.getTime())) return "Invalid Date";
  const iso = d.toISOString();
  if (type === "date") return iso.slice(0, 10);
  if (type === "timestamp") return iso.replace("T", " ").replace(/\.000Z$|Z$/, "");
  return iso.replace("T", " ").replace(/\.000Z$/, "Z");
}

/** A CSV field as COPY … CSV reads it: quoted when it holds a separator, a quote or a line break; NULL empty. */
export function csvField(value: unknown, type: string): string {
  if (value === null || value === undefined) return "";
  const text = valueText(value, type, false);
  return /[",\r\n]/.test(text) || text === "" ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Fields of one CSV line (quotes and doubled quotes; enough for a header). */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** SQLSTATE classes (PostgreSQL docs, Appendix A) as people name them. */
const CLASSES: Record<string, string> = {
  "01": "warning",
  "02": "no data",
  "08": "connection exception",
  "0A": "feature not supported",
  "21": "cardinality violation",
  "22": "data exception",
  "23": "integrity constraint violation",
  "25": "invalid transaction state",
  "28": "invalid authorization",
  "2B": "dependent privilege descriptors still exist",
  "34": "invalid cursor name",
  "3D": "invalid catalog name",
  "3F": "invalid schema name",
  "40": "transaction rollback",
  "42": "syntax error or access rule violation",
  "53": "insufficient resources",
  "54": "program limit exceeded",
  "55": "object not in prerequisite state",
  "57": "operator intervention",
  "58": "system error",
  F0: "configuration file error",
  HV: "foreign data wrapper error",
  P0: "PL/pgSQL error",
  XX: "internal error",
};

export function sqlstateClass(code: string): string {
  return CLASSES[code.slice(0, 2)] ?? "error";
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
