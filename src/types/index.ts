// The type layer in one import: registry, value classes, parsers and formatters.

export * from "./oids.js";
export { PGInterval, type PGIntervalInit } from "./interval.js";
export { Range, type RangeBounds, formatRange, parseRange, parseMultirange, splitMultirange } from "./range.js";
export {
  formatDate,
  formatTime,
  timestampFromMillis,
  parseDate,
  parseTimestamp,
  parseTimestamptz,
  dateToTimestamptzText,
  daysFromCivil,
  civilFromDays,
} from "./datetime.js";
export { parseArray, formatArray, quoteArrayElement, type ArrayElementDecoder } from "./array.js";
export { parseBytea, bytesToHex, asBytes } from "./bytea.js";
export { parseHstore, formatHstore } from "./hstore.js";
export {
  BUILTIN_TEXT_DECODERS,
  SESSION_TEXT_DECODERS,
  parseBool,
  parseInteger,
  parseBigint,
  parseFloat4,
  parseFloat8,
  parseJson,
  parseUuid,
  parsePoint,
  parseIntegerVector,
  parseInterval,
  Point,
} from "./decoders.js";
export { ParameterEncoder, numberText } from "./encode.js";
export {
  TypeRegistry,
  type InAdapter,
  type OutAdapter,
  type EncodedParameter,
  type UserTypeInfo,
  type UserTypeKind,
} from "./registry.js";
export { literal, quoteString } from "./literal.js";
export { SessionSettings, DEFAULT_SESSION, type DateSettings, type DateStyleName, type DateOrder } from "./session.js";
export { instantOfLocalTime } from "./timezone.js";
