// The password file (PostgreSQL docs: libpq, "The Password File"): lines of
// hostname:port:database:username:password, "*" matching anything, "\" escaping ":" and "\",
// the first matching line winning. Pure lookup; reading the file is node-files.ts.

export interface PgpassEntry {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
}

/** Splits one line into its five fields, or null for comments and malformed lines. */
function parseLine(line: string): PgpassEntry | null {
  if (line.startsWith("#")) return null;
  const fields: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "\\" && i + 1 < line.length) {
      current += line[++i];
    } else if (c === ":" && fields.length < 4) {
      fields.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  fields.push(current);
  if (fields.length !== 5) return null;
  const [host, port, database, user, password] = fields as [string, string, string, string, string];
  return { host, port, database, user, password };
}

export function parsePgpass(text: string): PgpassEntry[] {
  const out: PgpassEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    const entry = parseLine(line);
    if (entry) out.push(entry);
  }
  return out;
}

export interface PgpassQuery {
  /** The host name as given, or "localhost" for a unix socket (libpq's rule). */
  host: string;
  port: number;
  database: string;
  user: string;
}

const matches = (pattern: string, value: string): boolean => pattern === "*" || pattern === value;

/** The password of the first line matching the connection, or undefined. */
export function findPgpassPassword(entries: readonly PgpassEntry[], q: PgpassQuery): string | undefined {
  for (const e of entries) {
    if (
      matches(e.host, q.host) &&
      matches(e.port, String(q.port)) &&
      matches(e.database, q.database) &&
      matches(e.user, q.user)
    ) {
      return e.password;
    }
  }
  return undefined;
}
