// What both entry points (pg8000 and pg8000/native) export besides their connection classes.

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
} from "./errors.js";
export type { ConnectOptions, BridgeOptions } from "./core/options.js";
export type { ColumnInfo } from "./protocol/messages.js";
export type { Notification, ConnectionEventName, ConnectionEvents } from "./core/events.js";
export type { ColumnarResult, Column, ColumnValues } from "./core/columnar.js";
export {
  parseLsn,
  formatLsn,
  type ReplicationStream,
  type ReplicationMessage,
  type XLogData,
  type PrimaryKeepalive,
} from "./core/replication.js";
export { PGInterval } from "./types/interval.js";
export { Range } from "./types/range.js";
export { Point } from "./types/decoders.js";
export { identifier } from "./native/identifier.js";
export { literal } from "./types/literal.js";
export * from "./types/oids.js";
