// PEP 249 type objects and constructors.
//
// A type object stands for a set of type codes (OIDs). JS cannot overload `==`, but for
// `object == number` it converts the object with Symbol.toPrimitive: a type object turns into
// its *primary* code, so `description[i][1] == STRING` holds for a varchar column exactly as
// pg8000's `STRING == VARCHAR` does. `equals(code)` answers for the whole set (STRING also
// matches text, bpchar, name…), which pg8000's plain integers cannot do.

export class DBAPITypeObject {
  private readonly oids: ReadonlySet<number>;
  /** The code `==` compares with: the first of `oids` (pg8000's value for this name). */
  readonly primary: number;
  constructor(
    readonly name: string,
    oids: number[],
  ) {
    if (oids.length === 0) throw new TypeError("DBAPITypeObject needs at least one type code");
    this.primary = oids[0]!;
    this.oids = new Set(oids);
  }
  /** True when a description type_code belongs to this type object. */
  equals(typeCode: number): boolean {
    return this.oids.has(typeCode);
  }
  includes(typeCode: number): boolean {
    return this.oids.has(typeCode);
  }
  /** The primary code for `==` and arithmetic; the name in template strings and String(). */
  [Symbol.toPrimitive](hint: "number" | "string" | "default"): number | string {
    return hint === "string" ? this.name : this.primary;
  }
  toString(): string {
    return this.name;
  }
}

// Primary codes as in pg8000: STRING is VARCHAR, NUMBER is NUMERIC (its DECIMAL), DATETIME is
// TIMESTAMP, ROWID is OID. pg8000's BINARY is Python's `bytes`, equal to no code; ours is bytea.
export const STRING = new DBAPITypeObject("STRING", [1043, 25, 1042, 19, 18, 705, 3614, 142]);
export const BINARY = new DBAPITypeObject("BINARY", [17]);
export const NUMBER = new DBAPITypeObject("NUMBER", [1700, 20, 21, 23, 26, 700, 701, 790]);
export const DATETIME = new DBAPITypeObject("DATETIME", [1114, 1082, 1083, 1184, 1186, 1266]);
export const ROWID = new DBAPITypeObject("ROWID", [26]);

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** A date as the driver returns dates: "YYYY-MM-DD". */
export function DateValue(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** A time of day as the driver returns times: "HH:MM:SS". */
export function TimeValue(hour: number, minute: number, second: number): string {
  return `${pad(hour)}:${pad(minute)}:${pad(second)}`;
}

/** A timestamp: the wall-clock value read as UTC, as timestamp columns are returned. */
export function TimestampValue(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/** Dates/times from seconds since the epoch, in the local time zone (as PEP 249 and pg8000 do). */
export function DateFromTicks(ticks: number): string {
  const d = new Date(ticks * 1000);
  return DateValue(d.getFullYear(), d.getMonth() + 1, d.getDate());
}

export function TimeFromTicks(ticks: number): string {
  const d = new Date(ticks * 1000);
  return TimeValue(d.getHours(), d.getMinutes(), d.getSeconds());
}

export function TimestampFromTicks(ticks: number): Date {
  return new Date(ticks * 1000);
}

export function Binary(value: Uint8Array | ArrayBuffer | string): Uint8Array {
  if (typeof value === "string") return new TextEncoder().encode(value);
  return value instanceof Uint8Array ? value : new Uint8Array(value);
}
