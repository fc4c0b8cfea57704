// `#node-files` in browser and worker bundles: there are no files to read there, and the callers
// (options.ts, transport-open.ts) only reach for them in Node; this keeps node:fs out of bundles.

import { InterfaceError } from "../errors.js";
import type * as files from "./node-files.js";

function unavailable(): never {
  throw new InterfaceError("reading libpq's files (service file, .pgpass, certificates) needs Node");
}

export const postgresqlDir: typeof files.postgresqlDir = unavailable;
export const readService: typeof files.readService = unavailable;
export const defaultPassfile: typeof files.defaultPassfile = unavailable;
export const pgpassPassword: typeof files.pgpassPassword = unavailable;
export const readConfiguredFile: typeof files.readConfiguredFile = unavailable;
export const fileExists: typeof files.fileExists = unavailable;
export const checkPrivateKeyPermissions: typeof files.checkPrivateKeyPermissions = unavailable;
export const readCrlDir: typeof files.readCrlDir = unavailable;
