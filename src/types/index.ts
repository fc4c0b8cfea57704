// The type layer in one import: registry, value classes, parsers and formatters.

export { type ArrayElementDecoder, formatArray, parseArray, quoteArrayElement } from "./array.js";
export { asBytes, bytesToHex, parseBytea } from "./bytea.js";
export {
  civilFromDays,
  dateToTimestamptzText,
  daysFromCivil,
  formatDate,
  formatTime,
  parseDate,
  parseTimestamp,
  parseTimestamptz,
  timestampFromMillis,
} from "./datetime.js";
export {
  BUILTIN_TEXT_DECODERS,
  Point,
  parseBigint,
  parseBool,
  parseFloat4,
  parseFloat8,
  parseInteger,
  parseIntegerVector,
  parseInterval,
  parseJson,
  parsePoint,
  parseUuid,
  SESSION_TEXT_DECODERS,
} from "./decoders.js";
export { numberText, ParameterEncoder } from "./encode.js";
export { formatHstore, parseHstore } from "./hstore.js";
export { PGInterval, type PGIntervalInit } from "./interval.js";
export { literal, quoteString } from "./literal.js";
export * from "./oids.js";
export { formatRange, parseMultirange, parseRange, Range, type RangeBounds, splitMultirange } from "./range.js";
export {
  type EncodedParameter,
  type InAdapter,
  type OutAdapter,
  TypeRegistry,
  type UserTypeInfo,
  type UserTypeKind,
} from "./registry.js";
export { type DateOrder, type DateSettings, type DateStyleName, DEFAULT_SESSION, SessionSettings } from "./session.js";
export { instantOfLocalTime } from "./timezone.js";
