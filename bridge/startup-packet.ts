// What a client asks for in its StartupMessage, and whether the target's allow-lists permit it.
// The bridge reads the packet (it never changes it) so a token holder cannot log in as any role
// or open a replication connection the target does not allow.
// PostgreSQL docs: Frontend/Backend Protocol, "Message Formats" (StartupMessage), and
// "Streaming Replication Protocol" (the replication parameter).

import { RefusalReason } from "../src/bridge-protocol.js";
import type { BridgeTarget } from "./config.js";

/** The parameters of a complete StartupMessage (length, protocol version, name/value pairs, NUL); null if malformed. */
export function startupParameters(packet: Buffer): Map<string, string> | null {
  const params = new Map<string, string>();
  let at = 8;
  const end = packet.length - 1;
  if (end < at || packet[end] !== 0) return null;
  while (at < end) {
    const nameEnd = packet.indexOf(0, at);
    if (nameEnd < 0 || nameEnd >= end) return null;
    const valueEnd = packet.indexOf(0, nameEnd + 1);
    if (valueEnd < 0 || valueEnd > end) return null;
    params.set(packet.toString("utf8", at, nameEnd), packet.toString("utf8", nameEnd + 1, valueEnd));
    at = valueEnd + 1;
  }
  return params;
}

/** Values of `replication` that mean an ordinary session (PostgreSQL's boolean spellings of false). */
const NOT_REPLICATION = new Set(["false", "off", "no", "0"]);

export interface LoginRefusal {
  reason: RefusalReason;
  /** For the close frame: names the role or database the client sent, never the target's lists. */
  text: string;
}

/** Checks user, database and replication against the target; null when the login may proceed. */
export function checkLogin(target: BridgeTarget, params: Map<string, string>): LoginRefusal | null {
  const user = params.get("user");
  if (user === undefined || user === "") {
    return { reason: RefusalReason.BadRequest, text: "the startup message names no user" };
  }
  if (target.users && !target.users.has(user)) {
    return { reason: RefusalReason.User, text: `role '${user.slice(0, 40)}' may not log in through this bridge` };
  }
  // PostgreSQL's default database is the user name.
  const database = params.get("database") || user;
  if (target.databases && !target.databases.has(database)) {
    return {
      reason: RefusalReason.Database,
      text: `database '${database.slice(0, 40)}' may not be opened through this bridge`,
    };
  }
  const replication = params.get("replication");
  if (replication !== undefined && !NOT_REPLICATION.has(replication.toLowerCase()) && !target.replication) {
    return { reason: RefusalReason.Replication, text: "replication connections are not allowed through this bridge" };
  }
  return null;
}
