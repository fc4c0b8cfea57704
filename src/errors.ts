// DB-API 2.0 (PEP 249) exception hierarchy, shared by every entry point.
// Server errors are mapped by SQLSTATE class (the psycopg convention), see errorForFields().

/** Field codes of an ErrorResponse/NoticeResponse mapped to their string values. */
export type ServerFields = Record<string, string>;

export class Warning extends globalThis.Error {
  override name = "Warning";
}

export class Error extends globalThis.Error {
  override name = "Error";
  /** pg8000 keeps the server's field dictionary as args[0]; client-side errors carry their message. */
  args: unknown[];
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.args = message === undefined ? [] : [message];
  }
}

export class InterfaceError extends Error {
  override name = "InterfaceError";
}

export class DatabaseError extends Error {
  override name = "DatabaseError";
  /** One-letter ErrorResponse field codes → values (S V C M D H P p q W s t c d n F L R). */
  fields: ServerFields;
  /** SQLSTATE, e.g. "22012"; empty for client-raised database errors. */
  code: string;
  // The fields under node-postgres's names, for code (and ORMs) that read those; undefined when
  // the server did not send the field. PostgreSQL docs: "Error and Notice Message Fields".
  /** ERROR, FATAL, PANIC… (S, or the never-localized V). */
  severity: string | undefined;
  /** D: secondary message with more detail. */
  detail: string | undefined;
  /** H: a suggestion what to do about it. */
  hint: string | undefined;
  /** P: 1-based character position of the error in the query string. */
  position: string | undefined;
  /** p: position in an internally generated query (internal_query). */
  internal_position: string | undefined;
  /** q: the internally generated query that failed, e.g. SQL run by a PL/pgSQL function. */
  internal_query: string | undefined;
  /** W: where it happened (call stack of functions, for example). */
  where: string | undefined;
  /** s: schema of the object the error is about. */
  schema: string | undefined;
  /** t: table the error is about. */
  table: string | undefined;
  /** c: column the error is about. */
  column: string | undefined;
  /** d: data type the error is about. */
  data_type: string | undefined;
  /** n: constraint violated. */
  constraint: string | undefined;
  /** F: server source file. */
  file: string | undefined;
  /** L: server source line. */
  line: string | undefined;
  /** R: server source routine. */
  routine: string | undefined;
  constructor(messageOrFields?: string | ServerFields, options?: { cause?: unknown }) {
    const fields: ServerFields = typeof messageOrFields === "object" && messageOrFields !== null ? messageOrFields : {};
    const message =
      typeof messageOrFields === "object" && messageOrFields !== null
        ? messageOfFields(fields)
        : (messageOrFields ?? "");
    super(message, options);
    this.fields = fields;
    this.code = fields.C ?? "";
    this.severity = fields.S ?? fields.V;
    this.detail = fields.D;
    this.hint = fields.H;
    this.position = fields.P;
    this.internal_position = fields.p;
    this.internal_query = fields.q;
    this.where = fields.W;
    this.schema = fields.s;
    this.table = fields.t;
    this.column = fields.c;
    this.data_type = fields.d;
    this.constraint = fields.n;
    this.file = fields.F;
    this.line = fields.L;
    this.routine = fields.R;
    if (typeof messageOrFields === "object" && messageOrFields !== null) this.args = [fields];
  }
}

/** The M field; a server (or proxy) that sends none still gets an error that says what happened. */
function messageOfFields(fields: ServerFields): string {
  if (fields.M) return fields.M;
  const sqlstate = fields.C ? ` (SQLSTATE ${fields.C})` : "";
  return `the server sent an error without a message${sqlstate}`;
}

export class DataError extends DatabaseError {
  override name = "DataError";
}
export class OperationalError extends DatabaseError {
  override name = "OperationalError";
}
export class IntegrityError extends DatabaseError {
  override name = "IntegrityError";
}
export class InternalError extends DatabaseError {
  override name = "InternalError";
}
export class ProgrammingError extends DatabaseError {
  override name = "ProgrammingError";
}
export class NotSupportedError extends DatabaseError {
  override name = "NotSupportedError";
}

type DatabaseErrorClass = new (fields: ServerFields) => DatabaseError;

const BY_SQLSTATE_CLASS: Record<string, DatabaseErrorClass> = {
  "22": DataError,
  "23": IntegrityError,
  "08": OperationalError,
  "28": OperationalError,
  "40": OperationalError,
  "53": OperationalError,
  "54": OperationalError,
  "55": OperationalError,
  "57": OperationalError,
  "58": OperationalError,
  "0A": NotSupportedError,
  "25": InternalError,
  XX: InternalError,
};

/** Builds the DB-API exception for a server ErrorResponse, chosen by SQLSTATE class. */
export function errorForFields(fields: ServerFields): DatabaseError {
  const cls = BY_SQLSTATE_CLASS[(fields.C ?? "").slice(0, 2)] ?? ProgrammingError;
  const err = new cls(fields);
  // Make the message useful when printed: "division by zero (SQLSTATE 22012)".
  return err;
}
