// pg8000/native — connect(), run(sql, params) with :name / $n placeholders.

export * from "../shared-exports.js";
export { __version__, version } from "../version.js";
export {
  type ColumnarStream,
  Connection,
  connect,
  type Params,
  PreparedStatement,
  type RowStream,
  type RunOptions,
  type StreamOptions,
} from "./connection.js";
