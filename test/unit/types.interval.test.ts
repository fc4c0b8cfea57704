import { describe, expect, test } from "vitest";
import { DataError, InterfaceError } from "../../src/errors.js";
import { PGInterval } from "../../src/types/interval.js";

// Expected fields are worked out by hand: 1 year 2 mons = 14 months;
// 04:05:06.789 = (4*3600 + 5*60 + 6) s + 0.789 s = 14706.789 s = 14_706_789_000 µs.
const FOUR_FIVE_SIX = 14_706_789_000n;

function fields(iv: PGInterval) {
  return { months: iv.months, days: iv.days, microseconds: iv.microseconds };
}

describe("PGInterval.fromText — the four IntervalStyles", () => {
  test.each([
    // [style, text, months, days, microseconds]
    ["postgres", "1 year 2 mons 3 days 04:05:06.789", 14, 3, FOUR_FIVE_SIX],
    ["postgres", "-1 years -2 mons +3 days -04:05:06.789", -14, 3, -FOUR_FIVE_SIX],
    ["postgres", "00:00:00", 0, 0, 0n],
    ["postgres", "-1 days +02:00:00", 0, -1, 7_200_000_000n],
    ["postgres", "1 mon -00:00:01", 1, 0, -1_000_000n],
    ["postgres", "-00:00:00.5", 0, 0, -500_000n],
    ["postgres", "00:00:00.000001", 0, 0, 1n],
    ["postgres", "2562047788:00:54.775807", 0, 0, 9_223_372_036_854_775_807n],
    ["postgres", "-178000000 years", -2_136_000_000, 0, 0n],
    ["postgres_verbose", "@ 1 year 2 mons 3 days 4 hours 5 mins 6.789 secs", 14, 3, FOUR_FIVE_SIX],
    // "ago" negates every field: 1 year 2 mons -3 days ... ago = -14 months, +3 days, -time.
    ["postgres_verbose", "@ 1 year 2 mons -3 days 4 hours 5 mins 6.789 secs ago", -14, 3, -FOUR_FIVE_SIX],
    ["postgres_verbose", "@ 0", 0, 0, 0n],
    ["postgres_verbose", "@ 1.5 secs ago", 0, 0, -1_500_000n],
    ["postgres_verbose", "@ 1 day -5 hours", 0, 1, -18_000_000_000n],
    ["postgres_verbose", "@ 1 mon -1 sec", 1, 0, -1_000_000n],
    ["sql_standard", "+1-2 +3 +4:05:06.789", 14, 3, FOUR_FIVE_SIX],
    ["sql_standard", "-1-2 +3 -4:05:06.789", -14, 3, -FOUR_FIVE_SIX],
    ["sql_standard", "0", 0, 0, 0n],
    ["sql_standard", "1 0:00:00", 0, 1, 0n],
    ["sql_standard", "0-1", 1, 0, 0n],
    ["sql_standard", "1000-0", 12_000, 0, 0n],
    // A lone leading "-" applies to every field (SQL standard): -3 days -04:05:06.
    ["sql_standard", "-3 4:05:06", 0, -3, -14_706_000_000n],
    ["sql_standard", "-1-2", -14, 0, 0n],
    ["sql_standard", "+0-0 +1 -5:00:00", 0, 1, -18_000_000_000n],
    ["sql_standard", "-0:00:01.5", 0, 0, -1_500_000n],
    ["iso_8601", "P1Y2M3DT4H5M6.789S", 14, 3, FOUR_FIVE_SIX],
    ["iso_8601", "P-1Y-2M3DT-4H-5M-6.789S", -14, 3, -FOUR_FIVE_SIX],
    ["iso_8601", "PT0S", 0, 0, 0n],
    ["iso_8601", "PT-0.5S", 0, 0, -500_000n],
    ["iso_8601", "P1DT-5H", 0, 1, -18_000_000_000n],
    ["iso_8601", "PT2562047788H54.775807S", 0, 0, 9_223_372_036_854_775_807n],
    ["iso_8601 alternative", "P0001-02-03T04:05:06", 14, 3, 14_706_000_000n],
    ["iso_8601 weeks", "P2W", 0, 14, 0n],
  ] as const)("%s: %s", (_style, text, months, days, microseconds) => {
    expect(fields(PGInterval.fromText(text))).toEqual({ months, days, microseconds });
  });

  test("inputs PG accepts beyond its own output: fractions, units, ago", () => {
    // PG: '1.5 years' = 1 year 6 mons; '1.7 years' = 20.4 months, rounded to 20.
    expect(fields(PGInterval.fromText("1.5 years"))).toEqual({ months: 18, days: 0, microseconds: 0n });
    expect(fields(PGInterval.fromText("1.7 years"))).toEqual({ months: 20, days: 0, microseconds: 0n });
    // '1.5 mons' = 1 mon 15 days; '1.5 weeks' = 10 days 12:00:00.
    expect(fields(PGInterval.fromText("1.5 mons"))).toEqual({ months: 1, days: 15, microseconds: 0n });
    expect(fields(PGInterval.fromText("1.5 weeks"))).toEqual({ months: 0, days: 10, microseconds: 43_200_000_000n });
    expect(fields(PGInterval.fromText("1.5 hours"))).toEqual({ months: 0, days: 0, microseconds: 5_400_000_000n });
    expect(fields(PGInterval.fromText("2 decades 1 century 1 millennium"))).toEqual({
      months: (20 + 100 + 1000) * 12,
      days: 0,
      microseconds: 0n,
    });
    expect(fields(PGInterval.fromText("1 min 1 sec 1 msec 1 usec"))).toEqual({
      months: 0,
      days: 0,
      microseconds: 61_001_001n,
    });
    expect(fields(PGInterval.fromText("1 day ago"))).toEqual({ months: 0, days: -1, microseconds: 0n });
    expect(fields(PGInterval.fromText("3days"))).toEqual({ months: 0, days: 3, microseconds: 0n });
    expect(fields(PGInterval.fromText("1:2"))).toEqual({ months: 0, days: 0, microseconds: 3_720_000_000n });
  });

  test("zero fields stay 0, never -0", () => {
    const iv = PGInterval.fromText("@ 1 day ago");
    expect(Object.is(iv.months, 0)).toBe(true);
    expect(iv.days).toBe(-1);
  });

  test("malformed text → DataError", () => {
    for (const bad of ["", "P", "1 fortnight", "abc", "P1X", "1:xx", "1 2", "1 constructor", "1 __proto__"]) {
      expect(() => PGInterval.fromText(bad), bad).toThrow(DataError);
    }
  });
});

describe("PGInterval output", () => {
  test.each([
    [{ months: 14, days: 3, microseconds: FOUR_FIVE_SIX }, "1 year 2 mons 3 days 04:05:06.789", "P1Y2M3DT4H5M6.789S"],
    [
      { months: -14, days: 3, microseconds: -FOUR_FIVE_SIX },
      "-1 years -2 mons +3 days -04:05:06.789",
      "P-1Y-2M3DT-4H-5M-6.789S",
    ],
    [{}, "00:00:00", "PT0S"],
    [{ days: 1 }, "1 day", "P1D"],
    [{ days: -1 }, "-1 days", "P-1D"],
    [{ months: 1 }, "1 mon", "P1M"],
    [{ months: 12 }, "1 year", "P1Y"],
    [{ months: -11 }, "-11 mons", "P-11M"],
    [{ microseconds: -1_500_000n }, "-00:00:01.5", "PT-1.5S"],
    [{ microseconds: 1n }, "00:00:00.000001", "PT0.000001S"],
    [{ days: -1, microseconds: 7_200_000_000n }, "-1 days +02:00:00", "P-1DT2H"],
    [{ months: 1, microseconds: -1_000_000n }, "1 mon -00:00:01", "P1MT-1S"],
    // Only the field right after a negative one carries "+", as PG prints it.
    [{ months: -1, days: 1, microseconds: 1_000_000n }, "-1 mons +1 day 00:00:01", "P-1M1DT1S"],
    [{ microseconds: 9_223_372_036_854_775_807n }, "2562047788:00:54.775807", "PT2562047788H54.775807S"],
  ] as const)("%o → %s / %s", (init, postgres, iso) => {
    const iv = new PGInterval(init);
    expect(iv.toString()).toBe(postgres);
    expect(iv.toISOString()).toBe(iso);
    // And both read back to the same fields.
    expect(PGInterval.fromText(postgres).equals(iv)).toBe(true);
    expect(PGInterval.fromText(iso).equals(iv)).toBe(true);
  });

  test("String() and JSON use the postgres form", () => {
    const iv = new PGInterval({ days: 2, microseconds: 1_000_000 });
    expect(String(iv)).toBe("2 days 00:00:01");
    expect(JSON.stringify({ iv })).toBe('{"iv":"2 days 00:00:01"}');
  });
});

describe("PGInterval construction and equality", () => {
  test("convenience fields fold into months, days and microseconds", () => {
    const iv = new PGInterval({ years: 1, months: 2, weeks: 1, days: 3, hours: 4, minutes: 5, seconds: 6.789 });
    expect(fields(iv)).toEqual({ months: 14, days: 10, microseconds: FOUR_FIVE_SIX });
  });

  test("microseconds accept number or bigint", () => {
    expect(new PGInterval({ microseconds: 5 }).microseconds).toBe(5n);
    expect(new PGInterval({ microseconds: 2n ** 62n }).microseconds).toBe(2n ** 62n);
  });

  test("non-integer fields are rejected", () => {
    expect(() => new PGInterval({ days: 1.5 })).toThrow(InterfaceError);
    expect(() => new PGInterval({ microseconds: 0.5 })).toThrow(InterfaceError);
    expect(() => new PGInterval({ seconds: Infinity })).toThrow(InterfaceError);
  });

  test("equals compares fields exactly (1 mon is not 30 days here)", () => {
    expect(new PGInterval({ months: 1 }).equals(new PGInterval({ months: 1 }))).toBe(true);
    expect(new PGInterval({ months: 1 }).equals(new PGInterval({ days: 30 }))).toBe(false);
    expect(new PGInterval().equals({ months: 0, days: 0, microseconds: 0n })).toBe(false);
  });
});

describe("PostgreSQL 17 infinite intervals", () => {
  test("'infinity' and '-infinity' read and print back", () => {
    const inf = PGInterval.fromText("infinity");
    expect([inf.months, inf.days, inf.microseconds]).toEqual([2147483647, 2147483647, 9223372036854775807n]);
    expect(inf.toString()).toBe("infinity");
    expect(inf.toISOString()).toBe("infinity");
    expect(inf.infinitySign()).toBe(1);
    const minus = PGInterval.fromText("-infinity");
    expect(minus.toString()).toBe("-infinity");
    expect(minus.equals(PGInterval.MINUS_INFINITY)).toBe(true);
    expect(PGInterval.fromText("1 day").infinitySign()).toBe(0);
  });
});
