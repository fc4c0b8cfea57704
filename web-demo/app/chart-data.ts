// Where a chart's numbers come from. A result whose rows all reached the grid is charted from
// the grid's columns (no second trip to the server: typed arrays joined, a million points take
// milliseconds). Otherwise the
// statement runs again through run_columnar, and when it is a single query, wrapped so that only
// the chartable columns travel (not, say, a text column next to them). Pure: unit-tested in Node.

import { stripLeadingComments } from "./run-statement.js";

/** A column as numbers for a chart axis: time in seconds (uPlot's time scale), NULL as NaN (a gap). */
export interface ChartColumn {
  name: string;
  type: string;
  numbers(): Float64Array;
  /** Converts ahead (before the chart is drawn). */
  prepare(): Promise<void>;
}

export interface ColumnarColumn {
  name: string;
  type_oid: number;
  values: ArrayLike<unknown>;
  nulls?: Uint8Array;
}

/** Seconds per unit of a time type in run_columnar's typed arrays (days for date, ms for timestamps). */
function columnarScale(type: string): number {
  return type === "date" ? 86_400 : type.startsWith("timestamp") ? 0.001 : 1;
}

/** One value of a row (as the driver decodes it: number, bigint, numeric string, date string, Date) as a number. */
export function rowValueNumber(value: unknown, type: string): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === "number") return type.startsWith("timestamp") ? value * 0.001 : value;
  if (value instanceof Date) return value.getTime() / 1000;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") {
    if (type === "date") return Date.parse(value) / 1000;
    if (type === "money") return Number(value.replace(/[^0-9.eE-]/g, ""));
    return Number(value);
  }
  return Number.NaN;
}

/** run_columnar's columns that can be charted (typed arrays or values), converted when first plotted. */
export function columnsFromColumnar(
  columns: readonly ColumnarColumn[],
  typeName: (oid: number) => string,
  chartable: (type: string) => boolean,
): ChartColumn[] {
  const out: ChartColumn[] = [];
  for (const column of columns) {
    const type = typeName(column.type_oid);
    if (!chartable(type)) continue;
    let cached: Float64Array | null = null;
    const numbers = (): Float64Array => (cached ??= columnarNumbers(column, type));
    out.push({
      name: column.name,
      type,
      numbers,
      prepare: async () => {
        if (cached) return;
        numbers();
        // The drawing (or the next conversion) in a task of its own.
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
  }
  return out;
}

function columnarNumbers(column: ColumnarColumn, type: string): Float64Array {
  const { values, nulls } = column;
  const out = new Float64Array(values.length);
  const scale = columnarScale(type);
  if (ArrayBuffer.isView(values) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array)) {
    const numbers = values as unknown as ArrayLike<number>;
    if (scale === 1) out.set(numbers);
    else for (let i = 0; i < numbers.length; i++) out[i] = numbers[i]! * scale;
  } else {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] = typeof v === "number" ? v * scale : rowValueNumber(v, type);
    }
  }
  if (nulls) for (let i = 0; i < nulls.length; i++) if (nulls[i]) out[i] = Number.NaN;
  return out;
}

const QUERY_START = /^(select|with|values|table)\b/i;

/**
 * The statement again, reduced to the named columns: `SELECT "a", "b" FROM (<statement>) AS q`,
 * for a single query whose column names are distinct. Null when it cannot be wrapped (a command,
 * SELECT INTO, duplicate names): then the statement runs as it is.
 */
export function onlyColumnsSql(
  statement: string,
  names: readonly string[],
  allNames: readonly string[],
): string | null {
  const code = stripLeadingComments(statement).replace(/[\s;]+$/, "");
  if (!QUERY_START.test(code) || /^select\b[\s\S]*\binto\b/i.test(code) || names.length === 0) return null;
  for (const name of names) if (allNames.indexOf(name) !== allNames.lastIndexOf(name)) return null;
  const list = names.map((n) => `"${n.replaceAll('"', '""')}"`).join(", ");
  // The newline ends a trailing -- comment of the statement before the closing parenthesis.
  return `SELECT ${list} FROM (\n${code}\n) AS q`;
}
