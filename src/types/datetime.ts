// Dates and times: formatting of the numbers the WASM codec hands over (binary results) and
// parsing of the text PostgreSQL prints in every DateStyle (text results, arrays, ranges).
//
// Both paths must give the same value for the same datum, so both go through the same
// calendar arithmetic below instead of the JS Date parser (which treats years 0–99 as 19xx, has
// no BC notation and reads "YYYY-MM-DD HH:MM:SS" in the client's local zone).

import { DataError } from "../errors.js";
import { type DateSettings, DEFAULT_SESSION } from "./session.js";
import { instantOfLocalTime } from "./timezone.js";

const MS_PER_DAY = 86_400_000;
/** Largest |milliseconds| a JS Date can hold (±100,000,000 days around 1970). */
const MAX_DATE_MS = 8.64e15;
/** PostgreSQL's binary sentinels for date 'infinity' / '-infinity' (INT32 max/min). */
const DATE_INFINITY = 2147483647;
const DATE_MINUS_INFINITY = -2147483648;

// Proleptic Gregorian calendar ↔ day count, with 1970-01-01 as day 0 and astronomical years
// (year 0 = 1 BC). Works on 400-year eras so it is exact far outside JS Date's range, which
// matters for PG dates up to 5874897 AD.
const DAYS_PER_ERA = 146_097;
const DAYS_FROM_0000_03_01_TO_EPOCH = 719_468;

/** Days since 1970-01-01 for an astronomical year, month 1–12 and day 1–31. */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Count years from March so the leap day is the last day of the counted year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * DAYS_PER_ERA + dayOfEra - DAYS_FROM_0000_03_01_TO_EPOCH;
}

/** Inverse of daysFromCivil: [astronomical year, month 1–12, day 1–31]. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + DAYS_FROM_0000_03_01_TO_EPOCH;
  const era = Math.floor(z / DAYS_PER_ERA);
  const dayOfEra = z - era * DAYS_PER_ERA;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return [year, month, day];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** "YYYY-MM-DD" with PG's era suffix: astronomical year 0 is 1 BC, -43 is 44 BC. */
function formatCivil(year: number, month: number, day: number): string {
  const bc = year <= 0;
  const shown = bc ? 1 - year : year;
  return `${pad(shown, 4)}-${pad(month, 2)}-${pad(day, 2)}${bc ? " BC" : ""}`;
}

/** A date as PostgreSQL prints it with DateStyle ISO: "2024-02-29", "0044-03-15 BC", "infinity". */
export function formatDate(daysSinceUnixEpoch: number): string {
  if (daysSinceUnixEpoch === DATE_INFINITY) return "infinity";
  if (daysSinceUnixEpoch === DATE_MINUS_INFINITY) return "-infinity";
  const [year, month, day] = civilFromDays(daysSinceUnixEpoch);
  return formatCivil(year, month, day);
}

/**
 * A time of day as PostgreSQL prints it: "HH:MM:SS", plus a fraction without trailing zeros
 * ("12:00:00.5"). 24:00:00 is a valid PG time and is kept.
 */
export function formatTime(microsSinceMidnight: number): string {
  const micros = Math.round(microsSinceMidnight);
  const totalSeconds = Math.floor(micros / 1_000_000);
  const fraction = micros - totalSeconds * 1_000_000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor(totalSeconds / 60) % 60;
  const seconds = totalSeconds % 60;
  let text = `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}`;
  if (fraction > 0) text += `.${pad(fraction, 6).replace(/0+$/, "")}`;
  return text;
}

function outOfDateRange(what: string): DataError {
  return new DataError(
    `${what} is outside the range of a JavaScript Date (±275760 years around 1970); ` +
      `register an in adapter for the type to receive it as text`,
  );
}

/**
 * A timestamp from milliseconds since 1970-01-01 UTC: ±Infinity (PG's ±infinity) stay numbers,
 * everything else becomes a Date. Values a Date cannot hold raise DataError rather than becoming
 * an Invalid Date.
 */
export function timestampFromMillis(ms: number): Date | number {
  if (ms === Infinity || ms === -Infinity) return ms;
  if (!(Math.abs(ms) <= MAX_DATE_MS)) throw outOfDateRange(`timestamp ${ms} ms`);
  return new Date(ms);
}

const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// The date part in each DateStyle (PostgreSQL's EncodeDateOnly / EncodeDateTime). Years may
// have more than four digits (dates reach 5874897 AD).
const ISO_DATE = /^(\d{4,})-(\d\d)-(\d\d)/; // ISO: 2024-03-15
const SQL_DATE = /^(\d\d)\/(\d\d)\/(\d{4,})/; // SQL: 03/15/2024 (MDY) or 15/03/2024 (DMY)
const GERMAN_DATE = /^(\d\d)\.(\d\d)\.(\d{4,})/; // German: 15.03.2024
const POSTGRES_DATE = /^(\d\d)-(\d\d)-(\d{4,})$/; // Postgres, dates only: 03-15-2024 or 15-03-2024
// Postgres, timestamps: "Fri Mar 15 12:34:56.789 2024 EDT" (MDY/YMD), "Fri 15 Mar …" (DMY).
const POSTGRES_TIMESTAMP =
  /^[A-Z][a-z]{2} (?:([A-Z][a-z]{2}) (\d\d)|(\d\d) ([A-Z][a-z]{2})) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? (\d{4,})(?: (\S+))?$/;
// After the date in ISO, SQL and German: the time, then the zone. ISO (and SQL/German when
// the zone has no abbreviation) attach a numeric offset ("-04", "+05:30", "-04:56:02");
// SQL/German print an abbreviation after a space ("EDT", "LMT", "+03", "+1345").
const CLOCK_AND_ZONE = /^ (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-]\d\d(?::\d\d){0,2})| (\S+))?$/;

interface Fields {
  /** As printed; BC years are counted back from 1 AD (1 BC is 1). */
  year: number;
  bc: boolean;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Whole milliseconds (the first three fraction digits: a floor on the timeline). */
  millis: number;
  /** Attached numeric offset ("-04:56:02"): exact. */
  offset?: string;
  /** Abbreviation printed after a space ("EST", "+03"). */
  abbrev?: string;
}

function cannotParse(what: string, text: string): DataError {
  return new DataError(`cannot parse ${what} ${JSON.stringify(text)}`);
}

/**
 * Day and month of "a/b/yyyy" and "a-b-yyyy": the session's DateStyle order decides, unless the
 * numbers prove the other order (a ParameterStatus for a SET in the same query string arrives
 * only after that query's rows).
 */
function dayMonth(a: number, b: number, session: DateSettings): [day: number, month: number] {
  const [day, month] = session.dateOrder === "DMY" ? [a, b] : [b, a];
  return month > 12 && day <= 12 ? [month, day] : [day, month];
}

/** Splits any DateStyle's date or timestamp text into fields; undefined if it is none of them. */
function readFields(text: string, session: DateSettings, withTime: boolean): Fields | undefined {
  let s = text;
  const bc = s.endsWith(" BC");
  if (bc) s = s.slice(0, -3);
  const fields: Fields = { year: 0, bc, month: 0, day: 0, hour: 0, minute: 0, second: 0, millis: 0 };
  let m: RegExpExecArray | null;
  if ((m = ISO_DATE.exec(s)) !== null) {
    [fields.year, fields.month, fields.day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if ((m = SQL_DATE.exec(s)) !== null) {
    [fields.day, fields.month] = dayMonth(Number(m[1]), Number(m[2]), session);
    fields.year = Number(m[3]);
  } else if ((m = GERMAN_DATE.exec(s)) !== null) {
    [fields.day, fields.month, fields.year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if (!withTime && (m = POSTGRES_DATE.exec(s)) !== null) {
    [fields.day, fields.month] = dayMonth(Number(m[1]), Number(m[2]), session);
    fields.year = Number(m[3]);
  } else if (withTime && (m = POSTGRES_TIMESTAMP.exec(s)) !== null) {
    const monthName = m[1] ?? m[4]!;
    fields.month = MONTH_NAMES.indexOf(monthName) + 1;
    fields.day = Number(m[2] ?? m[3]);
    [fields.hour, fields.minute, fields.second] = [Number(m[5]), Number(m[6]), Number(m[7])];
    fields.millis = m[8] === undefined ? 0 : Number(m[8].padEnd(3, "0").slice(0, 3));
    fields.year = Number(m[9]);
    if (m[10] !== undefined) fields.abbrev = m[10];
    return fields.month === 0 ? undefined : fields;
  } else {
    return undefined;
  }
  const rest = s.slice(m[0].length);
  if (!withTime) return rest === "" ? fields : undefined;
  const t = CLOCK_AND_ZONE.exec(rest);
  if (t === null) return undefined;
  [fields.hour, fields.minute, fields.second] = [Number(t[1]), Number(t[2]), Number(t[3])];
  // Keeping only the first three fraction digits drops the microseconds, which on the
  // timeline is a floor — the same as Math.floor(micros / 1000) on the binary value.
  fields.millis = t[4] === undefined ? 0 : Number(t[4].padEnd(3, "0").slice(0, 3));
  if (t[5] !== undefined) fields.offset = t[5];
  if (t[6] !== undefined) fields.abbrev = t[6];
  return fields;
}

/** "+05:30", "-04:56:02", "+01" → seconds east of UTC. */
function offsetSeconds(offset: string): number {
  const [h, mi, se] = offset.slice(1).split(":");
  const seconds = Number(h) * 3600 + Number(mi ?? 0) * 60 + Number(se ?? 0);
  return offset[0] === "-" ? -seconds : seconds;
}

/** The wall clock of `f` as milliseconds since 1970-01-01 read as UTC. */
function wallClockMillis(f: Fields): number {
  const days = daysFromCivil(f.bc ? 1 - f.year : f.year, f.month, f.day);
  return days * MS_PER_DAY + ((f.hour * 60 + f.minute) * 60 + f.second) * 1000 + f.millis;
}

const DIGIT_0 = 48;

/** Two ASCII digits at `i` as a number, or -1. */
function twoDigits(b: Uint8Array, i: number): number {
  const x = b[i]! - DIGIT_0;
  const y = b[i + 1]! - DIGIT_0;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/**
 * The ISO form every session starts with ("2024-01-02 03:04:05.123456+05:30", four-digit AD
 * year) as milliseconds, read straight from the bytes without regular expressions or
 * allocations: this runs once per value of large text results. Anything else (other
 * DateStyles, BC, five-digit years) gives undefined, for the general parser.
 */
export function isoTimestampMillis(b: Uint8Array, start: number, end: number, withZone: boolean): number | undefined {
  if (end - start < 19 || b[start + 4] !== 45 || b[start + 7] !== 45 || b[start + 10] !== 32) return undefined;
  if (b[start + 13] !== 58 || b[start + 16] !== 58) return undefined;
  const y1 = twoDigits(b, start);
  const y2 = twoDigits(b, start + 2);
  const month = twoDigits(b, start + 5);
  const day = twoDigits(b, start + 8);
  const hour = twoDigits(b, start + 11);
  const minute = twoDigits(b, start + 14);
  const second = twoDigits(b, start + 17);
  if ((y1 | y2 | month | day | hour | minute | second) < 0) return undefined;
  let i = start + 19;
  let millis = 0;
  if (i < end && b[i] === 46) {
    // Only the first three fraction digits count: a floor on the timeline, as on the binary path.
    const first = ++i;
    while (i < end && b[i]! >= DIGIT_0 && b[i]! <= DIGIT_0 + 9) {
      if (i - first < 3) millis = millis * 10 + (b[i]! - DIGIT_0);
      i++;
    }
    const digits = i - first;
    if (digits === 0 || digits > 6) return undefined;
    for (let k = digits; k < 3; k++) millis *= 10;
  }
  let offsetSeconds = 0;
  if (withZone) {
    const sign = b[i];
    if (sign !== 43 && sign !== 45) return undefined;
    const hh = twoDigits(b, i + 1);
    i += 3;
    let mm = 0;
    let ss = 0;
    if (i < end && b[i] === 58) {
      mm = twoDigits(b, i + 1);
      i += 3;
      if (i < end && b[i] === 58) {
        ss = twoDigits(b, i + 1);
        i += 3;
      }
    }
    if ((hh | mm | ss) < 0) return undefined;
    offsetSeconds = (hh * 3600 + mm * 60 + ss) * (sign === 45 ? -1 : 1);
  }
  if (i !== end) return undefined;
  const days = daysFromCivil(y1 * 100 + y2, month, day);
  return days * MS_PER_DAY + ((hour * 60 + minute) * 60 + second - offsetSeconds) * 1000 + millis;
}

/** Scratch bytes for reading a short ASCII string through isoTimestampMillis. */
const scratch = new Uint8Array(40);

function isoTimestampTextMillis(text: string, withZone: boolean): number | undefined {
  const n = text.length;
  if (n > scratch.length) return undefined;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return undefined;
    scratch[i] = c;
  }
  return isoTimestampMillis(scratch, 0, n, withZone);
}

function parseTimestampText(text: string, withZone: boolean, session: DateSettings): Date | number {
  const fast = isoTimestampTextMillis(text, withZone);
  if (fast !== undefined) return new Date(fast);
  if (text === "infinity") return Infinity;
  if (text === "-infinity") return -Infinity;
  const what = withZone ? "timestamptz" : "timestamp";
  const f = readFields(text, session, true);
  const zoned = f !== undefined && (f.offset !== undefined || f.abbrev !== undefined);
  if (f === undefined || zoned !== withZone) throw cannotParse(what, text);
  let ms = wallClockMillis(f);
  if (f.offset !== undefined) {
    // Local wall clock = UTC + offset, so UTC = local − offset.
    ms -= offsetSeconds(f.offset) * 1000;
  } else if (f.abbrev !== undefined) {
    const instant = instantOfLocalTime(ms, f.abbrev, session.timeZone);
    if (instant === undefined) {
      throw new DataError(
        `cannot parse timestamptz ${JSON.stringify(text)}: the zone abbreviation ${JSON.stringify(f.abbrev)} ` +
          `is ambiguous and the session's TimeZone ${JSON.stringify(session.timeZone)} is unknown here; ` +
          `use DateStyle ISO (the driver's default), which prints numeric offsets`,
      );
    }
    ms = instant;
  }
  if (!(Math.abs(ms) <= MAX_DATE_MS)) throw outOfDateRange(`${what} ${JSON.stringify(text)}`);
  return new Date(ms);
}

/** timestamp (without time zone) text in any DateStyle → Date whose UTC fields are the wall clock; ±Infinity. */
export function parseTimestamp(text: string, session: DateSettings = DEFAULT_SESSION): Date | number {
  return parseTimestampText(text, false, session);
}

/**
 * timestamptz text in any DateStyle → Date; ±Infinity. ISO prints a numeric offset ("+05:30",
 * "+01", "-03:00:05"); the other styles print the session TimeZone's abbreviation, so the
 * offset is taken from that zone (see timezone.ts).
 */
export function parseTimestamptz(text: string, session: DateSettings = DEFAULT_SESSION): Date | number {
  return parseTimestampText(text, true, session);
}

/**
 * date text in any DateStyle → "YYYY-MM-DD" (with " BC"), "infinity" or "-infinity": the ISO
 * form, whatever DateStyle the session prints.
 */
export function parseDate(text: string, session: DateSettings = DEFAULT_SESSION): string {
  if (ISO_DATE_ONLY.test(text) || text === "infinity" || text === "-infinity") return text;
  const f = readFields(text, session, false);
  if (f === undefined || f.month < 1 || f.month > 12) throw cannotParse("date", text);
  return `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}${f.bc ? " BC" : ""}`;
}

const ISO_DATE_ONLY = /^\d{4,}-\d\d-\d\d(?: BC)?$/;

/**
 * A Date as timestamptz input: ISO 8601 with "Z". Years outside 1–9999, which toISOString
 * writes as "+010000"/"-000043" (PG rejects both), are written the way PG reads them:
 * "10000-01-01T00:00:00.000Z", "0044-03-15T12:00:00.000Z BC".
 */
export function dateToTimestamptzText(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new TypeError("Invalid Date");
  const year = date.getUTCFullYear();
  if (year >= 1 && year <= 9999) return date.toISOString();
  const iso = date.toISOString();
  const rest = iso.slice(iso.indexOf("-", 1)); // "-MM-DDTHH:MM:SS.sssZ"
  return year <= 0 ? `${pad(1 - year, 4)}${rest} BC` : `${year}${rest}`;
}
