// pg8000 — the DB-API 2.0 module. See README and the design's API.md.

export * from "./dbapi/index.js";
// The DB-API type objects take these names over the OID constants of the same name.
export { BINARY, DATETIME, NUMBER, ROWID, STRING } from "./dbapi/index.js";
export * from "./shared-exports.js";
export { __version__, version } from "./version.js";
