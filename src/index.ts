// pg8000 — the DB-API 2.0 module. See README and the design's API.md.

export * from "./dbapi/index.js";
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
export { PGInterval } from "./types/interval.js";
export { Range } from "./types/range.js";
export { Point } from "./types/decoders.js";
export { identifier } from "./native/identifier.js";
export { literal } from "./types/literal.js";
export * from "./types/oids.js";
// The DB-API type objects take these names over the OID constants of the same name.
export { STRING, BINARY, NUMBER, DATETIME, ROWID } from "./dbapi/index.js";
