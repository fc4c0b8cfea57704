// PGInterval: PostgreSQL's interval as its three exact stored fields. JS has no duration type,
// and folding months or days into seconds would be wrong (a month is not 30 days, and a day is
// not 24 hours across a DST change), so the fields are kept apart like the server keeps them.
//
// Text input covers all four IntervalStyle outputs (postgres, postgres_verbose, sql_standard,
// iso_8601) plus the inputs PG itself accepts in those forms (fractional units, "ago", ISO's
// alternative "P0001-02-03T04:05:06"). toString() prints what the server prints in the
// postgres style, which the server reads back unchanged under every IntervalStyle.

import { DataError, InterfaceError } from "../errors.js";

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_MINUTE = 60n * MICROS_PER_SECOND;
const MICROS_PER_HOUR = 60n * MICROS_PER_MINUTE;
const DAYS_PER_MONTH = 30; // PG's convention when a fraction of a month is spread into days

export interface PGIntervalInit {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  /** May be fractional; rounded to whole microseconds. */
  seconds?: number;
  microseconds?: bigint | number;
}

function wholeNumber(value: number | undefined, field: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value)) {
    throw new InterfaceError(`PGInterval ${field} must be a whole number, got ${value}`);
  }
  return value;
}

export class PGInterval {
  /** Months (years are stored as 12 months, as in PostgreSQL). */
  months: number;
  /** Days (weeks are stored as 7 days). */
  days: number;
  /** Time part in microseconds; a bigint because intervals reach ±2^63 µs, beyond 2^53. */
  microseconds: bigint;

  constructor(init: PGIntervalInit = {}) {
    this.months = wholeNumber(init.years, "years") * 12 + wholeNumber(init.months, "months");
    this.days = wholeNumber(init.weeks, "weeks") * 7 + wholeNumber(init.days, "days");
    let micros =
      BigInt(wholeNumber(init.hours, "hours")) * MICROS_PER_HOUR +
      BigInt(wholeNumber(init.minutes, "minutes")) * MICROS_PER_MINUTE;
    if (init.seconds !== undefined) {
      if (!Number.isFinite(init.seconds)) {
        throw new InterfaceError(`PGInterval seconds must be finite, got ${init.seconds}`);
      }
      micros += BigInt(Math.round(init.seconds * 1e6));
    }
    const us = init.microseconds;
    if (us !== undefined) micros += typeof us === "bigint" ? us : BigInt(wholeNumber(us, "microseconds"));
    this.microseconds = micros;
  }

  /**
   * PostgreSQL 17's 'infinity' and '-infinity' intervals, stored as the server stores them:
   * every field at its maximum (minimum). toString() gives "infinity" ("-infinity") back.
   */
  static get INFINITY(): PGInterval {
    return infinite(1);
  }
  static get MINUS_INFINITY(): PGInterval {
    return infinite(-1);
  }

  /** Parses interval text in any IntervalStyle; throws DataError on anything else. */
  static fromText(text: string): PGInterval {
    const s = text.trim();
    if (s === "infinity" || s === "+infinity") return infinite(1);
    if (s === "-infinity") return infinite(-1);
    const acc = new Accumulator();
    try {
      if (s.startsWith("P")) parseIso8601(s, acc);
      else if (s.startsWith("@") || /[a-z]/i.test(s)) parseWithUnits(s, acc);
      else parseSqlStandard(s, acc);
    } catch (err) {
      if (err instanceof SyntaxError) {
        throw new DataError(`invalid interval ${JSON.stringify(text)}: ${err.message}`);
      }
      throw err;
    }
    return acc.toInterval();
  }

  /**
   * The postgres IntervalStyle form, e.g. "1 year 2 mons 3 days 04:05:06.789",
   * "-1 years -2 mons +3 days -04:05:06.789", "00:00:00". A positive field after a negative
   * one carries an explicit "+": that is what keeps sql_standard input from applying the
   * leading "-" to every field, so this text reads back identically under every style.
   */
  toString(): string {
    const sign = this.infinitySign();
    if (sign !== 0) return sign > 0 ? "infinity" : "-infinity";
    const parts: string[] = [];
    let afterNegative = false; // like PG: only the field right after a negative one gets "+"
    const field = (value: number, unit: string): void => {
      if (value === 0) return;
      const sign = afterNegative && value > 0 ? "+" : "";
      parts.push(`${sign}${value} ${unit}${value === 1 ? "" : "s"}`);
      afterNegative = value < 0;
    };
    field(Math.trunc(this.months / 12), "year");
    field(this.months % 12, "mon");
    field(this.days, "day");
    if (parts.length === 0 || this.microseconds !== 0n) {
      const negative = this.microseconds < 0n;
      const sign = negative ? "-" : afterNegative ? "+" : "";
      parts.push(sign + clockText(negative ? -this.microseconds : this.microseconds));
    }
    return parts.join(" ");
  }

  /** The iso_8601 IntervalStyle form, e.g. "P1Y2M3DT4H5M6.789S", "PT0S". */
  toISOString(): string {
    const sign = this.infinitySign();
    if (sign !== 0) return sign > 0 ? "infinity" : "-infinity";
    const years = Math.trunc(this.months / 12);
    const months = this.months % 12;
    let date = "";
    if (years !== 0) date += `${years}Y`;
    if (months !== 0) date += `${months}M`;
    if (this.days !== 0) date += `${this.days}D`;
    const us = this.microseconds;
    const hours = us / MICROS_PER_HOUR; // bigint division truncates toward zero, like PG
    const minutes = (us % MICROS_PER_HOUR) / MICROS_PER_MINUTE;
    const secondsMicros = us % MICROS_PER_MINUTE;
    let time = "";
    if (hours !== 0n) time += `${hours}H`;
    if (minutes !== 0n) time += `${minutes}M`;
    if (secondsMicros !== 0n) time += `${secondsText(secondsMicros)}S`;
    if (date === "" && time === "") return "PT0S";
    return `P${date}${time === "" ? "" : `T${time}`}`;
  }

  /** 1 for 'infinity', -1 for '-infinity', 0 for every finite interval. */
  infinitySign(): -1 | 0 | 1 {
    if (this.months === INT32_MAX && this.days === INT32_MAX && this.microseconds === INT64_MAX) return 1;
    if (this.months === INT32_MIN && this.days === INT32_MIN && this.microseconds === INT64_MIN) return -1;
    return 0;
  }

  /** Field-by-field equality (unlike SQL's `=`, which also finds '1 mon' equal to '30 days'). */
  equals(other: unknown): boolean {
    return (
      other instanceof PGInterval &&
      other.months === this.months &&
      other.days === this.days &&
      other.microseconds === this.microseconds
    );
  }

  /** JSON.stringify gives the PG text rather than failing on the bigint field. */
  toJSON(): string {
    return this.toString();
  }
}

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function infinite(sign: 1 | -1): PGInterval {
  const iv = new PGInterval();
  iv.months = sign > 0 ? INT32_MAX : INT32_MIN;
  iv.days = sign > 0 ? INT32_MAX : INT32_MIN;
  iv.microseconds = sign > 0 ? INT64_MAX : INT64_MIN;
  return iv;
}

/** "HH:MM:SS[.ffffff]" of a non-negative microsecond count; hours are not wrapped at 24. */
function clockText(micros: bigint): string {
  const hours = micros / MICROS_PER_HOUR;
  const minutes = (micros % MICROS_PER_HOUR) / MICROS_PER_MINUTE;
  const seconds = micros % MICROS_PER_MINUTE;
  const two = (n: bigint) => String(n).padStart(2, "0");
  const whole = seconds / MICROS_PER_SECOND;
  const fraction = seconds % MICROS_PER_SECOND;
  const frac = fraction === 0n ? "" : `.${String(fraction).padStart(6, "0").replace(/0+$/, "")}`;
  return `${two(hours)}:${two(minutes)}:${two(whole)}${frac}`;
}

/** Signed seconds with a trimmed fraction, from microseconds: -500000n → "-0.5". */
function secondsText(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS_PER_SECOND;
  const fraction = abs % MICROS_PER_SECOND;
  const frac = fraction === 0n ? "" : `.${String(fraction).padStart(6, "0").replace(/0+$/, "")}`;
  return `${negative ? "-" : ""}${whole}${frac}`;
}

/** Collects parsed fields; fractions of coarse units spill into finer ones as PG does. */
class Accumulator {
  months = 0;
  days = 0;
  micros = 0n;

  toInterval(): PGInterval {
    const iv = new PGInterval();
    iv.months = this.months;
    iv.days = this.days;
    iv.microseconds = this.micros;
    return iv;
  }

  negate(): void {
    // 0 - x rather than -x: a zero field must stay 0, not become -0.
    this.months = 0 - this.months;
    this.days = 0 - this.days;
    this.micros = -this.micros;
  }

  /** Adds a signed decimal amount ("-1.5") of a unit. */
  add(amount: string, unit: Unit): void {
    const value = Number(amount);
    switch (unit.kind) {
      case "months":
        if (unit.size !== 1) {
          // PG rounds fractional years (decades, …) to whole months: '1.7 years' = 1 year 8 mons.
          this.months += roundHalfAwayFromZero(value * Number(unit.size));
        } else {
          // A fraction of a month becomes 30-day days, and their fraction becomes time.
          const whole = Math.trunc(value);
          this.months += whole;
          this.addDays((value - whole) * DAYS_PER_MONTH);
        }
        return;
      case "days":
        this.addDays(value * Number(unit.size));
        return;
      case "micros":
        this.micros += decimalTimes(amount, unit.size);
        return;
    }
  }

  /** Whole days go to days, the fraction to the time part ('1.5 days' = 1 day 12:00:00). */
  private addDays(days: number): void {
    const whole = Math.trunc(days);
    this.days += whole;
    this.micros += BigInt(roundHalfAwayFromZero((days - whole) * 86_400_000_000));
  }
}

function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x)) + 0; // + 0 turns -0 into 0
}

interface Unit {
  kind: "months" | "days" | "micros";
  size: number | bigint;
}

// Null prototype: "constructor" or "__proto__" in the text must not look like a unit.
const UNIT_NAMES: Record<string, Unit> = Object.create(null);
function defineUnit(names: string[], kind: Unit["kind"], size: number | bigint): void {
  for (const name of names) UNIT_NAMES[name] = { kind, size };
}
defineUnit(["millennium", "millennia", "millenniums", "mil", "mils"], "months", 12_000);
defineUnit(["century", "centuries", "cent", "c"], "months", 1200);
defineUnit(["decade", "decades", "dec", "decs"], "months", 120);
defineUnit(["year", "years", "yr", "yrs", "y"], "months", 12);
defineUnit(["month", "months", "mon", "mons"], "months", 1);
defineUnit(["week", "weeks", "w"], "days", 7);
defineUnit(["day", "days", "d"], "days", 1);
defineUnit(["hour", "hours", "hr", "hrs", "h"], "micros", MICROS_PER_HOUR);
defineUnit(["minute", "minutes", "min", "mins", "m"], "micros", MICROS_PER_MINUTE);
defineUnit(["second", "seconds", "sec", "secs", "s"], "micros", MICROS_PER_SECOND);
defineUnit(["millisecond", "milliseconds", "msec", "msecs", "ms"], "micros", 1000n);
defineUnit(["microsecond", "microseconds", "usec", "usecs", "us"], "micros", 1n);

/** Exact `amount × size` for a decimal string and a bigint unit size, rounded half away from 0. */
function decimalTimes(amount: string, size: number | bigint): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(amount);
  if (m === null || (m[2] === "" && (m[3] ?? "") === "")) {
    throw new SyntaxError(`bad number ${JSON.stringify(amount)}`);
  }
  const fraction = m[3] ?? "";
  const scaled = BigInt((m[2] || "0") + fraction) * BigInt(size);
  const divisor = 10n ** BigInt(fraction.length);
  let result = scaled / divisor;
  if ((scaled % divisor) * 2n >= divisor) result += 1n;
  return m[1] === "-" ? -result : result;
}

/** "[+-]h:m[:s[.f]]" → signed microseconds (the sign covers every part). */
function clockMicros(token: string): bigint {
  const m = /^([+-]?)(\d+):(\d+)(?::(\d+(?:\.\d*)?))?$/.exec(token);
  if (m === null) throw new SyntaxError(`bad time ${JSON.stringify(token)}`);
  const micros =
    BigInt(m[2]!) * MICROS_PER_HOUR + BigInt(m[3]!) * MICROS_PER_MINUTE + decimalTimes(m[4] ?? "0", MICROS_PER_SECOND);
  return m[1] === "-" ? -micros : micros;
}

const CLOCK = /^[+-]?\d+:\d+(?::\d+(?:\.\d*)?)?$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** postgres ("1 year 2 mons -3 days +04:05:06") and postgres_verbose ("@ 1 year 2 mons ago"). */
function parseWithUnits(s: string, acc: Accumulator): void {
  const tokens = s
    .replace(/^@/, "")
    .trim()
    .toLowerCase()
    // Split "3days" / "-1.5hours" into number and unit, as PG's lexer does.
    .replace(/([0-9.])([a-z])/g, "$1 $2")
    .split(/\s+/);
  let ago = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === "ago" && i === tokens.length - 1) ago = true;
    else if (CLOCK.test(token)) acc.micros += clockMicros(token);
    else if (NUMBER.test(token)) {
      const unitName = tokens[i + 1];
      const unit = unitName === undefined ? undefined : UNIT_NAMES[unitName];
      if (unit === undefined) {
        // A bare trailing number means seconds, as in PG ("1 day 5" is 1 day 5 seconds).
        if (unitName !== undefined) throw new SyntaxError(`unknown unit ${JSON.stringify(unitName)}`);
        acc.add(token, UNIT_NAMES.second!);
      } else {
        acc.add(token, unit);
        i++;
      }
    } else throw new SyntaxError(`unexpected ${JSON.stringify(token)}`);
  }
  if (ago) acc.negate();
}

/**
 * sql_standard: "1-2" (years-months), "3 4:05:06" (days, time), "+1-2 -3 +4:05:06", "0".
 * A bare number is days when a time follows it, seconds when it comes last. SQL's rule: a leading "-" applies
 * to every field unless some other field carries its own sign ("-1 2:00:00" = -1 day -2 hours).
 */
function parseSqlStandard(s: string, acc: Accumulator): void {
  const tokens = s.split(/\s+/);
  const spreadSign = tokens[0]!.startsWith("-") && tokens.slice(1).every((t) => !/^[+-]/.test(t));
  const signed = (token: string, index: number): string => (spreadSign && index > 0 ? `-${token}` : token);
  tokens.forEach((token, i) => {
    const yearMonth = /^([+-]?)(\d+)-(\d+)$/.exec(token);
    if (yearMonth !== null) {
      const months = Number(yearMonth[2]) * 12 + Number(yearMonth[3]);
      acc.months += yearMonth[1] === "-" || (spreadSign && i > 0) ? -months : months;
    } else if (CLOCK.test(token)) {
      acc.micros += clockMicros(signed(token, i));
    } else if (NUMBER.test(token)) {
      if (i + 1 < tokens.length && CLOCK.test(tokens[i + 1]!)) acc.add(signed(token, i), UNIT_NAMES.day!);
      else if (i === tokens.length - 1) acc.add(signed(token, i), UNIT_NAMES.second!);
      else throw new SyntaxError(`number ${JSON.stringify(token)} is neither days nor seconds`);
    } else throw new SyntaxError(`unexpected ${JSON.stringify(token)}`);
  });
}

/** iso_8601: "P1Y2M3DT4H5M6.789S", signs per field, "PT0S", and "P0001-02-03T04:05:06". */
function parseIso8601(s: string, acc: Accumulator): void {
  const alternative = /^P([+-]?\d+)-(\d+)-(\d+)(?:T(\d+):(\d+):(\d+(?:\.\d*)?))?$/.exec(s);
  if (alternative !== null) {
    const [, y, mo, d, h, mi, sec] = alternative;
    acc.months += Number(y) * 12 + Number(mo);
    acc.days += Number(d);
    if (h !== undefined) acc.micros += clockMicros(`${h}:${mi}:${sec}`);
    return;
  }
  const m = /^P((?:[+-]?[\d.]+[YMWD])*)(?:T((?:[+-]?[\d.]+[HMS])+))?$/.exec(s);
  if (m === null || s === "P") throw new SyntaxError("not an ISO 8601 duration");
  const dateUnits: Record<string, Unit> = {
    Y: UNIT_NAMES.year!,
    M: UNIT_NAMES.month!,
    W: UNIT_NAMES.week!,
    D: UNIT_NAMES.day!,
  };
  const timeUnits: Record<string, Unit> = {
    H: UNIT_NAMES.hour!,
    M: UNIT_NAMES.minute!,
    S: UNIT_NAMES.second!,
  };
  for (const [part, units] of [
    [m[1] ?? "", dateUnits],
    [m[2] ?? "", timeUnits],
  ] as const) {
    for (const [, amount, letter] of part.matchAll(/([+-]?[\d.]+)([A-Z])/g)) {
      if (!NUMBER.test(amount!)) throw new SyntaxError(`bad number ${JSON.stringify(amount)}`);
      acc.add(amount!, units[letter!]!);
    }
  }
}
