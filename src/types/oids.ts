// Type OIDs of PostgreSQL's built-in types. The names pg8000 exports keep pg8000's spelling
// (BYTES for bytea, CHAR for bpchar, FLOAT for float8, STRING/VARCHAR for varchar …) so code
// ported from Python reads the same; the extra names follow the catalog's type names.
// OIDs of built-in types are fixed by PostgreSQL (pg_type.dat), so these never change.
//
// DB-API type objects (STRING as a comparator, NUMBER, DATETIME, ROWID, BINARY) are not here:
// they are objects, not plain OIDs, and belong to the DB-API module.

export const NULLTYPE = -1;

// --- pg8000's names -----------------------------------------------------------------------
export const ANY_ARRAY = 2277;
export const BIGINT = 20;
export const BIGINT_ARRAY = 1016;
export const BOOLEAN = 16;
export const BOOLEAN_ARRAY = 1000;
export const BYTES = 17;
export const BYTES_ARRAY = 1001;
export const CHAR = 1042; // bpchar, blank-padded character(n)
export const CHAR_ARRAY = 1014;
export const CIDR = 650;
export const CIDR_ARRAY = 651;
export const CSTRING = 2275;
export const CSTRING_ARRAY = 1263;
export const DATE = 1082;
export const DATE_ARRAY = 1182;
export const DATEMULTIRANGE = 4535;
export const DATEMULTIRANGE_ARRAY = 6155;
export const DATERANGE = 3912;
export const DATERANGE_ARRAY = 3913;
export const FLOAT = 701;
export const FLOAT_ARRAY = 1022;
export const INET = 869;
export const INET_ARRAY = 1041;
export const INT2VECTOR = 22;
export const INT4MULTIRANGE = 4451;
export const INT4MULTIRANGE_ARRAY = 6150;
export const INT4RANGE = 3904;
export const INT4RANGE_ARRAY = 3905;
export const INT8MULTIRANGE = 4536;
export const INT8MULTIRANGE_ARRAY = 6157;
export const INT8RANGE = 3926;
export const INT8RANGE_ARRAY = 3927;
export const INTEGER = 23;
export const INTEGER_ARRAY = 1007;
export const INTERVAL = 1186;
export const INTERVAL_ARRAY = 1187;
export const JSON = 114;
export const JSON_ARRAY = 199;
export const JSONB = 3802;
export const JSONB_ARRAY = 3807;
export const MACADDR = 829;
export const MONEY = 790;
export const MONEY_ARRAY = 791;
export const NAME = 19;
export const NAME_ARRAY = 1003;
export const NUMERIC = 1700;
export const NUMERIC_ARRAY = 1231;
export const NUMMULTIRANGE = 4532;
export const NUMMULTIRANGE_ARRAY = 6151;
export const NUMRANGE = 3906;
export const NUMRANGE_ARRAY = 3907;
export const OID = 26;
export const POINT = 600;
export const REAL = 700;
export const REAL_ARRAY = 1021;
export const RECORD = 2249;
export const SMALLINT = 21;
export const SMALLINT_ARRAY = 1005;
export const SMALLINT_VECTOR = 22;
export const STRING = 1043;
export const TEXT = 25;
export const TEXT_ARRAY = 1009;
export const TIME = 1083;
export const TIME_ARRAY = 1183;
export const TIMESTAMP = 1114;
export const TIMESTAMP_ARRAY = 1115;
export const TIMESTAMPTZ = 1184;
export const TIMESTAMPTZ_ARRAY = 1185;
export const TSMULTIRANGE = 4533;
export const TSMULTIRANGE_ARRAY = 6152;
export const TSRANGE = 3908;
export const TSRANGE_ARRAY = 3909;
export const TSTZMULTIRANGE = 4534;
export const TSTZMULTIRANGE_ARRAY = 6153;
export const TSTZRANGE = 3910;
export const TSTZRANGE_ARRAY = 3911;
export const UNKNOWN = 705;
export const UUID_TYPE = 2950;
export const UUID_ARRAY = 2951;
export const VARCHAR = 1043;
export const VARCHAR_ARRAY = 1015;
export const XID = 28;

// pg8000's legacy (top-level module) aliases that are plain OIDs.
export const BIGINTEGER = 20;
export const DECIMAL = 1700;
export const DECIMAL_ARRAY = 1231;
export const TIMEDELTA = 1186;

// --- further built-in types (catalog names) -------------------------------------------------
export const INTERNAL_CHAR = 18; // the one-byte "char" type
export const INTERNAL_CHAR_ARRAY = 1002;
export const INT2VECTOR_ARRAY = 1006;
export const REGPROC = 24;
export const REGPROC_ARRAY = 1008;
export const TID = 27;
export const TID_ARRAY = 1010;
export const XID_ARRAY = 1011;
export const CID = 29;
export const CID_ARRAY = 1012;
export const OIDVECTOR = 30;
export const OIDVECTOR_ARRAY = 1013;
export const OID_ARRAY = 1028;
export const XML = 142;
export const XML_ARRAY = 143;
export const XID8 = 5069;
export const XID8_ARRAY = 271;
export const RECORD_ARRAY = 2287;
export const UUID = 2950;
export const TIMETZ = 1266;
export const TIMETZ_ARRAY = 1270;
export const MACADDR_ARRAY = 1040;
export const MACADDR8 = 774;
export const MACADDR8_ARRAY = 775;
export const BIT = 1560;
export const BIT_ARRAY = 1561;
export const VARBIT = 1562;
export const VARBIT_ARRAY = 1563;
export const POINT_ARRAY = 1017;
export const LSEG = 601;
export const LSEG_ARRAY = 1018;
export const PATH = 602;
export const PATH_ARRAY = 1019;
export const BOX = 603;
export const BOX_ARRAY = 1020;
export const POLYGON = 604;
export const POLYGON_ARRAY = 1027;
export const LINE = 628;
export const LINE_ARRAY = 629;
export const CIRCLE = 718;
export const CIRCLE_ARRAY = 719;
export const ACLITEM = 1033;
export const ACLITEM_ARRAY = 1034;
export const REFCURSOR = 1790;
export const REFCURSOR_ARRAY = 2201;
export const REGPROCEDURE = 2202;
export const REGPROCEDURE_ARRAY = 2207;
export const REGOPER = 2203;
export const REGOPER_ARRAY = 2208;
export const REGOPERATOR = 2204;
export const REGOPERATOR_ARRAY = 2209;
export const REGCLASS = 2205;
export const REGCLASS_ARRAY = 2210;
export const REGTYPE = 2206;
export const REGTYPE_ARRAY = 2211;
export const REGCONFIG = 3734;
export const REGCONFIG_ARRAY = 3735;
export const REGDICTIONARY = 3769;
export const REGDICTIONARY_ARRAY = 3770;
export const REGNAMESPACE = 4089;
export const REGNAMESPACE_ARRAY = 4090;
export const REGROLE = 4096;
export const REGROLE_ARRAY = 4097;
export const REGCOLLATION = 4191;
export const REGCOLLATION_ARRAY = 4192;
export const TXID_SNAPSHOT = 2970;
export const TXID_SNAPSHOT_ARRAY = 2949;
export const PG_SNAPSHOT = 5038;
export const PG_SNAPSHOT_ARRAY = 5039;
export const PG_LSN = 3220;
export const PG_LSN_ARRAY = 3221;
export const TSVECTOR = 3614;
export const TSVECTOR_ARRAY = 3643;
export const GTSVECTOR = 3642;
export const GTSVECTOR_ARRAY = 3644;
export const TSQUERY = 3615;
export const TSQUERY_ARRAY = 3645;
export const JSONPATH = 4072;
export const JSONPATH_ARRAY = 4073;
export const ANYRANGE = 3831;
export const ANYMULTIRANGE = 4537;
export const VOID = 2278;

/**
 * Every built-in array type → its element type (pg_type.typelem of the rows with typcategory 'A').
 * int2vector (22) and oidvector (30) are deliberately absent: they carry a typelem but their text
 * form is space separated ("1 2 3"), not an array literal.
 */
export const ARRAY_ELEMENT: ReadonlyMap<number, number> = new Map([
  [BOOLEAN_ARRAY, BOOLEAN],
  [BYTES_ARRAY, BYTES],
  [INTERNAL_CHAR_ARRAY, INTERNAL_CHAR],
  [NAME_ARRAY, NAME],
  [SMALLINT_ARRAY, SMALLINT],
  [INT2VECTOR_ARRAY, INT2VECTOR],
  [INTEGER_ARRAY, INTEGER],
  [REGPROC_ARRAY, REGPROC],
  [TEXT_ARRAY, TEXT],
  [TID_ARRAY, TID],
  [XID_ARRAY, XID],
  [CID_ARRAY, CID],
  [OIDVECTOR_ARRAY, OIDVECTOR],
  [CHAR_ARRAY, CHAR],
  [VARCHAR_ARRAY, VARCHAR],
  [BIGINT_ARRAY, BIGINT],
  [POINT_ARRAY, POINT],
  [LSEG_ARRAY, LSEG],
  [PATH_ARRAY, PATH],
  [BOX_ARRAY, BOX],
  [REAL_ARRAY, REAL],
  [FLOAT_ARRAY, FLOAT],
  [POLYGON_ARRAY, POLYGON],
  [OID_ARRAY, OID],
  [ACLITEM_ARRAY, ACLITEM],
  [MACADDR_ARRAY, MACADDR],
  [INET_ARRAY, INET],
  [CIDR_ARRAY, CIDR],
  [MACADDR8_ARRAY, MACADDR8],
  [MONEY_ARRAY, MONEY],
  [LINE_ARRAY, LINE],
  [CIRCLE_ARRAY, CIRCLE],
  [XML_ARRAY, XML],
  [JSON_ARRAY, JSON],
  [XID8_ARRAY, XID8],
  [TIMESTAMP_ARRAY, TIMESTAMP],
  [DATE_ARRAY, DATE],
  [TIME_ARRAY, TIME],
  [TIMESTAMPTZ_ARRAY, TIMESTAMPTZ],
  [INTERVAL_ARRAY, INTERVAL],
  [NUMERIC_ARRAY, NUMERIC],
  [CSTRING_ARRAY, CSTRING],
  [TIMETZ_ARRAY, TIMETZ],
  [BIT_ARRAY, BIT],
  [VARBIT_ARRAY, VARBIT],
  [REFCURSOR_ARRAY, REFCURSOR],
  [REGPROCEDURE_ARRAY, REGPROCEDURE],
  [REGOPER_ARRAY, REGOPER],
  [REGOPERATOR_ARRAY, REGOPERATOR],
  [REGCLASS_ARRAY, REGCLASS],
  [REGTYPE_ARRAY, REGTYPE],
  [RECORD_ARRAY, RECORD],
  [TXID_SNAPSHOT_ARRAY, TXID_SNAPSHOT],
  [UUID_ARRAY, UUID_TYPE],
  [PG_LSN_ARRAY, PG_LSN],
  [TSVECTOR_ARRAY, TSVECTOR],
  [GTSVECTOR_ARRAY, GTSVECTOR],
  [TSQUERY_ARRAY, TSQUERY],
  [REGCONFIG_ARRAY, REGCONFIG],
  [REGDICTIONARY_ARRAY, REGDICTIONARY],
  [JSONB_ARRAY, JSONB],
  [INT4RANGE_ARRAY, INT4RANGE],
  [NUMRANGE_ARRAY, NUMRANGE],
  [TSRANGE_ARRAY, TSRANGE],
  [TSTZRANGE_ARRAY, TSTZRANGE],
  [DATERANGE_ARRAY, DATERANGE],
  [INT8RANGE_ARRAY, INT8RANGE],
  [JSONPATH_ARRAY, JSONPATH],
  [REGNAMESPACE_ARRAY, REGNAMESPACE],
  [REGROLE_ARRAY, REGROLE],
  [REGCOLLATION_ARRAY, REGCOLLATION],
  [PG_SNAPSHOT_ARRAY, PG_SNAPSHOT],
  [INT4MULTIRANGE_ARRAY, INT4MULTIRANGE],
  [NUMMULTIRANGE_ARRAY, NUMMULTIRANGE],
  [TSMULTIRANGE_ARRAY, TSMULTIRANGE],
  [TSTZMULTIRANGE_ARRAY, TSTZMULTIRANGE],
  [DATEMULTIRANGE_ARRAY, DATEMULTIRANGE],
  [INT8MULTIRANGE_ARRAY, INT8MULTIRANGE],
]);
