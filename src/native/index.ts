// pg8000/native — connect(), run(sql, params) with :name / $n placeholders.

export { connect, Connection, PreparedStatement, type Params, type RunOptions, type StreamOptions } from "./connection.js";
export type { ColumnarResult, Column, ColumnValues } from "../core/columnar.js";
export { parseLsn, formatLsn, type ReplicationStream, type ReplicationMessage, type XLogData, type PrimaryKeepalive } from "../core/replication.js";
export { identifier } from "./identifier.js";
export { literal } from "../types/literal.js";
export { PGInterval } from "../types/interval.js";
export { Range } from "../types/range.js";
export { Point } from "../types/decoders.js";
export {
  Warning,
  Error,
  InterfaceError,
  DatabaseError,
  DataError,
  OperationalError,
  IntegrityError,
  InternalError,
  ProgrammingError,
  NotSupportedError,
  type ServerFields,
} from "../errors.js";
export type { ConnectOptions, BridgeOptions } from "../core/options.js";
export type { ColumnInfo } from "../protocol/messages.js";
export type { Notification, ConnectionEventName, ConnectionEvents } from "../core/events.js";
export * from "../types/oids.js";
