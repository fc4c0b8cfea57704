// pg8000/native — connect(), run(sql, params) with :name / $n placeholders.

export { connect, Connection, PreparedStatement, type Params, type RunOptions, type StreamOptions } from "./connection.js";
export * from "../shared-exports.js";
