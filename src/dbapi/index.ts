// The DB-API 2.0 module (import "pg8000").

export { connect, Connection, type Xid } from "./connection.js";
export { Cursor, type ColumnDescription, type Row, type Parameters } from "./cursor.js";
export type { Paramstyle } from "./paramstyle.js";
export {
  Binary,
  BINARY,
  DATETIME,
  DateFromTicks,
  DateValue as Date,
  DBAPITypeObject,
  NUMBER,
  ROWID,
  STRING,
  TimeFromTicks,
  TimestampFromTicks,
  TimestampValue as Timestamp,
  TimeValue as Time,
} from "./type-objects.js";

export const apilevel = "2.0";
export const threadsafety = 1;
export const paramstyle = "format";
