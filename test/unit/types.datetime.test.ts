import { describe, expect, test } from "vitest";
import { DataError } from "../../src/errors.js";
import {
  civilFromDays,
  dateToTimestamptzText,
  daysFromCivil,
  formatDate,
  formatTime,
  parseTimestamp,
  parseTimestamptz,
  timestampFromMillis,
} from "../../src/types/datetime.js";

const DAY = 86_400_000;

describe("calendar arithmetic", () => {
  test("known day numbers", () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 1, 1)).toBe(10957); // PG's epoch
    expect(daysFromCivil(2024, 2, 29)).toBe(19782);
    expect(daysFromCivil(1, 1, 1)).toBe(-719162);
    expect(daysFromCivil(0, 12, 31)).toBe(-719163); // 1 BC is astronomical year 0
    expect(civilFromDays(-719163)).toEqual([0, 12, 31]);
    expect(civilFromDays(19782)).toEqual([2024, 2, 29]);
  });

  test("round trip across leap rules and far years", () => {
    for (const [y, m, d] of [
      [1900, 2, 28],
      [1900, 3, 1],
      [2000, 2, 29],
      [-4712, 1, 1],
      [5874897, 12, 31],
      [-100, 3, 1],
    ] as const) {
      expect(civilFromDays(daysFromCivil(y, m, d))).toEqual([y, m, d]);
    }
  });
});

describe("formatDate (days since 1970-01-01, from the codec)", () => {
  test.each([
    [0, "1970-01-01"],
    [19782, "2024-02-29"],
    [-1, "1969-12-31"],
    [-719162, "0001-01-01"],
    [-719163, "0001-12-31 BC"],
    // 15 March 44 BC = astronomical year -43.
    [daysFromCivil(-43, 3, 15), "0044-03-15 BC"],
    [daysFromCivil(-4712, 1, 1), "4713-01-01 BC"],
    [daysFromCivil(5874897, 12, 31), "5874897-12-31"],
    [daysFromCivil(10000, 1, 1), "10000-01-01"],
    [2147483647, "infinity"],
    [-2147483648, "-infinity"],
  ])("%i → %s", (days, text) => {
    expect(formatDate(days)).toBe(text);
  });
});

describe("formatTime (microseconds since midnight)", () => {
  test.each([
    [0, "00:00:00"],
    [43_200_500_000, "12:00:00.5"],
    [1, "00:00:00.000001"],
    [3_723_004_000, "01:02:03.004"],
    [86_399_999_999, "23:59:59.999999"],
    [86_400_000_000, "24:00:00"],
  ])("%i → %s", (micros, text) => {
    expect(formatTime(micros)).toBe(text);
  });
});

describe("timestampFromMillis", () => {
  test("finite → Date, infinities stay numbers", () => {
    expect(timestampFromMillis(0)).toEqual(new Date(0));
    expect(timestampFromMillis(Infinity)).toBe(Infinity);
    expect(timestampFromMillis(-Infinity)).toBe(-Infinity);
  });
  test("beyond a JS Date's range → DataError, never an Invalid Date", () => {
    expect(() => timestampFromMillis(8.64e15 + 1)).toThrow(DataError);
    expect(() => timestampFromMillis(NaN)).toThrow(DataError);
  });
});

describe("parseTimestamp (wall clock read as UTC)", () => {
  test("plain, fractional, infinities", () => {
    expect(parseTimestamp("2024-01-02 03:04:05")).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    // Microseconds beyond the millisecond are dropped.
    expect(parseTimestamp("2024-01-02 03:04:05.123456")).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 123)));
    expect(parseTimestamp("2024-01-02 03:04:05.5")).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 500)));
    expect(parseTimestamp("infinity")).toBe(Infinity);
    expect(parseTimestamp("-infinity")).toBe(-Infinity);
  });

  test("before 1970 the dropped microseconds floor, like the binary path", () => {
    // 1969-12-31 23:59:59.9995 is -500 µs → -1 ms (floor), not 0.
    expect((parseTimestamp("1969-12-31 23:59:59.9995") as Date).getTime()).toBe(-1);
  });

  test("years 0–99 and BC are not shifted to 19xx", () => {
    expect((parseTimestamp("0099-06-01 00:00:00") as Date).getUTCFullYear()).toBe(99);
    const bc = parseTimestamp("0044-03-15 12:00:00 BC") as Date;
    expect([bc.getUTCFullYear(), bc.getUTCMonth(), bc.getUTCDate(), bc.getUTCHours()]).toEqual([-43, 2, 15, 12]);
  });

  test("a timestamp with an offset is not a timestamp without time zone", () => {
    expect(() => parseTimestamp("2024-01-02 03:04:05+00")).toThrow(DataError);
  });

  test("out of JS range → DataError", () => {
    expect(() => parseTimestamp("294276-12-31 23:59:59.999999")).toThrow(DataError);
  });
});

describe("parseTimestamptz", () => {
  const utc = Date.UTC(2024, 0, 2, 3, 4, 5, 123);
  test.each([
    ["2024-01-02 03:04:05.123456+00", utc],
    ["2024-01-02 08:34:05.123+05:30", utc], // Asia/Kolkata
    ["2024-01-02 04:04:05.123+01", utc],
    ["2024-01-01 23:04:05.123-04", utc],
    // Historical local mean time offsets have seconds (America/Caracas 1900: -04:27:40).
    ["2024-01-01 22:36:25.123-04:27:40", utc],
  ])("%s", (text, ms) => {
    expect((parseTimestamptz(text) as Date).getTime()).toBe(ms);
  });

  test("BC with offset (offset comes before the era)", () => {
    const d = parseTimestamptz("0044-03-15 12:00:00+00 BC") as Date;
    expect(d.getTime()).toBe(daysFromCivil(-43, 3, 15) * DAY + 12 * 3_600_000);
  });

  test("infinities; missing offset → DataError; other DateStyles parse (types.session.test.ts)", () => {
    expect(parseTimestamptz("infinity")).toBe(Infinity);
    expect(parseTimestamptz("-infinity")).toBe(-Infinity);
    expect(() => parseTimestamptz("2024-01-02 03:04:05")).toThrow(DataError);
    expect(() => parseTimestamptz("2024-01-02T03:04:05Z")).toThrow(DataError);
    // Without a reported TimeZone, a well-known abbreviation still gives the offset.
    expect(parseTimestamptz("Tue Jan 02 03:04:05 2024 UTC")).toEqual(new Date("2024-01-02T03:04:05Z"));
    expect(parseTimestamptz("01/02/2024 03:04:05 UTC")).toEqual(new Date("2024-01-02T03:04:05Z"));
    // …an ambiguous one does not.
    expect(() => parseTimestamptz("01/02/2024 03:04:05 IST")).toThrow(/ambiguous/);
  });
});

describe("dateToTimestamptzText", () => {
  test("ISO 8601 with Z for years 1–9999", () => {
    expect(dateToTimestamptzText(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe("2024-01-02T03:04:05.006Z");
  });
  test("BC and five-digit years in the form PG reads", () => {
    const bc = new Date(0);
    bc.setUTCFullYear(-43, 2, 15);
    expect(dateToTimestamptzText(bc)).toBe("0044-03-15T00:00:00.000Z BC");
    const far = new Date(0);
    far.setUTCFullYear(10000, 0, 1);
    expect(dateToTimestamptzText(far)).toBe("10000-01-01T00:00:00.000Z");
  });
});

describe("ISO timestamps (the hand-written fast path)", () => {
  test.each([
    ["2024-01-02 03:04:05+00", "2024-01-02T03:04:05.000Z"],
    ["2024-01-02 03:04:05.1+00", "2024-01-02T03:04:05.100Z"],
    ["2024-01-02 03:04:05.12+00", "2024-01-02T03:04:05.120Z"],
    ["2024-01-02 03:04:05.123999+00", "2024-01-02T03:04:05.123Z"],
    ["2024-01-02 03:04:05.5+05:30", "2024-01-01T21:34:05.500Z"],
    ["1900-01-01 00:00:00-04:56:02", "1900-01-01T04:56:02.000Z"],
    ["1969-12-31 23:59:59.999999+00", "1969-12-31T23:59:59.999Z"],
    ["0001-01-01 00:00:00+00", "0001-01-01T00:00:00.000Z"],
  ])("timestamptz %s", (text, iso) => {
    expect((parseTimestamptz(text) as Date).toISOString()).toBe(iso);
  });

  test.each([
    ["2024-02-29 12:00:00", "2024-02-29T12:00:00.000Z"],
    ["2024-02-29 12:00:00.000001", "2024-02-29T12:00:00.000Z"],
  ])("timestamp %s", (text, iso) => {
    expect((parseTimestamp(text) as Date).toISOString()).toBe(iso);
  });

  test("still hands BC, long years and junk to the general parser", () => {
    expect((parseTimestamptz("0044-03-15 12:00:00+00 BC") as Date).toISOString()).toBe("-000043-03-15T12:00:00.000Z");
    expect((parseTimestamp("12024-01-01 00:00:00") as Date).toISOString()).toBe("+012024-01-01T00:00:00.000Z");
    expect(() => parseTimestamptz("2024-01-02 03:04:05")).toThrow(/cannot parse/);
    expect(() => parseTimestamp("2024-01-02 03:04:05+00")).toThrow(/cannot parse/);
    expect(() => parseTimestamptz("2024-01-02 03:04:05.1234567+00")).toThrow(/cannot parse/);
  });
});
