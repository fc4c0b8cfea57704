// What a close of the bridge's WebSocket means for the user, by close code alone (the reason is
// quoted, never parsed). Codes: CloseCode in ../bridge-protocol.ts.

import { CloseCode } from "../bridge-protocol.js";
import { OperationalError } from "../errors.js";

/** Says what happened and what to fix, by close code alone (the reason is quoted, never parsed). */
export function bridgeCloseError(
  code: number,
  reason: string,
  connecting: boolean,
  url: string,
  lastError: string,
): OperationalError {
  const detail = `bridge close code ${code}${reason ? `: ${reason}` : ""}`;
  return new OperationalError(`${closeMessage(code, connecting, url, lastError)} (${detail})`);
}

function closeMessage(code: number, connecting: boolean, url: string, lastError: string): string {
  switch (code) {
    case CloseCode.Unauthorized:
      return "the bridge refused the token: pass a valid bridge.token (a static token of the bridge, or a fresh one from mintToken)";
    case CloseCode.Forbidden:
      return (
        "the bridge refused this connection: bridge.target must name one of the bridge's configured targets, " +
        "and a page's origin must be in the bridge's origins list"
      );
    case CloseCode.LoginRefused:
      return (
        "the bridge does not allow this login: the target's users, databases and replication settings " +
        "in the bridge config limit who may connect"
      );
    case CloseCode.Timeout:
      return (
        "the bridge closed the connection after a timeout (no startup message within its limits.startupTimeout, " +
        "or idle longer than its limits.idleTimeout)"
      );
    case CloseCode.TooMany:
      return "the bridge has too many connections: close unused connections or raise the bridge's limits";
    case CloseCode.UpstreamUnreachable:
      return "the bridge could not reach PostgreSQL: check the target's host, port and TLS settings in the bridge config and that the server is running";
    case CloseCode.UpstreamLost:
      return "the bridge lost its connection to PostgreSQL";
    case CloseCode.BadRequest:
      return "the bridge did not recognise the bytes sent as the PostgreSQL protocol";
    case CloseCode.GoingAway:
      return "the bridge is shutting down; connect again later";
    case CloseCode.UnsupportedData:
      return "the bridge accepts only binary messages";
    case CloseCode.TooBig:
      return "a message was larger than the bridge's limits.maxPayload";
    case CloseCode.InternalError:
      return "the bridge failed internally";
    default:
      return connecting
        ? `could not open a WebSocket to the bridge at ${url}: check bridge.url and that the bridge is running and reachable${lastError ? ` (${lastError})` : ""}`
        : `the connection to the bridge was lost${lastError ? ` (${lastError})` : ""}`;
  }
}
