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
  constructor(messageOrFields?: string | ServerFields, options?: { cause?: unknown }) {
    const fields: ServerFields = typeof messageOrFields === "object" && messageOrFields !== null ? messageOrFields : {};
    const message =
      typeof messageOrFields === "object" && messageOrFields !== null
        ? messageOfFields(fields)
        : (messageOrFields ?? "");
    super(message, options);
    this.fields = fields;
    this.code = fields.C ?? "";
    if (typeof messageOrFields === "object" && messageOrFields !== null) this.args = [fields];
  }
  /** Server-provided detail (D field), if any. */
  get detail(): string | undefined {
    return this.fields.D;
  }
  /** Server-provided hint (H field), if any. */
  get hint(): string | undefined {
    return this.fields.H;
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
