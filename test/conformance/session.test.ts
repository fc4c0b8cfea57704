// Session independence (issue 3, item 4) against the test cluster: each setting that changes
// how the server prints values is SET on a session, and the values fetched through the text
// path (simple protocol) and the binary path (parameterised) must equal the values fetched
// under the driver's defaults (DateStyle ISO, TimeZone UTC, IntervalStyle postgres,
// bytea_output hex, extra_float_digits 3, client_encoding UTF8).

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InterfaceError } from "../../src/errors.js";
import { type Connection, connect } from "../../src/native/index.js";
import { TIMESTAMP } from "../../src/types/oids.js";
import { superOptions } from "../integration/helpers.js";
import { same, show } from "./oracle.js";

let con: Connection;
const table = `conf_session_${process.pid}`;

/** Rows of `sql` through the text path and through the binary path. */
async function bothPaths(sql: string): Promise<{ text: unknown[][]; binary: unknown[][] }> {
  const text = (await con.run(sql))!;
  const binary = (await con.run(`SELECT * FROM (${sql}) q WHERE $1`, [true]))!;
  return { text, binary };
}

function expectSame(actual: unknown[][], expected: unknown[][], where: string): void {
  expect(actual.length, where).toBe(expected.length);
  actual.forEach((row, r) =>
    row.forEach((value, c) => {
      expect(
        same(value, expected[r]![c]),
        `${where}, row ${r} column ${c}: ${show(value)} ≠ ${show(expected[r]![c])}`,
      ).toBe(true);
    }),
  );
}

beforeAll(async () => {
  con = await connect(superOptions({ startup_params: { TimeZone: "UTC" } }));
  // Dates and times that stress every DateStyle: BC, five-digit years, infinities, local mean
  // time, DST overlaps (New York, Paris, Dublin), half-hour and 45-minute zones, plus 60 random
  // instants from 1850 to 2100 (every zone's transitions in that span are crossed).
  await con.run(`
    CREATE TEMP TABLE ${table} (n serial, tstz timestamptz);
    INSERT INTO ${table} (tstz) VALUES
      ('2024-03-15 12:34:56.789+00'), ('2024-07-15 12:34:56.123456+00'), ('infinity'), ('-infinity'),
      ('1850-01-01 00:00:00+00'), ('0044-03-15 12:00:00+00 BC'), ('4713-01-01 00:00:00+00 BC'),
      ('12345-06-07 08:09:10+00'), ('2024-11-03 05:30:00+00'), ('2024-11-03 06:30:00+00'),
      ('2024-10-27 00:30:00+00'), ('2024-10-27 01:30:00+00'), ('1969-12-31 23:59:59.999999+00'),
      ('2000-02-29 00:00:00+00');
    SELECT setseed(0.77);
    INSERT INTO ${table} (tstz)
      SELECT '1850-01-01+00'::timestamptz + random() * (timestamptz '2100-01-01+00' - timestamptz '1850-01-01+00')
      FROM generate_series(1, 60);
  `);
});

afterAll(async () => {
  await con?.close();
});

const DATETIME_QUERY = `
  SELECT tstz, tstz::timestamp, tstz::date, ARRAY[tstz, NULL], ARRAY[[tstz::date], [NULL::date]],
         ARRAY[tstz::timestamp], tstzrange(tstz, NULL), daterange(tstz::date, NULL, '[]'),
         tsmultirange(tsrange(tstz::timestamp, NULL))
  FROM ${table} ORDER BY n`;

describe("DateStyle × TimeZone", () => {
  let baseline: unknown[][];
  beforeAll(async () => {
    await con.run("SET DateStyle = 'ISO, MDY'; SET TimeZone = 'UTC'");
    baseline = (await con.run(DATETIME_QUERY))!;
  });

  const styles = [
    "ISO, MDY",
    "ISO, DMY",
    "SQL, MDY",
    "SQL, DMY",
    "Postgres, MDY",
    "Postgres, DMY",
    "Postgres, YMD",
    "German, DMY",
  ];
  const zones = [
    "'UTC'",
    "'America/New_York'",
    "'Asia/Kolkata'",
    "'Europe/Dublin'",
    "'Europe/Paris'",
    "'Australia/Lord_Howe'",
    "'Pacific/Chatham'",
    "'Europe/Istanbul'",
    "'UTC+5'",
    "'EST5EDT'",
    "INTERVAL '+05:30' HOUR TO MINUTE",
  ];
  /**
   * Where the client's time zone data (ICU's, through Intl) and the server's disagree, a zone
   * abbreviation cannot be turned into the server's offset; ISO prints numeric offsets and is
   * exact everywhere. Known here: tzdata 2024b made EST5EDT a link to America/New_York, whose
   * local mean time (-04:56:02) ICU 78 applies before 1883-11-18, while this server's Debian
   * tzdata keeps EST5EDT on EST (-05) throughout.
   */
  const clientDataDiffers = (zone: string, style: string, instant: unknown): boolean =>
    !style.startsWith("ISO") &&
    zone === "'EST5EDT'" &&
    instant instanceof Date &&
    instant.getTime() < Date.UTC(1883, 10, 18, 17);

  // The session's TimeZone changes the wall clock of tstz::timestamp and tstz::date, so those
  // are compared with the same casts done in UTC: only the printing may differ, not the values.
  test.each(styles.flatMap((style) => zones.map((zone) => [style, zone] as const)))(
    "%s, TimeZone %s",
    async (style, zone) => {
      await con.run(`SET DateStyle = '${style}'; SET TIME ZONE ${zone}`);
      const { text, binary } = await bothPaths(
        `SELECT tstz, ARRAY[tstz, NULL], tstzrange(tstz, NULL) FROM ${table} ORDER BY n`,
      );
      const expected = baseline.map((row) => [row[0], row[3], row[6]]);
      const keep = (rows: unknown[][]) => rows.filter((_, r) => !clientDataDiffers(zone, style, baseline[r]![0]));
      expectSame(keep(text), keep(expected), `text path, DateStyle ${style}, TimeZone ${zone}`);
      expectSame(binary, expected, `binary path, DateStyle ${style}, TimeZone ${zone}`);
      // Values without a zone, produced in this session's zone: compare with the same query
      // under ISO (the printing is what changes).
      const local = `SELECT tstz::timestamp, tstz::date, ARRAY[[tstz::date], [NULL::date]], ARRAY[tstz::timestamp],
                          daterange(tstz::date, NULL, '[]'), tsmultirange(tsrange(tstz::timestamp, NULL)) FROM ${table} ORDER BY n`;
      const styled = await bothPaths(local);
      await con.run("SET DateStyle = 'ISO, MDY'");
      const iso = (await con.run(local))!;
      expectSame(styled.text, iso, `text path, DateStyle ${style}, TimeZone ${zone} (zone-less values)`);
      expectSame(styled.binary, iso, `binary path, DateStyle ${style}, TimeZone ${zone} (zone-less values)`);
    },
  );

  test("the DateStyle reported late (SET in the same query string) still reads day > 12 right", async () => {
    await con.run("SET DateStyle = 'ISO, MDY'");
    const rows = await con.run(
      "SET DateStyle = 'SQL, DMY'; SELECT '2024-03-15'::date, '2024-03-15 01:02:03'::timestamp",
    );
    expect(rows).toEqual([["2024-03-15", new Date("2024-03-15T01:02:03Z")]]);
    await con.run("SET DateStyle = 'ISO, MDY'");
  });
});

describe("IntervalStyle", () => {
  const query = `SELECT v, ARRAY[v, NULL], ARRAY[[v], [v]] FROM (VALUES
      ('1 year 2 mons 3 days 04:05:06.789'::interval), ('-1 year +2 mons -3 days +04:05:06'), ('0'), ('-0.5 seconds'),
      ('178000000 years'), ('2147483647 days 2562047788:00:54.775807'), ('-2147483648 days -2562047788:00:54.775807'),
      ('1 mon -30 days'), ('-1 day +1 second'), ('+1 day -1 second'), ('-1 mon'), ('0.000001 s'), ('1.5 years'), ('-12:00')) t(v)`;
  test.each(["postgres", "postgres_verbose", "sql_standard", "iso_8601"])("%s", async (style) => {
    await con.run("SET IntervalStyle = 'postgres'");
    const baseline = (await con.run(query))!;
    await con.run(`SET IntervalStyle = '${style}'`);
    const { text, binary } = await bothPaths(query);
    await con.run("SET IntervalStyle = 'postgres'");
    expectSame(text, baseline, `text path, IntervalStyle ${style}`);
    expectSame(binary, baseline, `binary path, IntervalStyle ${style}`);
  });
});

describe("bytea_output", () => {
  test("escape reads the same bytes as hex, in arrays too", async () => {
    const query = `SELECT v, ARRAY[v, NULL, ''::bytea] FROM (VALUES ('\\x00ff5c2227'::bytea), (''), (convert_to('ünï 😀 \\', 'UTF8')),
      (decode(repeat('000102037f80fe', 100), 'hex')), ((SELECT string_agg(set_byte('\\x00'::bytea, 0, b), ''::bytea) FROM generate_series(0, 255) b))) t(v)`;
    await con.run("SET bytea_output = 'hex'");
    const baseline = (await con.run(query))!;
    await con.run("SET bytea_output = 'escape'");
    const { text, binary } = await bothPaths(query);
    await con.run("SET bytea_output = 'hex'");
    expectSame(text, baseline, "text path, bytea_output escape");
    expectSame(binary, baseline, "binary path, bytea_output escape");
  });
});

describe("extra_float_digits", () => {
  const query = `SELECT v4, v8, ARRAY[v8], point(v8, v8) FROM (VALUES
      ('1.1'::float4, '0.1'::float8 + '0.2'), ('3.4028235e38', '1.7976931348623157e308'), ('1.4e-45', '5e-324'),
      ('NaN', 'NaN'), ('-Infinity', 'Infinity'), ('-0', '-0'), ('0.333333343', '0.3333333333333333')) t(v4, v8)`;
  let exact: unknown[][];
  beforeAll(async () => {
    await con.run("SET extra_float_digits = 3");
    exact = (await con.run(query))!;
  });
  afterAll(async () => {
    await con.run("SET extra_float_digits = 3");
  });

  test.each([0, 1, 3, -15])("%i: the binary path is exact", async (digits) => {
    await con.run(`SET extra_float_digits = ${digits}`);
    const binary = (await con.run(`SELECT v4, v8 FROM (${query}) q WHERE $1`, [true]))!;
    expectSame(
      binary,
      exact.map((r) => [r[0], r[1]]),
      `binary path, extra_float_digits ${digits}`,
    );
  });

  // Text results: several statements in one run() take the simple protocol (a single statement
  // without parameters goes through the extended protocol, in binary like the path above).
  test.each([1, 3])("%i: the text path is exact too (shortest exact output, PG ≥ 12)", async (digits) => {
    const text = (await con.run(`SET extra_float_digits = ${digits}; ${query}`))!;
    expectSame(text, exact, `text path, extra_float_digits ${digits}`);
  });

  test("0: a single statement without parameters takes the binary path (exact)", async () => {
    await con.run("SET extra_float_digits = 0");
    expectSame((await con.run(query))!, exact, "one statement, no parameters, extra_float_digits 0");
  });

  test.each([0, -15])("%i: the text path gets what the server printed, rounded by the server", async (digits) => {
    // The server prints 15 + digits significant digits (at least 1): digits it never sent
    // cannot be recovered. Arrays, ranges and geometric types of floats are always text, so a
    // session that lowers extra_float_digits loses precision there even on the binary path.
    const text = (await con.run(`SET extra_float_digits = ${digits}; ${query}`))!;
    const printed = (await con.run(`SELECT v8::text FROM (${query}) q`))!;
    text.forEach((row, r) => {
      expect(
        Object.is(row[1], Number(printed[r]![0])),
        `row ${r}: ${show(row[1])} is the printed ${printed[r]![0]}`,
      ).toBe(true);
    });
    expect(text[0]![1]).not.toBe(0.1 + 0.2); // 0.30000000000000004 printed as 0.3
  });
});

describe("client_encoding", () => {
  const latin1 = "ünïcödé ß ÿ Ä ©";
  afterAll(async () => {
    await con.run("SET client_encoding = 'UTF8'");
  });

  test("LATIN1: non-ASCII results and parameters, text and binary paths, arrays and JSON", async () => {
    await con.run("SET client_encoding = 'LATIN1'");
    expect(con.parameter_statuses.client_encoding).toBe("LATIN1");
    const sql = `SELECT '${latin1}'::text, ARRAY['${latin1}', 'x,y'], '{"k": "${latin1}"}'::jsonb, '${latin1}'::varchar(40)`;
    const expected = [[latin1, [latin1, "x,y"], { k: latin1 }, latin1]];
    expect(await con.run(sql)).toEqual(expected);
    expect(await con.run(`SELECT * FROM (${sql}) q WHERE $1`, [true])).toEqual(expected);
    // Parameters: sent as LATIN1 bytes, compared on the server with the same text.
    expect(await con.run(`SELECT $1::text = '${latin1}', $1::text, $2::text[]`, [latin1, [latin1, null]])).toEqual([
      [true, latin1, [latin1, null]],
    ]);
    expect(await con.run(`SELECT $1::jsonb = '{"k": "${latin1}"}'`, [{ k: latin1 }])).toEqual([[true]]);
  });

  test("LATIN1: a result LATIN1 cannot hold is the server's DataError, and the connection goes on", async () => {
    await con.run("SET client_encoding = 'LATIN1'");
    await expect(con.run("SELECT chr(128512)")).rejects.toThrow(/has no equivalent in encoding "LATIN1"/);
    expect(await con.run("SELECT 'ok'")).toEqual([["ok"]]);
  });

  // KNOWN CORE BUG (reported to the lead; src/core/connection.ts send/enqueue): the LATIN1
  // encoder throws while the message is half written into the outgoing buffer, and the request
  // is already queued, so the server gets a truncated message and closes the connection.
  test("LATIN1: text LATIN1 cannot hold is refused by the client, and the connection goes on", async () => {
    const own = await connect(superOptions({ startup_params: { client_encoding: "LATIN1" } }));
    try {
      await expect(own.run("SELECT $1::text", ["😀"])).rejects.toThrow(InterfaceError);
      await expect(own.run("SELECT '😀'::text")).rejects.toThrow(InterfaceError);
      expect(await own.run("SELECT 'ok'")).toEqual([["ok"]]);
    } finally {
      await own.close().catch(() => undefined);
    }
  });

  test("SQL_ASCII: the database's UTF-8 passes through, 4-byte characters included", async () => {
    await con.run("SET client_encoding = 'SQL_ASCII'");
    const text = `${latin1} 😀 𝄞 𠜎`;
    const expected = [[text, [text, null]]];
    expect(await con.run(`SELECT '${text}'::text, ARRAY['${text}', NULL]`)).toEqual(expected);
    expect(await con.run(`SELECT $1::text, $2::text[]`, [text, [text, null]])).toEqual(expected);
    expect(await con.run(`SELECT $1::text = '${text}'`, [text])).toEqual([[true]]);
  });
});

describe("TimeZone and timestamp parameters", () => {
  // TYPES.md sends a Date as timestamptz (OID 1184). Cast to timestamp (without time zone) the
  // server converts it with the session's TimeZone, so a Date decoded from a timestamp comes
  // back unchanged only in a UTC session — or when the parameter is typed as timestamp.
  test("a timestamp Date round-trips in UTC, and in any zone when sent with types: timestamp", async () => {
    await con.run("SET TimeZone = 'UTC'");
    const [[ts]] = (await con.run("SELECT '2024-01-02 03:04:05.678'::timestamp")) as [[Date]];
    expect(await con.run("SELECT $1::timestamp = '2024-01-02 03:04:05.678'", [ts])).toEqual([[true]]);
    await con.run("SET TimeZone = 'America/New_York'");
    expect(await con.run("SELECT $1::timestamp = '2024-01-02 03:04:05.678'", [ts])).toEqual([[false]]);
    expect(
      await con.run("SELECT $1::timestamp = '2024-01-02 03:04:05.678'", [ts], { types: { "1": TIMESTAMP } }),
    ).toEqual([[true]]);
    // timestamptz is the same instant whatever the zone.
    const [[tstz]] = (await con.run("SELECT '2024-01-02 03:04:05.678+05:30'::timestamptz")) as [[Date]];
    expect(await con.run("SELECT $1::timestamptz = '2024-01-02 03:04:05.678+05:30'", [tstz])).toEqual([[true]]);
    await con.run("SET TimeZone = 'UTC'");
  });
});
