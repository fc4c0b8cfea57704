// What a client asks for in its StartupMessage, and whether the target's allow-lists permit it.
// The bridge reads the packet (it never changes it) so a token holder cannot log in as any role
// or open a replication connection the target does not allow.
// PostgreSQL docs: Frontend/Backend Protocol, "Message Formats" (StartupMessage), and
// "Streaming Replication Protocol" (the replication parameter).

import { RefusalReason } from "../src/bridge-protocol.js";
import type { BridgeTarget } from "./config.js";

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** PostgreSQL's own limit on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
const MAX_STARTUP_LENGTH = 10000;

/** What the first client bytes are, so far. */
export type FirstMessage =
  /** Not enough bytes yet to tell. */
  | { kind: "incomplete" }
  /** Not PostgreSQL's first message: the session is refused. */
  | { kind: "invalid" }
  /** An SSLRequest or GSSENCRequest (8 bytes), to answer 'N'. */
  | { kind: "negotiation" }
  /** A complete CancelRequest (16 bytes). */
  | { kind: "cancel"; request: Buffer }
  /** A complete v3 StartupMessage of `length` bytes with its parameters. */
  | { kind: "startup"; length: number; params: Map<string, string> };

/** Classifies the bytes a client sent before anything is dialled (the start of `head`). */
export function readFirstMessage(head: Buffer): FirstMessage {
  if (head.length < 4) return { kind: "incomplete" };
  const length = head.readInt32BE(0);
  if (length < 8 || length > MAX_STARTUP_LENGTH) return { kind: "invalid" };
  if (head.length < 8) return { kind: "incomplete" };
  const code = head.readInt32BE(4);
  if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
    return length === 8 ? { kind: "negotiation" } : { kind: "invalid" };
  }
  if (code === CANCEL_REQUEST) {
    if (length !== 16) return { kind: "invalid" };
    return head.length < 16 ? { kind: "incomplete" } : { kind: "cancel", request: Buffer.from(head.subarray(0, 16)) };
  }
  if (code >>> 16 !== 3) return { kind: "invalid" };
  if (head.length < length) return { kind: "incomplete" };
  const params = startupParameters(head.subarray(0, length));
  return params ? { kind: "startup", length, params } : { kind: "invalid" };
}

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
