// Connection strings as libpq reads them (PostgreSQL docs: libpq, "Connection Strings"): the
// URI form postgresql://user:password@host1:port1,host2:port2/dbname?keyword=value and the
// keyword/value form "host=a port=5432 dbname=app". Pure: strings in, raw keyword values out.

import { InterfaceError } from "../errors.js";
import { isLibpqKeyword, type Keywords, LIBPQ_KEYWORDS } from "./keywords.js";

const URI_PREFIX = /^postgres(?:ql)?:\/\//;

export function isConnectionUri(text: string): boolean {
  return URI_PREFIX.test(text);
}

/** Either form; a string that is not a URI is read as keyword/value pairs. */
export function parseConnectionString(text: string): Keywords {
  return isConnectionUri(text) ? parseUri(text) : parseKeywordValue(text);
}

function unknownKeyword(name: string, where: string): InterfaceError {
  return new InterfaceError(
    `invalid ${where} parameter "${name}": not a libpq connection parameter. ` +
      `To set a server setting, use options=-c ${name}=value (in a URI: options=-c%20${encodeURIComponent(name)}%3Dvalue) ` +
      `or the 'startup_params' connect option. Valid parameters: ${LIBPQ_KEYWORDS.join(", ")}`,
  );
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InterfaceError(`invalid percent-encoding in the connection URI's ${what}: "${text}"`);
  }
}

function set(out: Keywords, name: string, value: string, where: string): void {
  if (!isLibpqKeyword(name)) throw unknownKeyword(name, where);
  out[name] = value;
}

/** postgresql://[userinfo@][hostspec[,hostspec…]][/dbname][?keyword=value&…] */
export function parseUri(uri: string): Keywords {
  const prefix = URI_PREFIX.exec(uri);
  if (!prefix) {
    throw new InterfaceError(`invalid connection URI: it must start with postgresql:// or postgres://`);
  }
  const out: Keywords = {};
  let rest = uri.slice(prefix[0].length);
  const queryAt = rest.indexOf("?");
  const query = queryAt >= 0 ? rest.slice(queryAt + 1) : "";
  if (queryAt >= 0) rest = rest.slice(0, queryAt);
  const pathAt = rest.indexOf("/");
  const authority = pathAt >= 0 ? rest.slice(0, pathAt) : rest;
  if (pathAt >= 0 && pathAt < rest.length - 1) out.dbname = decode(rest.slice(pathAt + 1), "database name");

  const at = authority.lastIndexOf("@");
  const hostList = at >= 0 ? authority.slice(at + 1) : authority;
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(":");
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (user) out.user = decode(user, "user name");
    if (colon >= 0) out.password = decode(userinfo.slice(colon + 1), "password");
  }
  if (hostList) {
    const hosts: string[] = [];
    const ports: string[] = [];
    for (const spec of hostList.split(",")) {
      const [host, port] = splitHostPort(spec);
      hosts.push(decode(host, "host"));
      ports.push(port);
    }
    if (hosts.some((h) => h !== "")) out.host = hosts.join(",");
    if (ports.some((p) => p !== "")) out.port = ports.join(",");
  }

  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq < 0) throw new InterfaceError(`missing "=" after "${pair}" in the connection URI's query`);
    const name = decode(pair.slice(0, eq), "query");
    const value = decode(pair.slice(eq + 1), "query");
    // libpq's compatibility with JDBC URIs.
    if (name === "ssl" && value === "true") {
      out.sslmode = "require";
      continue;
    }
    set(out, name, value, "URI query");
  }
  return out;
}

/** "host:port", "[v6]:port", "host" or ":port" → [host, port] without brackets. */
function splitHostPort(spec: string): [string, string] {
  if (spec.startsWith("[")) {
    const close = spec.indexOf("]");
    if (close < 0) throw new InterfaceError(`unterminated IPv6 address "${spec}" in the connection URI`);
    const after = spec.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) {
      throw new InterfaceError(`unexpected "${after}" after the IPv6 address in the connection URI`);
    }
    return [spec.slice(1, close), after.slice(1)];
  }
  const colon = spec.lastIndexOf(":");
  return colon >= 0 ? [spec.slice(0, colon), spec.slice(colon + 1)] : [spec, ""];
}

/**
 * keyword = value pairs separated by white space; a value may be 'single quoted' with \' and
 * \\ escapes; outside quotes a backslash escapes the next character.
 */
export function parseKeywordValue(text: string): Keywords {
  const out: Keywords = {};
  let i = 0;
  const n = text.length;
  const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
  while (i < n) {
    while (isSpace(text[i])) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && text[i] !== "=" && !isSpace(text[i])) i++;
    const name = text.slice(start, i);
    while (isSpace(text[i])) i++;
    if (text[i] !== "=") {
      throw new InterfaceError(
        `missing "=" after "${name}" in the connection string (expected keyword=value pairs or a postgresql:// URI)`,
      );
    }
    i++;
    while (isSpace(text[i])) i++;
    let value = "";
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= n) throw new InterfaceError("unterminated quoted value in the connection string");
        const c = text[i]!;
        if (c === "\\" && i + 1 < n) {
          value += text[i + 1];
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
    } else {
      while (i < n && !isSpace(text[i])) {
        if (text[i] === "\\" && i + 1 < n) i++;
        value += text[i];
        i++;
      }
    }
    set(out, name, value, "connection string");
  }
  return out;
}
