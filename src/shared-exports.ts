// What both entry points (pg8000 and pg8000/native) export besides their connection classes.

export type { Column, ColumnarResult, ColumnValues } from "./core/columnar.js";
export type { ConnectionEventName, ConnectionEvents, Notification } from "./core/events.js";
export type { CloseOptions } from "./core/graceful-close.js";
export type { BridgeOptions, ConnectOptions } from "./core/options.js";
export {
  formatLsn,
  type PrimaryKeepalive,
  parseLsn,
  type ReplicationMessage,
  type ReplicationStream,
  type XLogData,
} from "./core/replication.js";
export {
  DatabaseError,
  DataError,
  Error,
  IntegrityError,
  InterfaceError,
  InternalError,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  type ServerFields,
  Warning,
} from "./errors.js";
export { identifier } from "./native/identifier.js";
export type { QueryOptions, QueryResult } from "./native/query-result.js";
export type { PoolOptions, PoolSettings } from "./pool/options.js";
export { Pool } from "./pool/pool.js";
export type { PooledConnection } from "./pool/pooled-connection.js";
export type { ColumnInfo } from "./protocol/messages.js";
export { Point } from "./types/decoders.js";
export { PGInterval } from "./types/interval.js";
export { literal } from "./types/literal.js";
export * from "./types/oids.js";
export { Range } from "./types/range.js";
