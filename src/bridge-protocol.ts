// The contract between the pg8000 bridge (bridge/) and its client (src/transport/websocket.ts):
// the one definition both import, so the two sides cannot drift apart. No Node built-ins here:
// browser bundles import it. Bridge protocol: design/ARCHITECTURE.md.

/** The WebSocket subprotocol a pg8000 client offers and the bridge selects. */
export const BRIDGE_SUBPROTOCOL = "pg8000.v1";

/**
 * The same protocol with the server's bytes compressed on their way to the client. A client that
 * can inflate offers it before BRIDGE_SUBPROTOCOL; a bridge with compression on selects it. Then
 * every binary message from the bridge starts with a FrameTag: Raw, then PostgreSQL bytes; or
 * Deflate, then the inflated length (uint32, big-endian) and the next piece of the session's one
 * raw DEFLATE stream (RFC 1951), ended by a sync flush, so that it inflates whole to the bytes
 * that follow the previous message's. Messages from the client are never compressed.
 *
 * Browsers hand WebSocket bytes from their network process to the page at a few tens of MB/s, the
 * same with or without permessage-deflate (which is undone before that hand-over); bytes the page
 * inflates itself arrive about three times faster for typical result rows.
 */
export const BRIDGE_SUBPROTOCOL_DEFLATE = "pg8000.v1+deflate";

/** The first byte of every message from the bridge under BRIDGE_SUBPROTOCOL_DEFLATE. */
export const FrameTag = { Raw: 0, Deflate: 1 } as const;

/** Length of a Deflate message's header: the tag and the inflated length. */
export const DEFLATE_HEADER_BYTES = 5;

/**
 * Server bytes read in pieces smaller than this go raw: a round trip's answer is not held up
 * by compression; result sets arrive in larger pieces.
 */
export const COMPRESS_MIN_BYTES = 2048;

/** A token may ride along as a second offered subprotocol, `token.<token>`. */
export const TOKEN_SUBPROTOCOL_PREFIX = "token.";

/** Query parameters of the bridge URL. */
export const TARGET_PARAM = "target";
export const TOKEN_PARAM = "token";

/** Signed tokens (mintToken) start with this; other tokens are static or for verifyToken. */
export const SIGNED_TOKEN_PREFIX = "p8b1.";

/** Characters a Sec-WebSocket-Protocol value may hold (RFC 7230 tchar); other tokens go in ?token=. */
export const SUBPROTOCOL_SAFE = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** A close frame's reason holds at most this many bytes of UTF-8. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Every way the bridge closes a session. The code alone says what happened; the reason text
 * is detail for people (it may quote a target name) and clients must not parse it.
 */
export const CloseCode = {
  /** The server or the client ended the session; a cancel request was forwarded. */
  Normal: 1000,
  /** The bridge is shutting down. */
  GoingAway: 1001,
  /** A text frame: the bridge carries only binary PostgreSQL bytes. */
  UnsupportedData: 1003,
  /** A message larger than the bridge's limits.maxPayload. */
  TooBig: 1009,
  /** The bridge failed internally. */
  InternalError: 1011,
  /** The first bytes are not a PostgreSQL StartupMessage, SSLRequest or CancelRequest. */
  BadRequest: 4400,
  /** No token, or a token that is not valid (unknown, bad signature, expired, refused). */
  Unauthorized: 4401,
  /** The page's Origin is not allowed, the target is unknown, or the token is for another target. */
  Forbidden: 4403,
  /** The StartupMessage asks for a user, database or replication the target does not allow. */
  LoginRefused: 4406,
  /** No startup message within limits.startupTimeout, or idle longer than limits.idleTimeout. */
  Timeout: 4408,
  /** limits.maxConnections or limits.maxConnectionsPerIp reached. */
  TooMany: 4429,
  /** The bridge could not connect (or do TLS) to the target. */
  UpstreamUnreachable: 4502,
  /** The bridge's connection to the target broke during the session. */
  UpstreamLost: 4503,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Why the bridge refused a session before it started, one name per case (log fields and metrics labels). */
export const RefusalReason = {
  Origin: "origin",
  NoToken: "no_token",
  BadToken: "bad_token",
  TokenTarget: "token_target",
  NoTarget: "no_target",
  UnknownTarget: "unknown_target",
  TooMany: "too_many",
  TooManyFromIp: "too_many_from_ip",
  ShuttingDown: "shutting_down",
  NotWebSocket: "not_websocket",
  HandshakeTimeout: "handshake_timeout",
  TooManyHandshakes: "too_many_handshakes",
  BadRequest: "bad_request",
  User: "user",
  Database: "database",
  Replication: "replication",
} as const;

export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];
