// The codec's binary decoders against the server: every value of each type comes back the same
// whether the driver asked for it in binary (extended protocol, a cached statement) or in text
// (simple protocol, decoded by src/types), and the column really was requested in binary.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { arrayKind, ColumnKind, rangeKind } from "../../src/codec/index.js";
import { binaryKind } from "../../src/core/rows.js";
import { type Connection, connect } from "../../src/native/index.js";
import * as oids from "../../src/types/oids.js";
import { Range } from "../../src/types/range.js";
import { TypeRegistry } from "../../src/types/registry.js";
import { trustOptions } from "./helpers.js";

/** Per type: SQL literals (null = NULL) whose values must come back identically both ways. */
const VALUES: [type: string, literals: (string | null)[]][] = [
  [
    "numeric",
    [
      "0",
      "1.50",
      "-1.50",
      "NaN",
      "Infinity",
      "-Infinity",
      "0.000001",
      "-0.0",
      "0.00",
      "10000",
      "9999.9999",
      "100000000",
      "0.1000",
      "123456789012345678901234567890.123456789",
      "1e100",
      "-1e-100",
      "12345678.87654321",
      "0.00012",
      "1234.5",
      "-99999999999999999999.99999999999999999999",
      null,
    ],
  ],
  ["numeric(1000,0)", ["1e999", `-${"9".repeat(1000)}`]],
  [
    "interval",
    [
      "0",
      "1 year 2 mons 3 days 04:05:06.789",
      "-1 years +2 mons -3 days",
      "178000000 years",
      "-178000000 years",
      "1 microsecond",
      "-00:00:00.000001",
      "2147483647 days",
      "-2147483648 days",
      "-178000000 years -2562047788:00:54.775807",
      "2562047788:00:54.775807",
      "@ 1 mon -1 day -02:00",
      "1.5 years",
      null,
    ],
  ],
  [
    "timetz",
    [
      "00:00:00+00",
      "24:00:00-15:59",
      "12:34:56.789+05:30",
      "12:00:00-03:30:15",
      "23:59:59.999999+15:59",
      "01:02:03.1-01",
      "12:00:00.000010+00:00:01",
      null,
    ],
  ],
  [
    "point",
    [
      "(1,2)",
      "(-1.5,2.25)",
      "(NaN,Infinity)",
      "(-Infinity,-0)",
      "(1e-320,1.7976931348623157e308)",
      "(0.1,0.30000000000000004)",
      null,
    ],
  ],
  ["macaddr", ["08:00:2b:01:02:03", "FF:FF:FF:FF:FF:FF", "00:00:00:00:00:00", null]],
  ["macaddr8", ["08:00:2b:01:02:03:04:05", "08:00:2b:01:02:03", null]],
  [
    "int4[]",
    [
      "{}",
      "{1,2,3}",
      "{{1,2},{3,4}}",
      "{{1,NULL},{NULL,4}}",
      "[0:2]={1,2,3}",
      "[-5:-4][1:2]={{1,2},{3,4}}",
      "{{{1,2},{3,4}},{{5,6},{7,8}}}",
      "{{{{{{1}}}}}}",
      "{NULL}",
      "{-2147483648,2147483647}",
      null,
    ],
  ],
  ["bool[]", ["{t,f,NULL}", "{}"]],
  ["int2[]", ["{-32768,32767,0}", "{{1},{2}}"]],
  ["int8[]", ["{-9223372036854775808,9223372036854775807,NULL}"]],
  ["float4[]", ["{NaN,Infinity,-Infinity,-0,1.1,3.4028235e38,1e-45}"]],
  ["float8[]", ["{NaN,Infinity,-0,0.1,5e-324,1.7976931348623157e308}"]],
  ["oid[]", ["{0,4294967295}"]],
  ["xid[]", ["{1,4294967295}"]],
  ["date[]", ["{2000-01-01,infinity,-infinity,0044-03-15 BC,5874897-12-31,4713-11-24 BC,NULL}"]],
  ["time[]", ["{00:00:00,24:00:00,12:34:56.789012,NULL}"]],
  [
    "timestamp[]",
    ['{"2000-01-01 00:00:00","2024-02-29 12:34:56.789999",infinity,-infinity,"0044-03-15 12:00:00 BC",NULL}'],
  ],
  ["timestamptz[]", ['{"2000-01-01 00:00:00+00","2024-02-29 12:34:56.789999+05:30",infinity,NULL}']],
  ["uuid[]", ["{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11,00000000-0000-0000-0000-000000000000,NULL}"]],
  ["numeric[]", ["{1.50,NaN,-Infinity,Infinity,NULL,0.000,1e30}", "{{1,2.5},{3.25,NULL}}"]],
  ["interval[]", ['{"1 year 2 mons","-00:00:01",NULL,"3 days"}']],
  ["timetz[]", ["{12:00:00+05:30,00:00:00-00:00:01,NULL}"]],
  ["point[]", ['{"(1,2)","(NaN,-0)",NULL}']],
  ["macaddr[]", ["{08:00:2b:01:02:03,NULL}"]],
  ["macaddr8[]", ["{08:00:2b:01:02:03:04:05}"]],
  ["int4range", ["[1,10)", "empty", "(,5]", "[3,)", "(,)", "[-2147483648,2147483647)", null]],
  ["int8range", ["[1,10]", "empty", "(-9223372036854775808,9223372036854775806]", "(,)"]],
  ["numrange", ["(1.5,2.50]", "[,)", "empty", "[NaN,NaN]", "(-Infinity,Infinity)", "[0.000,1e20]"]],
  ["daterange", ["[2000-01-01,infinity)", "[-infinity,2000-01-01]", "empty", "[0044-03-15 BC,0001-01-01)", "(,)"]],
  ["tsrange", ['["2000-01-01 00:00:00.123456","2001-01-01")', "[-infinity,infinity]", "empty", "(,2000-01-01)"]],
  ["tstzrange", ['["2000-01-01 00:00:00+05","2001-01-01 00:00:00.5-08")', "(,)", "empty"]],
];

let con: Connection;
beforeAll(async () => {
  con = await connect(trustOptions());
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

/** Queries whose rows, fetched in binary, must equal the same rows fetched in text. */
const QUERIES: [name: string, sql: string][] = [
  [
    "numerics of the largest weight and scale",
    "SELECT v FROM (VALUES ('1e131071'::numeric), ('-1e131071'), ('1e-16383'), (10::numeric ^ 131071 - 1), ('-0.5e-16382')) t(v)",
  ],
  ["many rows of growing int4 arrays", "SELECT ARRAY(SELECT generate_series(1, i)), i FROM generate_series(0, 2000) i"],
  [
    "many rows of numeric arrays",
    "SELECT ARRAY(SELECT (g * 1.01)::numeric(20, 4) FROM generate_series(1, i % 300) g) FROM generate_series(1, 1500) i",
  ],
  [
    "a 2-D numeric array bigger than the arena",
    "SELECT ARRAY(SELECT ARRAY[g::numeric * 10 ^ 100, -g / 7.0] FROM generate_series(1, 20000) g)",
  ],
  [
    "wide rows of every kind",
    `SELECT i, i::numeric / 3, make_interval(days => i), ARRAY[i, NULL], int4range(i, i + 10),
    numrange(i / 7.0, NULL), point(i, -i), ('12:00:00+' || (i % 15) || ':30')::timetz, daterange('2000-01-01'::date + i, NULL, '[]'),
    tsrange('2000-01-01'::timestamp + i * interval '1 ms', NULL), ARRAY[[i::float8, i / 3.0], [NULL, -i]]
    FROM generate_series(1, 3000) i`,
  ],
];

function sqlLiteral(s: string | null): string {
  return s === null ? "NULL" : `'${s.replace(/'/g, "''")}'`;
}

describe("binary results equal text results", () => {
  test.each(VALUES)("%s", async (type, literals) => {
    const binary = await con.run(`SELECT v::${type} FROM unnest($1::text[]) WITH ORDINALITY AS t(v, i) ORDER BY i`, [
      literals,
    ]);
    const columns = con.columns!;
    expect(binaryKind(columns[0]!.type_oid, new TypeRegistry())).not.toBe(ColumnKind.Text);
    const values = literals.map((l, i) => `(${sqlLiteral(l)}, ${i})`).join(", ");
    const text = await con.run(`SELECT v::${type} FROM (VALUES ${values}) AS t(v, i) ORDER BY i`);
    expect(binary).toStrictEqual(text);
    expect(binary!.length).toBe(literals.length);
  });
});

describe("binary results equal text results for larger results", () => {
  test.each(QUERIES)("%s", async (_name, sql) => {
    const binary = await con.run(`${sql} LIMIT $1`, [1_000_000]);
    const text = await con.run(sql);
    expect(binary!.length).toBe(text!.length);
    expect(binary).toStrictEqual(text);
  });
});

describe("which result types are requested in binary", () => {
  test("built-in scalars, arrays and ranges the codec decodes; text for the rest", () => {
    const registry = new TypeRegistry();
    const kind = (oid: number) => binaryKind(oid, registry);
    expect(kind(oids.NUMERIC)).toBe(ColumnKind.Numeric);
    expect(kind(oids.INTERVAL)).toBe(ColumnKind.Interval);
    expect(kind(oids.TIMETZ)).toBe(ColumnKind.Timetz);
    expect(kind(oids.POINT)).toBe(ColumnKind.Point);
    expect(kind(oids.MACADDR)).toBe(ColumnKind.Macaddr);
    expect(kind(oids.MACADDR8)).toBe(ColumnKind.Macaddr8);
    expect(kind(oids.INTEGER_ARRAY)).toBe(arrayKind(ColumnKind.Int4));
    expect(kind(oids.XID_ARRAY)).toBe(arrayKind(ColumnKind.Oid));
    expect(kind(oids.TIMESTAMPTZ_ARRAY)).toBe(arrayKind(ColumnKind.Timestamp));
    expect(kind(oids.NUMERIC_ARRAY)).toBe(arrayKind(ColumnKind.Numeric));
    expect(kind(oids.NUMRANGE)).toBe(rangeKind(ColumnKind.Numeric));
    expect(kind(oids.TSTZRANGE)).toBe(rangeKind(ColumnKind.Timestamp));
    for (const text of [
      oids.MONEY,
      oids.MONEY_ARRAY,
      oids.INT2VECTOR,
      oids.OIDVECTOR,
      oids.INT2VECTOR_ARRAY,
      oids.TEXT_ARRAY,
      oids.INT4MULTIRANGE,
      oids.NUMMULTIRANGE,
      oids.INT4RANGE_ARRAY,
      oids.BOX_ARRAY,
      oids.INET,
      oids.JSONB_ARRAY,
      99999,
    ]) {
      expect(kind(text), `oid ${text}`).toBe(ColumnKind.Text);
    }
  });

  test("an in adapter on the type, an array's element or a range's subtype keeps it text", () => {
    const registry = new TypeRegistry();
    registry.registerInAdapter(oids.INTEGER, (s) => s);
    registry.registerInAdapter(oids.NUMRANGE, (s) => s);
    registry.registerInAdapter(oids.TIMESTAMP, (s) => s);
    expect(binaryKind(oids.INTEGER, registry)).toBe(ColumnKind.Text);
    expect(binaryKind(oids.INTEGER_ARRAY, registry)).toBe(ColumnKind.Text);
    expect(binaryKind(oids.INT4RANGE, registry)).toBe(ColumnKind.Text);
    expect(binaryKind(oids.NUMRANGE, registry)).toBe(ColumnKind.Text);
    expect(binaryKind(oids.TSRANGE, registry)).toBe(ColumnKind.Text);
    expect(binaryKind(oids.TIMESTAMP_ARRAY, registry)).toBe(ColumnKind.Text);
    expect(binaryKind(oids.NUMERIC_ARRAY, registry)).toBe(arrayKind(ColumnKind.Numeric));
    expect(binaryKind(oids.TIMESTAMPTZ_ARRAY, registry)).toBe(arrayKind(ColumnKind.Timestamp));
  });

  test("through the driver: an adapter on int4 applies inside int4[] and int4range results", async () => {
    const own = await connect(trustOptions());
    try {
      const sql = "SELECT $1::int4[], int4range($2, $3), $4::int8[]";
      const params = [[1, null, 3], 1, 5, [7]];
      expect(await own.run(sql, params)).toEqual([[[1, null, 3], new Range(1, 5, "[)"), [7n]]]);
      own.register_in_adapter(oids.INTEGER, (s) => `int ${s}`);
      expect(await own.run(sql, params)).toEqual([[["int 1", null, "int 3"], new Range("int 1", "int 5", "[)"), [7n]]]);
    } finally {
      await own.close();
    }
  });

  test("run_columnar: the new kinds come as plain arrays of the row values", async () => {
    const result = await con.run_columnar(
      "SELECT g::numeric / 4 AS n, make_interval(days => g) AS i, ARRAY[g, NULL] AS a, int4range(g, NULL) AS r, point(g, 0) AS p FROM generate_series(1, $1) g",
      [2],
    );
    const text = await con.run(
      "SELECT g::numeric / 4 AS n, make_interval(days => g) AS i, ARRAY[g, NULL] AS a, int4range(g, NULL) AS r, point(g, 0) AS p FROM generate_series(1, 2) g",
    );
    expect(result.columns.map((c) => c.values)).toStrictEqual([0, 1, 2, 3, 4].map((c) => text!.map((row) => row[c])));
  });
});
