// The DB-API 2.0 module (import "pg8000").

export { Connection, connect, type Xid } from "./connection.js";
export { type ColumnDescription, Cursor, type Parameters, type Row } from "./cursor.js";
export type { Paramstyle } from "./paramstyle.js";
export {
  BINARY,
  Binary,
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
