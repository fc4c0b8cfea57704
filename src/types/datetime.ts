// Dates and times: formatting of the numbers the WASM codec hands over (binary results) and
// parsing of the text PostgreSQL prints with DateStyle ISO (text results, arrays, ranges).
//
// Both paths must give the same value for the same datum, so both go through the same
// calendar arithmetic below instead of the JS Date parser (which treats years 0–99 as 19xx, has
// no BC notation and reads "YYYY-MM-DD HH:MM:SS" in the client's local zone).

import { DataError } from "../errors.js";

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
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * DAYS_PER_ERA + dayOfEra - DAYS_FROM_0000_03_01_TO_EPOCH;
}

/** Inverse of daysFromCivil: [astronomical year, month 1–12, day 1–31]. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + DAYS_FROM_0000_03_01_TO_EPOCH;
  const era = Math.floor(z / DAYS_PER_ERA);
  const dayOfEra = z - era * DAYS_PER_ERA;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36524) -
      Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
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
  if (fraction > 0) text += "." + pad(fraction, 6).replace(/0+$/, "");
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

// "2024-01-02 03:04:05.123456", optionally "+05:30" / "-03:00:05" / "+01", optionally " BC".
// Years may have more than four digits (PG allows up to 294276 AD).
const TIMESTAMP_TEXT =
  /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;

function parseTimestampText(text: string, withZone: boolean): Date | number {
  if (text === "infinity") return Infinity;
  if (text === "-infinity") return -Infinity;
  const m = TIMESTAMP_TEXT.exec(text);
  if (m === null || (m[8] !== undefined) !== withZone) {
    throw new DataError(
      `cannot parse ${withZone ? "timestamptz" : "timestamp"} ${JSON.stringify(text)} ` +
        `(the driver expects DateStyle ISO)`,
    );
  }
  let year = Number(m[1]);
  if (m[12] !== undefined) year = 1 - year;
  const days = daysFromCivil(year, Number(m[2]), Number(m[3]));
  // Keeping only the first three fraction digits drops the microseconds, which on the
  // timeline is a floor — the same as Math.floor(micros / 1000) on the binary value.
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, "0").slice(0, 3));
  let ms =
    days * MS_PER_DAY +
    ((Number(m[4]) * 60 + Number(m[5])) * 60 + Number(m[6])) * 1000 +
    millis;
  if (m[8] !== undefined) {
    const offsetSeconds = Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0);
    // Local wall clock = UTC + offset, so UTC = local − offset.
    ms -= (m[8] === "-" ? -offsetSeconds : offsetSeconds) * 1000;
  }
  if (!(Math.abs(ms) <= MAX_DATE_MS)) throw outOfDateRange(`timestamp ${JSON.stringify(text)}`);
  return new Date(ms);
}

/** timestamp (without time zone) text → Date whose UTC fields are the wall clock; ±Infinity. */
export function parseTimestamp(text: string): Date | number {
  return parseTimestampText(text, false);
}

/** timestamptz text with its offset ("+05:30", "+01", "-03:00:05") → Date; ±Infinity. */
export function parseTimestamptz(text: string): Date | number {
  return parseTimestampText(text, true);
}

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
