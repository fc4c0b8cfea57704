// pg8000 — the DB-API 2.0 module. See README and the design's API.md.

export * from "./dbapi/index.js";
export * from "./shared-exports.js";
// The DB-API type objects take these names over the OID constants of the same name.
export { STRING, BINARY, NUMBER, DATETIME, ROWID } from "./dbapi/index.js";
