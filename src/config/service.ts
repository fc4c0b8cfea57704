// The connection service file (PostgreSQL docs: libpq, "The Connection Service File"): INI-style
// [service] sections of keyword=value lines, "#" comments. Pure parsing; finding and reading
// the files is node-files.ts.

import { InterfaceError } from "../errors.js";
import { isLibpqKeyword, type Keywords } from "./keywords.js";

/** The keyword values of `service` in the file's text, or undefined when it has no such section. */
export function findService(text: string, service: string, fileName: string): Keywords | undefined {
  let inSection = false;
  let found: Keywords | undefined;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      if (found) break;
      const close = line.indexOf("]");
      inSection = close > 0 && line.slice(1, close) === service;
      if (inSection) found = {};
      continue;
    }
    if (!inSection || !found) continue;
    const eq = line.indexOf("=");
    if (eq < 0) throw new InterfaceError(`syntax error in service file "${fileName}", line ${n + 1}: missing "="`);
    const name = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (name === "service") {
      throw new InterfaceError(
        `nested "service" specifications are not supported in service file "${fileName}", line ${n + 1}`,
      );
    }
    if (!isLibpqKeyword(name)) {
      throw new InterfaceError(`syntax error in service file "${fileName}", line ${n + 1}: unknown keyword "${name}"`);
    }
    // The first value of a keyword wins within a section, as in libpq.
    if (found[name] === undefined) found[name] = value;
  }
  return found;
}
