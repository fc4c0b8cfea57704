// The files libpq reads in Node: the service file, the password file (with its permission rule)
// and the default client-certificate paths under ~/.postgresql. Imported lazily, only in Node,
// so browser bundles never reach node:fs.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InterfaceError } from "../errors.js";
import type { Keywords } from "./keywords.js";
import { findPgpassPassword, type PgpassQuery, parsePgpass } from "./pgpass.js";
import { findService } from "./service.js";

type Env = Readonly<Record<string, string | undefined>>;

function home(): string {
  return os.homedir();
}

/** ~/.postgresql/<name>, where libpq looks for root.crt, postgresql.crt and postgresql.key. */
export function postgresqlDir(name: string): string {
  return path.join(home(), ".postgresql", name);
}

/**
 * The keywords of a service: PGSERVICEFILE or ~/.pg_service.conf first, then
 * PGSYSCONFDIR/pg_service.conf (or /etc/postgresql-common/pg_service.conf); the first file
 * holding the service wins.
 */
export function readService(service: string, env: Env): Keywords {
  const userFile = env.PGSERVICEFILE ?? path.join(home(), ".pg_service.conf");
  const systemDir = env.PGSYSCONFDIR ?? "/etc/postgresql-common";
  const files = [userFile, path.join(systemDir, "pg_service.conf")];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new InterfaceError(`could not read service file "${file}": ${(err as Error).message}`);
    }
    const found = findService(text, service, file);
    if (found) return found;
  }
  throw new InterfaceError(`definition of service "${service}" not found (looked in ${files.join(" and ")})`);
}

/** The default password file: PGPASSFILE is handled by the caller as the passfile keyword. */
export function defaultPassfile(): string {
  return path.join(home(), ".pgpass");
}

/** Warnings go where Node's own go (stderr by default; listeners can take them). */
function warn(message: string): void {
  process.emitWarning(message, { code: "PG8000_PGPASS" });
}

/**
 * The password for a connection from the password file, or undefined. As in libpq, a file that
 * is missing is silently skipped, and one that is not a plain file or that group or others may
 * read is ignored with a warning.
 */
export function pgpassPassword(file: string, query: PgpassQuery): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) {
    warn(`password file "${file}" is not a plain file; ignoring it`);
    return undefined;
  }
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
    warn(`password file "${file}" has group or world access; permissions should be u=rw (0600) or less; ignoring it`);
    return undefined;
  }
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return findPgpassPassword(parsePgpass(text), query);
}

/** A file's bytes, with an error that names the connection parameter it came from. */
export function readConfiguredFile(file: string, parameter: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new InterfaceError(`could not read ${parameter} file "${file}": ${(err as Error).message}`);
  }
}

export function fileExists(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * libpq refuses a private key that others may read: u=rw (0600) or less when the current user
 * owns it, u=rw,g=r (0640) or less when root does (system-managed keys).
 */
export function checkPrivateKeyPermissions(file: string): void {
  if (process.platform === "win32") return;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new InterfaceError(`could not read sslkey file "${file}": ${(err as Error).message}`);
  }
  const allowed = stat.uid === 0 && process.getuid?.() !== 0 ? 0o037 : 0o077;
  if ((stat.mode & allowed) !== 0) {
    throw new InterfaceError(
      `private key file "${file}" has group or world access; it must have permissions u=rw (0600) or less ` +
        "if owned by the current user, or u=rw,g=r (0640) or less if owned by root",
    );
  }
}

/** All certificate revocation lists in a directory (sslcrldir). */
export function readCrlDir(dir: string): Buffer[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new InterfaceError(`could not read sslcrldir "${dir}": ${(err as Error).message}`);
  }
  return names
    .map((n) => path.join(dir, n))
    .filter(fileExists)
    .map((f) => fs.readFileSync(f));
}
