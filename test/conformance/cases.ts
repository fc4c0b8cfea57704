// The conformance cases, as data: for every type of ../shared/design/TYPES.md, SQL expressions
// for edge values, an SQL expression that generates random values server-side (`k` is the row
// number, random() is seeded by setseed), and how a round trip is compared. Arrays of every
// scalar type are derived from its edge values (see arrayCases), so they get the same values
// with NULLs, quoting and two dimensions.
//
// Counting: every expression is one case, every random row is one case. The runner (oracle.ts)
// prints the total per backend.

export interface ValueCase {
  sql: string;
  /** The JS value this must decode to, written by hand. */
  js?: unknown;
  /** Why this value cannot come back unchanged (a documented loss); decoding is still checked. */
  noRoundTrip?: string;
}

export interface ErrorCase {
  sql: string;
  /** Decoding must fail the same way on both paths (e.g. beyond what a JS Date holds). */
  error: RegExp;
}

export interface TypeSpec {
  /** Label in test names. */
  name: string;
  /** SQL type for the table column and the casts. */
  sql: string;
  values: (string | ValueCase)[];
  /** SQL for one random value; `k` is the row number (use it to vary lengths). */
  random?: string;
  randomCount?: number;
  /** Has an `=` operator (IS NOT DISTINCT FROM works). Otherwise only the text forms are compared. */
  eq?: boolean;
  /**
   * Compare through this type instead (`v::text::X` on both sides): json → jsonb, because
   * JSON.parse cannot keep the original text's spacing and key order.
   */
  compareAs?: string;
  /** Compare at the precision TYPES.md documents: "ms" = JS Date keeps milliseconds. */
  precision?: "ms";
  /**
   * What the application has to do to send the decoded value back, for types whose JS form
   * has no parameter rule of its own in TYPES.md (documented in README-types.md).
   */
  toParam?: (value: unknown, serverText: string) => unknown;
  /** Why this type has no round trip (decoding is still compared on both paths). */
  noRoundTrip?: string;
  /** Derive T[] cases (default true). */
  arrays?: boolean;
  errors?: ErrorCase[];
  /** Needs this server_version_num or later. */
  minVersion?: number;
  /** No table column can have this type (record): each value is selected on its own. */
  inline?: boolean;
  /** An array type: compared as its 1-based slice `v[:]`, since JS arrays keep no lower bounds. */
  isArray?: boolean;
  /** Backends on which this type is left out, each with the reason. */
  exclude?: Partial<Record<Backend, string>>;
}

export type Backend = "cluster" | "pglite";

/** Random text with ASCII, 2- and 3-byte and 4-byte characters (no NUL, no surrogates). */
const randomText = (len: string) => `(SELECT string_agg(chr(CASE
    WHEN r < 0.4 THEN 32 + floor(random() * 95)::int
    WHEN r < 0.6 THEN 160 + floor(random() * 1800)::int
    WHEN r < 0.8 THEN 19968 + floor(random() * 20000)::int
    ELSE 65536 + floor(random() * 200000)::int END), '')
  FROM (SELECT random() AS r FROM generate_series(1, ${len})) chars)`;

const md5 = "md5(random()::text)";

const JSON_NULL = "JSON null and SQL NULL both decode to null (TYPES.md), and null is sent as SQL NULL";

/** Random timestamps between about 2000 BC and 6000 AD, with microseconds. */
const randomTimestamp = (type: string) =>
  `'2000-01-01 00:00:00+00'::${type} + (random() - 0.5) * 8000 * 365.25 * 86400 * interval '1 second'`;

export const TYPES: TypeSpec[] = [
  {
    name: "bool",
    sql: "bool",
    values: [
      { sql: "true", js: true },
      { sql: "false", js: false },
    ],
    random: "random() < 0.5",
    randomCount: 4,
  },
  {
    name: "int2",
    sql: "int2",
    values: [{ sql: "-32768", js: -32768 }, { sql: "32767", js: 32767 }, { sql: "0", js: 0 }, "-1"],
    random: "floor(random() * 65536 - 32768)::int2",
  },
  {
    name: "int4",
    sql: "int4",
    values: [{ sql: "-2147483648", js: -2147483648 }, { sql: "2147483647", js: 2147483647 }, "0", "-1", "1"],
    random: "floor(random() * 4294967296 - 2147483648)::int4",
  },
  {
    name: "int8",
    sql: "int8",
    values: [
      { sql: "-9223372036854775808", js: -9223372036854775808n },
      { sql: "9223372036854775807", js: 9223372036854775807n },
      { sql: "9007199254740993", js: 9007199254740993n }, // 2^53 + 1: a double would round it
      "0",
      "-1",
    ],
    random: "floor(random() * 4294967296 - 2147483648)::int8 * 4294967296 + floor(random() * 4294967296)::int8",
  },
  {
    name: "oid",
    sql: "oid",
    values: [{ sql: "0", js: 0 }, { sql: "4294967295", js: 4294967295 }, "2147483648"],
    random: "floor(random() * 4294967296)::int8::oid",
  },
  {
    name: "xid",
    sql: "xid",
    values: [
      { sql: "'0'", js: 0 },
      { sql: "'4294967295'", js: 4294967295 },
    ],
    random: "floor(random() * 4294967296)::int8::text::xid",
    randomCount: 4,
    arrays: false, // xid[] has no = operator; xid itself is enough
  },
  {
    name: "cid",
    sql: "cid",
    values: [
      { sql: "'0'", js: 0 },
      { sql: "'4294967295'", js: 4294967295 },
    ],
    random: "floor(random() * 4294967296)::int8::text::cid",
    randomCount: 4,
    arrays: false,
  },
  {
    name: "xid8",
    sql: "xid8",
    values: [
      { sql: "'0'", js: "0" },
      { sql: "'18446744073709551615'", js: "18446744073709551615" },
    ],
    random: "floor(random() * 1e15)::int8::text::xid8",
    randomCount: 4,
  },
  {
    name: "float4",
    sql: "float4",
    values: [
      { sql: "'NaN'", js: NaN },
      { sql: "'Infinity'", js: Infinity },
      { sql: "'-Infinity'", js: -Infinity },
      { sql: "'-0'", js: -0 },
      { sql: "1.1", js: Math.fround(1.1) },
      "'3.4028235e38'",
      "'-3.4028235e38'",
      "'1.4e-45'", // smallest subnormal
      "'1.17549435e-38'",
      "0.1",
    ],
    random: "((random() - 0.5) * 10 ^ floor(random() * 70 - 35))::float4",
  },
  {
    name: "float8",
    sql: "float8",
    values: [
      { sql: "'NaN'", js: NaN },
      { sql: "'Infinity'", js: Infinity },
      { sql: "'-Infinity'", js: -Infinity },
      { sql: "'-0'", js: -0 },
      { sql: "0.1", js: 0.1 },
      "'1.7976931348623157e308'",
      "'-1.7976931348623157e308'",
      "'5e-324'",
      "'2.2250738585072014e-308'",
      "9007199254740993", // rounds to 2^53 on the server already
      "'0.30000000000000004'",
    ],
    random: "(random() - 0.5) * 10 ^ floor(random() * 600 - 300)",
    randomCount: 16,
  },
  {
    name: "numeric",
    sql: "numeric",
    values: [
      { sql: "'NaN'", js: "NaN" },
      { sql: "'1.50'", js: "1.50" }, // the scale is kept
      { sql: "'0.000000000000000000000000000001'", js: "0.000000000000000000000000000001" },
      { sql: "'-123456789012345678901234567890.123456789'", js: "-123456789012345678901234567890.123456789" },
      "0",
      "'-0.0'",
      "('1' || repeat('0', 5000))::numeric", // a 5001-digit integer
      "repeat('9', 1000)::numeric",
    ],
    random: "round(((random() - 0.5) * 10 ^ floor(random() * 40 - 20))::numeric, floor(random() * 20)::int)",
    randomCount: 16,
  },
  {
    name: "numeric ±Infinity (PG ≥ 14)",
    sql: "numeric",
    values: [
      { sql: "'Infinity'", js: "Infinity" },
      { sql: "'-Infinity'", js: "-Infinity" },
    ],
    minVersion: 140000,
    arrays: false,
  },
  {
    name: "text",
    sql: "text",
    values: [
      { sql: "''", js: "" },
      { sql: "'NULL'", js: "NULL" }, // the word, not SQL NULL (arrays must quote it)
      { sql: "'😀 𝄞 𠜎'", js: "😀 𝄞 𠜎" }, // 4-byte UTF-8
      { sql: "'ünïcödé ß €'", js: "ünïcödé ß €" },
      {
        sql: `E'tab\\there\\nnew line\\r\\\\ back "quote" ''single'' {brace} ,comma'`,
        js: "tab\there\nnew line\r\\ back \"quote\" 'single' {brace} ,comma",
      },
      "' leading and trailing  '",
      "repeat('x', 100000)",
      "E'\\u0001\\u001f\\u007f'",
    ],
    random: randomText("1 + k % 40"),
    randomCount: 16,
  },
  {
    name: "varchar",
    sql: "varchar(20)",
    values: ["''", "'😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀'", "'a,b'"],
    random: randomText("1 + k % 20"),
    randomCount: 6,
  },
  {
    name: "bpchar",
    sql: "char(10)",
    values: [{ sql: "'ab'", js: "ab        " }, "''", "'😀'", "'exactly10!'"],
    random: "substr(md5(random()::text), 1, 1 + k % 10)",
    randomCount: 4,
  },
  {
    name: "name",
    sql: "name",
    values: ["''", "'pg_catalog'", "repeat('n', 63)", "'ünï 😀'"],
    random: md5,
    randomCount: 4,
  },
  {
    name: '"char"',
    sql: '"char"',
    values: [{ sql: "'a'", js: "a" }, "'\\'", "'\"'", "' '", "'{'"],
    random: 'chr(33 + floor(random() * 94)::int)::"char"',
    randomCount: 4,
  },
  {
    name: "citext",
    sql: "citext",
    values: [{ sql: "'MiXeD'", js: "MiXeD" }, "''", "'Ünï 😀'"],
    random: md5,
    randomCount: 4,
  },
  {
    name: "xml",
    sql: "xml",
    values: [{ sql: "'<a b=\"1\">x &amp; y</a>'", js: '<a b="1">x &amp; y</a>' }, "'<ü>😀</ü>'", "'text only'"],
    random: "xmlelement(name x, md5(random()::text))",
    randomCount: 4,
    eq: false,
  },
  {
    name: "enum",
    sql: "conf_mood",
    values: [{ sql: "'sad'", js: "sad" }, "'happy'", "'with space'", "'ü😀'"],
    random: "(enum_range(NULL::conf_mood))[1 + floor(random() * 4)::int]",
    randomCount: 4,
  },
  {
    name: "domain over int4",
    sql: "conf_posint",
    values: [{ sql: "1", js: 1 }, "2147483647"],
    random: "1 + floor(random() * 1000)::int",
    randomCount: 4,
  },
  {
    name: "bytea",
    sql: "bytea",
    values: [
      { sql: "''::bytea", js: new Uint8Array([]) },
      { sql: "'\\x00ff5c22'::bytea", js: new Uint8Array([0, 255, 92, 34]) },
      "convert_to('ünï 😀', 'UTF8')",
      "decode(repeat('00ff', 50000), 'hex')",
      "'\\\\'::bytea",
    ],
    random: "decode(repeat(md5(random()::text), 1 + k % 4), 'hex')",
  },
  {
    name: "json",
    sql: "json",
    values: [
      { sql: `'{"a": 1, "b": [true, null, "x"]}'`, js: { a: 1, b: [true, null, "x"] } },
      { sql: "'null'", js: null, noRoundTrip: JSON_NULL },
      { sql: `'"😀 \\u00fc"'`, js: "😀 ü" },
      "'[]'",
      "'1.5'",
      `'{"nested": {"deep": [[1, 2], {"k": "v"}]}}'`,
      `'{"quote": "a\\"b", "back": "c\\\\d"}'`,
    ],
    random: "json_build_object('n', random(), 's', md5(random()::text), 'a', json_build_array(k, k + 0.5, NULL))",
    randomCount: 6,
    eq: false,
    compareAs: "jsonb",
  },
  {
    name: "jsonb",
    sql: "jsonb",
    values: [
      { sql: `'{"b": 1, "a": [true, null]}'`, js: { a: [true, null], b: 1 } },
      { sql: "'null'", js: null, noRoundTrip: JSON_NULL },
      `'"ünï 😀"'`,
      "'{}'",
      "'-0.5e-3'",
    ],
    random: "jsonb_build_object('n', random(), 's', md5(random()::text), 'a', jsonb_build_array(k, NULL))",
    randomCount: 6,
  },
  {
    name: "uuid",
    sql: "uuid",
    values: [
      { sql: "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", js: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" },
      "'00000000-0000-0000-0000-000000000000'",
      "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
    ],
    random: "md5(random()::text)::uuid",
  },
  {
    name: "date",
    sql: "date",
    values: [
      { sql: "'2024-02-29'", js: "2024-02-29" },
      { sql: "'infinity'", js: "infinity" },
      { sql: "'-infinity'", js: "-infinity" },
      { sql: "'0044-03-15 BC'", js: "0044-03-15 BC" },
      { sql: "'4713-01-01 BC'", js: "4713-01-01 BC" }, // the minimum
      { sql: "'5874897-12-31'", js: "5874897-12-31" }, // the maximum
      "'0001-01-01'",
      "'0001-12-31 BC'",
      "'1970-01-01'",
      "'1999-12-31'",
    ],
    random: "'2000-01-01'::date + floor((random() - 0.5) * 3000000)::int",
    randomCount: 16,
  },
  {
    name: "time",
    sql: "time",
    values: [
      { sql: "'00:00'", js: "00:00:00" },
      { sql: "'24:00'", js: "24:00:00" },
      { sql: "'23:59:59.999999'", js: "23:59:59.999999" },
      { sql: "'12:00:00.5'", js: "12:00:00.5" },
      "'00:00:00.000001'",
    ],
    random: "'00:00'::time + random() * interval '24 hours'",
    randomCount: 12,
  },
  {
    name: "timetz",
    sql: "timetz",
    values: [
      { sql: "'12:34:56.789+05:30'", js: "12:34:56.789+05:30" },
      "'00:00:00+15:59'",
      "'24:00:00-15:59'",
      "'01:02:03-04:56:02'",
      "'23:59:59.999999+00'",
    ],
    random: `(('00:00'::time + random() * interval '24 hours')::text
      || (ARRAY['+', '-'])[1 + floor(random() * 2)::int]
      || lpad(floor(random() * 15)::text, 2, '0') || ':' || (ARRAY['00', '30', '45'])[1 + floor(random() * 3)::int])::timetz`,
    randomCount: 12,
  },
  {
    name: "timestamp",
    sql: "timestamp",
    values: [
      { sql: "'2024-01-02 03:04:05.678'", js: new Date("2024-01-02T03:04:05.678Z") },
      { sql: "'infinity'", js: Infinity },
      { sql: "'-infinity'", js: -Infinity },
      { sql: "'1970-01-01 00:00:00'", js: new Date(0) },
      "'0044-03-15 12:00:00 BC'",
      "'4713-01-01 00:00:00 BC'", // the minimum
      "'275760-09-13 00:00:00'", // the largest a JS Date holds
      "'1969-12-31 23:59:59.999999'", // before 1970 with µs: both paths floor to .999
      "'2000-01-01 00:00:00.000001'",
      "'1999-12-31 23:59:59.9995'",
      "'0001-01-01 00:00:00'",
    ],
    random: randomTimestamp("timestamp"),
    randomCount: 16,
    precision: "ms",
    errors: [{ sql: "'294276-12-31 23:59:59.999999'::timestamp", error: /outside the range of a JavaScript Date/ }],
  },
  {
    name: "timestamptz",
    sql: "timestamptz",
    values: [
      { sql: "'2024-01-02 03:04:05.678+05:30'", js: new Date("2024-01-01T21:34:05.678Z") },
      { sql: "'infinity'", js: Infinity },
      { sql: "'-infinity'", js: -Infinity },
      "'1850-01-01 00:00:00+00'",
      "'0044-03-15 12:00:00+00 BC'",
      "'4713-01-01 00:00:00+00 BC'",
      "'275760-09-13 00:00:00+00'",
      "'1969-12-31 23:59:59.999999+00'",
      "'2038-01-19 03:14:08+00'",
    ],
    random: randomTimestamp("timestamptz"),
    randomCount: 16,
    precision: "ms",
    errors: [
      { sql: "'294276-12-31 23:59:59.999999+00'::timestamptz", error: /outside the range of a JavaScript Date/ },
    ],
  },
  {
    name: "interval",
    sql: "interval",
    values: [
      { sql: "'1 year 2 mons 3 days 04:05:06.789'", js: { months: 14, days: 3, microseconds: 14706789000n } },
      { sql: "'-1 year +2 mons -3 days +04:05:06'", js: { months: -10, days: -3, microseconds: 14706000000n } },
      "'0'",
      "'178000000 years'",
      "'-178000000 years'",
      "'2147483647 days 2562047788:00:54.775807'",
      "'-2147483648 days -2562047788:00:54.775807'",
      "'1 mon -30 days'", // = '0' for SQL's =, kept apart here
      "'0.000001 seconds'",
      "'-0.5 seconds'",
    ],
    random: `make_interval(years => floor((random() - 0.5) * 200)::int, months => floor((random() - 0.5) * 30)::int,
      days => floor((random() - 0.5) * 1000)::int, secs => round(((random() - 0.5) * 1e8)::numeric, 6)::float8)`,
    randomCount: 16,
  },
  {
    name: "interval ±infinity (PG ≥ 17)",
    sql: "interval",
    values: [
      { sql: "'infinity'", js: { months: 2147483647, days: 2147483647, microseconds: 9223372036854775807n } },
      { sql: "'-infinity'", js: { months: -2147483648, days: -2147483648, microseconds: -9223372036854775808n } },
    ],
    minVersion: 170000,
  },
  {
    name: "inet",
    sql: "inet",
    values: [
      { sql: "'192.168.1.5/24'", js: "192.168.1.5/24" }, // host bits kept
      "'10.0.0.1'",
      "'::1'",
      "'2001:db8::ff00:42:8329/64'",
      "'::ffff:1.2.3.4'",
      "'0.0.0.0/0'",
    ],
    random: `CASE WHEN random() < 0.5
      THEN (floor(random() * 256) || '.' || floor(random() * 256) || '.' || floor(random() * 256) || '.' || floor(random() * 256) || '/' || floor(random() * 33))::inet
      ELSE (regexp_replace(md5(random()::text), '(.{4})(?!$)', '\\1:', 'g') || '/' || floor(random() * 129))::inet END`,
    randomCount: 12,
  },
  {
    name: "cidr",
    sql: "cidr",
    values: [{ sql: "'192.168.1.0/24'", js: "192.168.1.0/24" }, "'10/8'", "'2001:db8::/32'", "'::/0'"],
    random: "network((floor(random() * 256) || '.' || floor(random() * 256) || '.0.0/' || floor(random() * 17))::inet)",
    randomCount: 6,
  },
  {
    name: "macaddr",
    sql: "macaddr",
    values: [{ sql: "'08:00:2B:01:02:03'", js: "08:00:2b:01:02:03" }, "'ffffffffffff'"],
    random: "substr(md5(random()::text), 1, 12)::macaddr",
    randomCount: 6,
  },
  {
    name: "macaddr8",
    sql: "macaddr8",
    values: [{ sql: "'08:00:2b:01:02:03:04:05'", js: "08:00:2b:01:02:03:04:05" }, "'08:00:2b:01:02:03'"],
    random: "substr(md5(random()::text), 1, 16)::macaddr8",
    randomCount: 6,
  },
  {
    name: "money",
    sql: "money",
    values: ["'-92233720368547758.08'", "'92233720368547758.07'", "0", "'1.5'"],
    random: "(floor((random() - 0.5) * 2e12) / 100)::numeric::money",
    randomCount: 6,
  },
  {
    name: "bit",
    sql: "bit(12)",
    values: [{ sql: "B'101010101010'", js: "101010101010" }, "B'000000000000'"],
    random: "floor(random() * 4096)::int::bit(12)",
    randomCount: 4,
  },
  {
    name: "varbit",
    sql: "varbit",
    values: ["B''", "B'1'", "repeat('10', 500)::varbit"],
    random: "substr(floor(random() * 2147483647)::int::bit(32)::text, 1, 1 + k % 32)::varbit",
    randomCount: 4,
  },
  {
    name: "tsvector",
    sql: "tsvector",
    values: ["'a fat cat:1,3A sat'", "''", `'"with space" ünï 😀'`],
    random: "(md5(random()::text) || ' ' || md5(random()::text))::tsvector",
    randomCount: 4,
  },
  {
    name: "tsquery",
    sql: "tsquery",
    values: ["'fat & (rat | cat) & !dog'", "'super:*'", "'a <-> b'"],
    random: "(substr(md5(random()::text), 1, 6) || ' & ' || substr(md5(random()::text), 1, 6))::tsquery",
    randomCount: 4,
  },
  {
    name: "pg_lsn",
    sql: "pg_lsn",
    values: [{ sql: "'16/B374D848'", js: "16/B374D848" }, "'0/0'", "'FFFFFFFF/FFFFFFFF'"],
    random: "(to_hex(floor(random() * 4294967296)::int8) || '/' || to_hex(floor(random() * 4294967296)::int8))::pg_lsn",
    randomCount: 4,
  },
  {
    name: "regproc",
    sql: "regproc",
    values: [{ sql: "'now'", js: "now" }, "'-'", "'int4in'"],
    arrays: false,
  },
  {
    name: "regclass",
    sql: "regclass",
    values: [{ sql: "'pg_class'", js: "pg_class" }, "'pg_catalog.pg_type'", "0"],
    random:
      "(SELECT array_agg(oid::regclass) FROM pg_catalog.pg_class WHERE relnamespace = 'pg_catalog'::regnamespace)[1 + floor(random() * 20)::int]",
    randomCount: 4,
  },
  {
    name: "regtype",
    sql: "regtype",
    values: [{ sql: "'int4'", js: "integer" }, "'timestamp with time zone'", "'int4[]'"],
    random: "(SELECT array_agg(oid::regtype) FROM pg_catalog.pg_type WHERE oid < 1000)[1 + floor(random() * 40)::int]",
    randomCount: 4,
  },
  {
    name: "point",
    sql: "point",
    values: [{ sql: "'(1.5,-2)'", js: { x: 1.5, y: -2 } }, "'(NaN,Infinity)'", "'(-0,1e-300)'", "point(0.1, 1e300)"],
    random: "point((random() - 0.5) * 1e6, (random() - 0.5) * 1e-6)",
    randomCount: 6,
    eq: false,
  },
  {
    name: "line",
    sql: "line",
    values: ["'{1,-1,0.5}'", "'[(0,0),(1,2)]'"],
    random: "line(point(random(), random()), point(random() + 1, random()))",
    randomCount: 3,
    eq: false,
  },
  {
    name: "lseg",
    sql: "lseg",
    values: ["'[(0,0),(1,2.5)]'"],
    random: "lseg(point(random(), random()), point(random(), random()))",
    randomCount: 3,
    eq: false,
  },
  {
    name: "box",
    sql: "box",
    values: ["'(1,1),(0,0)'", "'(-1e300,2),(3,-4)'"],
    random: "box(point(random(), random()), point(random(), random()))",
    randomCount: 3,
    eq: false,
  },
  {
    name: "path",
    sql: "path",
    values: ["'[(0,0),(1,1),(2,0)]'", "'((0,0),(1,1))'"],
    random: "path(polygon(box(point(random(), random()), point(random(), random()))))",
    randomCount: 3,
    eq: false,
  },
  {
    name: "polygon",
    sql: "polygon",
    values: ["'((0,0),(1,1),(1,0))'"],
    random: "polygon(box(point(random(), random()), point(random(), random())))",
    randomCount: 3,
    eq: false,
  },
  {
    name: "circle",
    sql: "circle",
    values: ["'<(1,2),3.5>'", "'<(0,0),0>'"],
    random: "circle(point(random(), random()), random())",
    randomCount: 3,
    eq: false,
  },
  {
    name: "int2vector",
    sql: "int2vector",
    values: [{ sql: "'1 2 -3'", js: [1, 2, -3] }, { sql: "''", js: [] }, "'32767 -32768'"],
    random: "array_to_string(ARRAY[floor(random() * 1000)::int, floor(random() * 1000)::int], ' ')::int2vector",
    randomCount: 4,
    toParam: (v) => (v as number[]).join(" "),
    arrays: false,
  },
  {
    name: "oidvector",
    sql: "oidvector",
    values: [
      { sql: "'23 25 4294967295'", js: [23, 25, 4294967295] },
      { sql: "''", js: [] },
    ],
    random: "array_to_string(ARRAY[floor(random() * 4294967296)::int8], ' ')::oidvector",
    randomCount: 4,
    toParam: (v) => (v as number[]).join(" "),
    arrays: false,
  },
  {
    name: "hstore",
    sql: "hstore",
    values: [
      { sql: `'a=>1, b=>NULL, "c d"=>"e\\"f"'`, js: { a: "1", b: null, "c d": 'e"f' } },
      { sql: "''", js: {} },
      `'"ünï 😀"=>"NULL", "\\\\"=>""'`,
      `'__proto__=>x, toString=>y'`,
    ],
    random: "hstore(md5(random()::text), md5(random()::text)) || hstore('k' || k, NULL)",
    randomCount: 4,
  },
  {
    name: "composite",
    sql: "conf_pair",
    values: [{ sql: "ROW(1, 'x y')", js: '(1,"x y")' }, "ROW(NULL, NULL)", `ROW(-5, 'a,b"c\\d😀')`, "ROW(0, '')"],
    random: "ROW(floor(random() * 1000)::int, md5(random()::text))::conf_pair",
    randomCount: 4,
  },
  {
    name: "record",
    sql: "record",
    values: [{ sql: "ROW(1, 'x', NULL)", js: "(1,x,)" }, "ROW('2024-01-01'::date, 1.5::numeric)"],
    inline: true,
    noRoundTrip:
      "an anonymous record cannot be a parameter type (PostgreSQL: input of anonymous composite types is not implemented)",
    arrays: false,
  },
  {
    name: "unknown",
    sql: "unknown",
    values: [
      { sql: "'abc'", js: "abc" },
      { sql: "'ünï 😀'", js: "ünï 😀" },
      { sql: "''", js: "" },
    ],
    inline: true,
    noRoundTrip: "unknown is the type of an untyped literal; a parameter of it is just text",
    arrays: false,
  },
  {
    name: "pg_snapshot (a type without a JS mapping: text)",
    sql: "pg_snapshot",
    values: [{ sql: "'10:20:10,14,15'", js: "10:20:10,14,15" }],
    eq: false,
    arrays: false,
  },
  {
    name: "aclitem (text)",
    sql: "aclitem",
    values: ["'postgres=arwdDxt/postgres'"],
    arrays: false,
  },
  {
    name: "regconfig (text)",
    sql: "regconfig",
    values: [{ sql: "'english'", js: "english" }],
    arrays: false,
  },
  // Ranges: empty, unbounded, inclusive/exclusive, canonicalisation by the server, quoting.
  {
    name: "int4range",
    sql: "int4range",
    values: [
      { sql: "'empty'", js: { lower: null, upper: null, bounds: "[)", is_empty: true } },
      { sql: "'(,5]'", js: { lower: null, upper: 6, bounds: "()", is_empty: false } },
      { sql: "'[1,10)'", js: { lower: 1, upper: 10, bounds: "[)", is_empty: false } },
      "'(,)'",
      "'[-2147483648,2147483647)'",
    ],
    random: "int4range(floor(random() * 100)::int, 100 + floor(random() * 100)::int)",
    randomCount: 4,
  },
  {
    name: "int8range",
    sql: "int8range",
    values: ["'empty'", "'[-9223372036854775808,9223372036854775807)'", "'[9007199254740993,)'"],
    random: "int8range(floor(random() * 1e15)::int8, 1000000000000000 + floor(random() * 1e15)::int8)",
    randomCount: 4,
  },
  {
    name: "numrange",
    sql: "numrange",
    values: ["'empty'", "'[1.50,2.500]'", "'(,0.000000000000000000001)'", "'[-1e30,1e30)'"],
    random: "numrange(round(random()::numeric, 5), round(1 + random()::numeric, 8), '(]')",
    randomCount: 4,
  },
  {
    name: "daterange",
    sql: "daterange",
    values: ["'empty'", "'[2024-01-01,2024-12-31]'", "'[0044-03-15 BC,infinity)'", "'(-infinity,)'"],
    random:
      "daterange('2000-01-01'::date + floor(random() * 1000)::int, '2003-01-01'::date + floor(random() * 1000)::int)",
    randomCount: 4,
  },
  {
    name: "tsrange",
    sql: "tsrange",
    values: [
      "'empty'",
      `'["2024-01-01 00:00:00.123","2024-12-31 23:59:59.999")'`,
      "'(,infinity]'",
      `'["0044-03-15 12:00:00 BC",)'`,
    ],
    random: `tsrange(date_trunc('milliseconds', ${randomTimestamp("timestamp")}), '6001-01-01')`,
    randomCount: 4,
    precision: "ms",
  },
  {
    name: "tstzrange",
    sql: "tstzrange",
    values: ["'empty'", `'["2024-01-01 00:00:00.123+02","2024-12-31 23:59:59.999+00")'`, "'(-infinity,infinity)'"],
    random: `tstzrange(date_trunc('milliseconds', ${randomTimestamp("timestamptz")}), '6001-01-01+00')`,
    randomCount: 4,
    precision: "ms",
  },
  // Multiranges (PG ≥ 14): Range[].
  ...(
    [
      [
        "int4multirange",
        ["'{}'", "'{[1,3),[5,7)}'", "'{(,0],[10,)}'"],
        "int4multirange(int4range(k, k + 2), int4range(k + 5, k + 9))",
      ],
      ["int8multirange", ["'{}'", "'{[-9223372036854775808,0)}'"], "int8multirange(int8range(k, k + 2))"],
      ["nummultirange", ["'{}'", "'{[1.5,2.50],(3,)}'"], "nummultirange(numrange(round(random()::numeric, 3), 2))"],
      [
        "datemultirange",
        ["'{}'", "'{[2024-01-01,2024-02-01),[0044-03-15 BC,0043-01-01 BC)}'"],
        "datemultirange(daterange('2000-01-01'::date + k, '2001-01-01'))",
      ],
      [
        "tsmultirange",
        ["'{}'", `'{["2024-01-01 00:00:00.5","2024-01-02"),[infinity,infinity]}'`],
        "tsmultirange(tsrange('2000-01-01'::timestamp + k * interval '1 day', '2001-01-01'))",
      ],
      [
        "tstzmultirange",
        ["'{}'", `'{["2024-01-01 00:00:00.5+00","2024-01-02+00")}'`],
        "tstzmultirange(tstzrange('2000-01-01+00'::timestamptz + k * interval '1 day', '2001-01-01+00'))",
      ],
    ] as const
  ).map(
    ([sql, values, random]): TypeSpec => ({
      name: sql,
      sql,
      values: [...values],
      random,
      randomCount: 3,
      minVersion: 140000,
      precision: sql.startsWith("ts") ? "ms" : undefined,
      arrays: false,
    }),
  ),
];

// JSON values go back through JSON.stringify: TYPES.md sends a JS string as it is and a JS array
// as a PostgreSQL array, so only plain objects would otherwise arrive as JSON.
for (const spec of TYPES) {
  if (spec.sql === "json" || spec.sql === "jsonb") spec.toParam = (v) => JSON.stringify(v);
}

/**
 * T[] cases derived from a scalar spec: every edge value alone, all of them with a NULL in
 * one array, a two-dimensional array, the empty array, an explicit lower bound, a large array
 * and random arrays.
 */
export function arrayCases(spec: TypeSpec): TypeSpec | undefined {
  if (spec.arrays === false || spec.values.length === 0) return undefined;
  const exprs = spec.values.map((v) => (typeof v === "string" ? v : v.sql));
  const element = (e: string) => `(${e})::${spec.sql}`;
  // A value that cannot come back unchanged cannot inside an array either.
  const lossy = spec.values.map((v) => (typeof v === "string" ? undefined : v.noRoundTrip));
  const anyLossy = lossy.find((r) => r !== undefined);
  const values: (string | ValueCase)[] = [
    { sql: `'{}'::${spec.sql}[]`, js: [] },
    `ARRAY[NULL]::${spec.sql}[]`,
    ...exprs.map((e, i) => ({ sql: `ARRAY[${element(e)}]`, noRoundTrip: lossy[i] })),
    { sql: `ARRAY[${exprs.map(element).join(", ")}, NULL]`, noRoundTrip: anyLossy },
    `ARRAY[[${element(exprs[0]!)}, NULL], [NULL, ${element(exprs[exprs.length - 1]!)}]]`,
    // Explicit lower bounds: JS arrays start at 0, so the bounds are not kept (README-types.md).
    `('[0:1]=' || ARRAY[${element(exprs[0]!)}, NULL]::text)::${spec.sql}[]`,
    `ARRAY(SELECT ${element(exprs[0]!)} FROM generate_series(1, 1000))`,
  ];
  return {
    ...spec,
    name: `${spec.name}[]`,
    sql: `${spec.sql}[]`,
    values,
    random:
      spec.random === undefined
        ? undefined
        : `ARRAY(SELECT ${spec.random.replace(/\bk\b/g, "(k + j)")} FROM generate_series(1, 1 + k % 5) j)`,
    randomCount: 3,
    errors: undefined,
    compareAs: spec.compareAs === undefined ? undefined : `${spec.compareAs}[]`,
    // Element by element, down to the array's own dimensions (a JSON array element is not one).
    toParam:
      spec.toParam === undefined
        ? undefined
        : (v: unknown, serverText: string) => mapElements(v, dimensions(serverText), (e) => spec.toParam!(e, "")),
    // range[] parameters: a JS list of Ranges is sent as a multirange literal (encode.ts).
    noRoundTrip: /range$/.test(spec.sql)
      ? "a JS array of Range is sent as a multirange literal (TYPES.md: their multiranges are Range[]), which a range[] parameter rejects"
      : spec.sql === "box"
        ? "box[] separates elements with ';' (typdelim), and an array parameter's type is not known when its literal is built"
        : undefined,
    isArray: true,
  };
}

/** Dimensions of an array from its text form: "{{…" is two, "[0:1]={…" one. */
function dimensions(serverText: string): number {
  const body = serverText.slice(serverText.indexOf("{"));
  return /^\{*/.exec(body)![0].length;
}

function mapElements(value: unknown, depth: number, fn: (v: unknown) => unknown): unknown {
  if (value === null) return null;
  if (depth > 0 && Array.isArray(value)) return value.map((v) => mapElements(v, depth - 1, fn));
  return fn(value);
}
