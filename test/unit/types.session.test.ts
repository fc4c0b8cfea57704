// Text decoders under every DateStyle, TimeZone, IntervalStyle and bytea_output. The expected
// values are written by hand from what PostgreSQL 15 prints (psql, same inputs); the
// integration side is test/conformance/session.test.ts.

import { describe, expect, test } from "vitest";
import { DataError } from "../../src/errors.js";
import { parseDate, parseTimestamp, parseTimestamptz } from "../../src/types/datetime.js";
import { parseFloat4 } from "../../src/types/decoders.js";
import { PGInterval } from "../../src/types/interval.js";
import * as oids from "../../src/types/oids.js";
import { Range } from "../../src/types/range.js";
import { TypeRegistry } from "../../src/types/registry.js";
import { SessionSettings } from "../../src/types/session.js";
import { instantOfLocalTime } from "../../src/types/timezone.js";

function session(dateStyle: string, timeZone?: string): SessionSettings {
  const s = new SessionSettings();
  s.update("DateStyle", dateStyle);
  if (timeZone !== undefined) s.update("TimeZone", timeZone);
  return s;
}

const utc = (iso: string) => new Date(iso);

describe("SessionSettings", () => {
  test("DateStyle as reported: style and order", () => {
    const s = session("SQL, DMY");
    expect([s.dateStyle, s.dateOrder]).toEqual(["SQL", "DMY"]);
    s.update("DateStyle", "Postgres, YMD");
    expect([s.dateStyle, s.dateOrder]).toEqual(["Postgres", "YMD"]);
    s.update("DateStyle", "German, DMY");
    expect([s.dateStyle, s.dateOrder]).toEqual(["German", "DMY"]);
    expect(s.update("TimeZone", "Europe/Paris")).toBe(true);
    expect(s.update("application_name", "x")).toBe(false);
    expect(s.timeZone).toBe("Europe/Paris");
  });
});

describe("dates in every DateStyle → YYYY-MM-DD", () => {
  test.each([
    ["ISO, MDY", "2024-03-15", "2024-03-15"],
    ["ISO, DMY", "0044-03-15 BC", "0044-03-15 BC"],
    ["SQL, MDY", "03/15/2024", "2024-03-15"],
    ["SQL, DMY", "15/03/2024", "2024-03-15"],
    ["SQL, YMD", "03/15/0044 BC", "0044-03-15 BC"], // YMD prints the SQL style month first
    ["SQL, DMY", "02/01/2024", "2024-01-02"],
    ["SQL, MDY", "02/01/2024", "2024-02-01"],
    ["German, DMY", "15.03.2024", "2024-03-15"],
    ["German, MDY", "02.01.2024", "2024-01-02"], // German is always day first
    ["Postgres, MDY", "03-15-0044 BC", "0044-03-15 BC"],
    ["Postgres, DMY", "15-03-0044 BC", "0044-03-15 BC"],
    ["Postgres, YMD", "01-02-2024", "2024-01-02"],
    ["SQL, MDY", "01/01/12345", "12345-01-01"],
    ["German, DMY", "31.12.5874897", "5874897-12-31"],
    ["SQL, DMY", "infinity", "infinity"],
    ["Postgres, MDY", "-infinity", "-infinity"],
  ])("%s: %s → %s", (style, text, expected) => {
    expect(parseDate(text, session(style))).toBe(expected);
  });

  test("a day above 12 proves the order even if the DateStyle report came late", () => {
    // SET DateStyle and SELECT in one query string: the rows arrive before the ParameterStatus.
    expect(parseDate("15/03/2024", session("SQL, MDY"))).toBe("2024-03-15");
    expect(parseDate("03/15/2024", session("SQL, DMY"))).toBe("2024-03-15");
  });

  test("garbage → DataError", () => {
    expect(() => parseDate("2024/03/15", session("ISO, MDY"))).toThrow(DataError);
    expect(() => parseDate("13/13/2024", session("SQL, MDY"))).toThrow(DataError);
    expect(() => parseDate("Fri Mar 15 2024", session("Postgres, MDY"))).toThrow(DataError);
  });
});

describe("timestamp (no zone) in every DateStyle", () => {
  test.each([
    ["ISO, MDY", "2024-07-15 01:02:03", "2024-07-15T01:02:03Z"],
    ["SQL, MDY", "07/15/2024 01:02:03", "2024-07-15T01:02:03Z"],
    ["SQL, DMY", "15/07/2024 01:02:03.5", "2024-07-15T01:02:03.500Z"],
    ["German, DMY", "15.07.2024 01:02:03.123456", "2024-07-15T01:02:03.123Z"],
    ["Postgres, MDY", "Mon Jul 15 01:02:03 2024", "2024-07-15T01:02:03Z"],
    ["Postgres, DMY", "Mon 15 Jul 01:02:03.999999 2024", "2024-07-15T01:02:03.999Z"],
  ])("%s: %s", (style, text, iso) => {
    expect(parseTimestamp(text, session(style))).toEqual(utc(iso));
  });

  test("BC and five-digit years", () => {
    const bc = new Date(Date.UTC(2000, 2, 15, 12));
    bc.setUTCFullYear(-43);
    expect(parseTimestamp("Fri Mar 15 12:00:00 0044 BC", session("Postgres, MDY"))).toEqual(bc);
    expect(parseTimestamp("15.03.0044 12:00:00 BC", session("German, DMY"))).toEqual(bc);
    expect(parseTimestamp("01/01/12345 00:00:00", session("SQL, MDY"))).toEqual(utc("+012345-01-01T00:00:00Z"));
    expect(parseTimestamp("infinity", session("SQL, DMY"))).toBe(Infinity);
  });

  test("a zone on a timestamp without time zone is refused", () => {
    expect(() => parseTimestamp("07/15/2024 01:02:03 UTC", session("SQL, MDY"))).toThrow(DataError);
  });
});

describe("timestamptz: the offset comes from the session's TimeZone", () => {
  // '2024-03-15 12:34:56.789' (and friends) as PostgreSQL 15 printed them in each zone.
  test.each([
    ["SQL, MDY", "America/New_York", "03/15/2024 12:34:56.789 EDT", "2024-03-15T16:34:56.789Z"],
    ["SQL, DMY", "America/New_York", "15/03/2024 12:34:56.789 EDT", "2024-03-15T16:34:56.789Z"],
    ["Postgres, MDY", "America/New_York", "Fri Mar 15 12:34:56.789 2024 EDT", "2024-03-15T16:34:56.789Z"],
    ["Postgres, DMY", "America/New_York", "Fri 15 Mar 12:34:56.789 2024 EDT", "2024-03-15T16:34:56.789Z"],
    ["German, DMY", "America/New_York", "15.03.2024 12:34:56.789 EDT", "2024-03-15T16:34:56.789Z"],
    ["SQL, MDY", "America/New_York", "01/01/2024 00:00:00 EST", "2024-01-01T05:00:00Z"],
    // IST is India here (Ireland in Europe/Dublin): the zone decides, not the abbreviation.
    ["SQL, MDY", "Asia/Kolkata", "03/15/2024 12:34:56.789 IST", "2024-03-15T07:04:56.789Z"],
    ["SQL, MDY", "Europe/Dublin", "07/15/2024 13:34:56 IST", "2024-07-15T12:34:56Z"],
    // POSIX 'UTC+5' is five hours WEST of Greenwich, and PostgreSQL prints "UTC" for it.
    ["SQL, MDY", "UTC+5", "03/15/2024 12:34:56.789 UTC", "2024-03-15T17:34:56.789Z"],
    ["SQL, MDY", "XYZ-3:30", "03/15/2024 16:04:56.789 XYZ", "2024-03-15T12:34:56.789Z"],
    // SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE reports this POSIX form.
    ["SQL, MDY", "<+05:30>-05:30", "03/15/2024 18:04:56.789 +05:30", "2024-03-15T12:34:56.789Z"],
    ["SQL, MDY", "Europe/Istanbul", "03/15/2024 12:34:56.789 +03", "2024-03-15T09:34:56.789Z"],
    ["Postgres, MDY", "Pacific/Chatham", "Fri Mar 15 12:34:56.789 2024 +1345", "2024-03-14T22:49:56.789Z"],
    ["SQL, MDY", "Australia/Lord_Howe", "07/15/2024 23:04:56 +1030", "2024-07-15T12:34:56Z"],
    // Local mean time before the zone had standard time: offsets with seconds.
    ["SQL, MDY", "America/New_York", "01/01/1850 00:00:00 LMT", "1850-01-01T04:56:02Z"],
    ["German, DMY", "Asia/Kolkata", "01.01.1850 00:00:00 LMT", "1849-12-31T18:06:32Z"],
    // ISO always prints the numeric offset, whatever the zone.
    ["ISO, MDY", "America/New_York", "1850-01-01 00:00:00-04:56:02", "1850-01-01T04:56:02Z"],
    ["ISO, MDY", "Pacific/Chatham", "2024-03-15 12:34:56.789+13:45", "2024-03-14T22:49:56.789Z"],
  ])("%s, %s: %s", (style, zone, text, iso) => {
    expect(parseTimestamptz(text, session(style, zone))).toEqual(utc(iso));
  });

  test("BC with local mean time", () => {
    const expected = new Date(Date.UTC(2000, 2, 15, 16, 56, 2));
    expected.setUTCFullYear(-43);
    expect(parseTimestamptz("03/15/0044 12:00:00 LMT BC", session("SQL, MDY", "America/New_York"))).toEqual(expected);
    expect(parseTimestamptz("Fri Mar 15 12:00:00 0044 LMT BC", session("Postgres, MDY", "America/New_York"))).toEqual(
      expected,
    );
  });

  test("a DST fall-back overlap is resolved by the abbreviation", () => {
    // 2024-11-03 01:30 happened twice in New York: 05:30Z (EDT) and 06:30Z (EST).
    for (const zone of ["EST5EDT", "America/New_York"]) {
      const s = session("SQL, MDY", zone);
      expect(parseTimestamptz("11/03/2024 01:30:00 EDT", s)).toEqual(utc("2024-11-03T05:30:00Z"));
      expect(parseTimestamptz("11/03/2024 01:30:00 EST", s)).toEqual(utc("2024-11-03T06:30:00Z"));
    }
    // Paris, 2024-10-27 02:30: CEST (00:30Z) then CET (01:30Z).
    const paris = session("Postgres, DMY", "Europe/Paris");
    expect(parseTimestamptz("Sun 27 Oct 02:30:00 2024 CEST", paris)).toEqual(utc("2024-10-27T00:30:00Z"));
    expect(parseTimestamptz("Sun 27 Oct 02:30:00 2024 CET", paris)).toEqual(utc("2024-10-27T01:30:00Z"));
    // Dublin's IST (summer, +1) is found through ICU's en-IE names, GMT through the table.
    const dublin = session("SQL, DMY", "Europe/Dublin");
    expect(parseTimestamptz("27/10/2024 01:30:00 IST", dublin)).toEqual(utc("2024-10-27T00:30:00Z"));
    expect(parseTimestamptz("27/10/2024 01:30:00 GMT", dublin)).toEqual(utc("2024-10-27T01:30:00Z"));
  });

  test("the printed abbreviation wins where ICU's zone data names the instant differently", () => {
    // An older server's EST5EDT had no summer time in 1930 (New York's did, and ICU now links
    // EST5EDT to it): the server prints EST, ICU would say EDT.
    // (What PostgreSQL 15 with Debian's tzdata 2025b printed for '1930-08-07 01:11:11.913+00'.)
    expect(parseTimestamptz("08/06/1930 20:11:11.913 EST", session("SQL, MDY", "EST5EDT"))).toEqual(
      utc("1930-08-07T01:11:11.913Z"),
    );
    expect(parseTimestamptz("08/06/1930 21:11:11.913 EDT", session("SQL, MDY", "EST5EDT"))).toEqual(
      utc("1930-08-07T01:11:11.913Z"),
    );
    // Shanghai's CST is +8 (ICU says "GMT+8"), not the table's US Central -6.
    expect(parseTimestamptz("03/15/2024 20:34:56 CST", session("SQL, MDY", "Asia/Shanghai"))).toEqual(
      utc("2024-03-15T12:34:56Z"),
    );
  });

  test("instantOfLocalTime: unknown zone falls back to the abbreviation, else undefined", () => {
    const local = Date.UTC(2024, 0, 1, 12);
    expect(instantOfLocalTime(local, "UTC", "localtime")).toBe(local);
    expect(instantOfLocalTime(local, "+0530", "localtime")).toBe(local - 5.5 * 3600_000);
    expect(instantOfLocalTime(local, "CET", undefined)).toBe(local - 3600_000);
    expect(instantOfLocalTime(local, "IST", "localtime")).toBeUndefined();
  });
});

describe("the registry reads the session at call time", () => {
  test("a decoder handed out before SET DateStyle follows it, in arrays and ranges too", () => {
    const reg = new TypeRegistry();
    const date = reg.textDecoder(oids.DATE)!;
    const dates = reg.textDecoder(oids.DATE_ARRAY)!;
    const range = reg.textDecoder(oids.TSTZRANGE)!;
    const multirange = reg.textDecoder(oids.DATEMULTIRANGE)!;
    expect(date("2024-01-02")).toBe("2024-01-02");

    reg.sessionChanged("DateStyle", "SQL, DMY");
    reg.sessionChanged("TimeZone", "America/New_York");
    expect(date("02/01/2024")).toBe("2024-01-02");
    expect(dates('{02/01/2024,NULL,"01/02/0044 BC"}')).toEqual(["2024-01-02", null, "0044-02-01 BC"]);
    expect(range('["01/01/2024 00:00:00 EST","01/02/2024 00:00:00 EST")')).toEqual(
      new Range(utc("2024-01-01T05:00:00Z"), utc("2024-02-01T05:00:00Z"), "[)"),
    );
    expect(multirange("{[02/01/2024,05/01/2024),[07/01/2024,)}")).toEqual([
      new Range("2024-01-02", "2024-01-05", "[)"),
      new Range("2024-01-07", null, "[)"),
    ]);

    reg.sessionChanged("DateStyle", "Postgres, MDY");
    expect(reg.textDecoder(oids.TIMESTAMPTZ_ARRAY)!('{"Mon Jan 01 00:00:00 2024 EST",infinity}')).toEqual([
      utc("2024-01-01T05:00:00Z"),
      Infinity,
    ]);
    expect(reg.textDecoder(oids.TIMESTAMP_ARRAY)!('{"Mon Jul 15 01:02:03 2024"}')).toEqual([
      utc("2024-07-15T01:02:03Z"),
    ]);
  });

  test("registries are independent", () => {
    const a = new TypeRegistry();
    const b = new TypeRegistry();
    a.sessionChanged("DateStyle", "SQL, DMY");
    b.sessionChanged("DateStyle", "SQL, MDY");
    expect(a.textDecoder(oids.DATE)!("02/01/2024")).toBe("2024-01-02");
    expect(b.textDecoder(oids.DATE)!("02/01/2024")).toBe("2024-02-01");
  });

  test("interval arrays in all four IntervalStyles", () => {
    const reg = new TypeRegistry();
    const decode = reg.textDecoder(oids.INTERVAL_ARRAY)!;
    const expected = [
      new PGInterval({ years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6.5 }),
      new PGInterval({ days: -3, hours: -4 }),
    ];
    // What SELECT ARRAY['1 year 2 mons 3 days 04:05:06.5', '-3 days -04:00:00']::interval[] prints.
    expect(decode('{"1 year 2 mons 3 days 04:05:06.5","-3 days -04:00:00"}')).toEqual(expected);
    expect(decode('{"@ 1 year 2 mons 3 days 4 hours 5 mins 6.5 secs","@ 3 days 4 hours ago"}')).toEqual(expected);
    expect(decode('{"+1-2 +3 +4:05:06.5","-3 -4:00:00"}')).toEqual(expected);
    expect(decode("{P1Y2M3DT4H5M6.5S,P-3DT-4H}")).toEqual(expected);
  });

  test("bytea arrays in escape output", () => {
    const reg = new TypeRegistry();
    // SET bytea_output = escape; SELECT ARRAY['\x00ff5c41'::bytea, ''::bytea]
    expect(reg.textDecoder(oids.BYTES_ARRAY)!('{"\\\\000\\\\377\\\\\\\\A",""}')).toEqual([
      new Uint8Array([0, 255, 92, 65]),
      new Uint8Array([]),
    ]);
  });
});

describe("float4 text is rounded to float4 like the binary value", () => {
  test.each([
    ["1.1", Math.fround(1.1)],
    ["3.4028235e+38", 3.4028234663852886e38],
    ["1e-45", 1.401298464324817e-45],
    ["-0", -0],
    ["NaN", NaN],
    ["-Infinity", -Infinity],
  ])("%s", (text, value) => {
    expect(Object.is(parseFloat4(text), value)).toBe(true);
  });

  test("also inside float4[]", () => {
    expect(new TypeRegistry().textDecoder(oids.REAL_ARRAY)!("{1.1,NULL}")).toEqual([Math.fround(1.1), null]);
  });
});
