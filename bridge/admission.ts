// Who may open a session, decided from the upgrade request alone: Origin, then token, then
// target, in the order in which a client learns what is wrong. Each refusal carries its close
// code and a reason name (for metrics and logs) besides the text for people.

import type * as http from "node:http";
import {
  CloseCode,
  RefusalReason,
  TARGET_PARAM,
  TOKEN_PARAM,
  TOKEN_SUBPROTOCOL_PREFIX,
} from "../src/bridge-protocol.js";
import type { BridgeTarget, ResolvedConfig } from "./config.js";
import { isStaticToken, verifySignedToken } from "./tokens.js";

export interface Admission {
  target: BridgeTarget;
}

export interface Refusal {
  code: CloseCode;
  kind: RefusalReason;
  reason: string;
}

export interface AdmissionRequest {
  ip: string;
  origin: string | undefined;
  /** The target the client named; for the raw relay, the relay's own target. */
  requested: string | undefined;
  token: string | undefined;
}

/** The token of an upgrade request: a `token.` subprotocol, `?token=`, or (raw relay) `Authorization: Bearer`. */
export function requestToken(req: http.IncomingMessage, url: URL, protocols: string[]): string | undefined {
  const fromProtocol = protocols.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  if (fromProtocol) return fromProtocol.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  const fromQuery = url.searchParams.get(TOKEN_PARAM);
  if (fromQuery) return fromQuery;
  const auth = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return auth?.[1];
}

export function requestedTarget(url: URL): string | undefined {
  return url.searchParams.get(TARGET_PARAM) ?? undefined;
}

export async function admit(cfg: ResolvedConfig, r: AdmissionRequest): Promise<Admission | Refusal> {
  if (r.origin !== undefined && cfg.origins !== "*" && !cfg.origins.has(r.origin)) {
    return {
      code: CloseCode.Forbidden,
      kind: RefusalReason.Origin,
      reason: `origin ${r.origin.slice(0, 60)} is not allowed by the bridge's origins`,
    };
  }
  const unauthorized = (kind: RefusalReason, reason: string): Refusal => ({
    code: CloseCode.Unauthorized,
    kind,
    reason,
  });
  let tokenTarget: string | undefined;
  if (cfg.requireToken) {
    if (!r.token) return unauthorized(RefusalReason.NoToken, "a token is required");
    const signed = verifySignedToken(r.token, cfg.secrets);
    if (signed && !signed.ok) return unauthorized(RefusalReason.BadToken, signed.reason);
    if (signed?.ok) tokenTarget = signed.target;
    else if (!isStaticToken(r.token, cfg.staticTokens)) {
      if (!cfg.verifyToken) return unauthorized(RefusalReason.BadToken, "token not accepted");
      let verdict: Awaited<ReturnType<typeof cfg.verifyToken>>;
      try {
        verdict = await cfg.verifyToken(r.token, { target: r.requested, origin: r.origin, ip: r.ip });
      } catch (err) {
        cfg.log({
          level: "error",
          event: "error",
          ip: r.ip,
          error: `verifyToken threw: ${err instanceof Error ? err.message : String(err)}`,
        });
        return unauthorized(RefusalReason.BadToken, "token check failed");
      }
      if (!verdict) return unauthorized(RefusalReason.BadToken, "token not accepted");
      if (typeof verdict === "object") tokenTarget = verdict.target;
    }
  }
  let name = r.requested ?? tokenTarget;
  if (name === undefined) {
    if (cfg.targets.size !== 1) {
      return {
        code: CloseCode.Forbidden,
        kind: RefusalReason.NoTarget,
        reason: `name a target (one of: ${[...cfg.targets.keys()].join(", ")})`.slice(0, 120),
      };
    }
    name = cfg.targets.keys().next().value!;
  }
  if (tokenTarget !== undefined && name !== tokenTarget) {
    return {
      code: CloseCode.Forbidden,
      kind: RefusalReason.TokenTarget,
      reason: `the token is for target '${tokenTarget}', not '${name.slice(0, 40)}'`,
    };
  }
  const target = cfg.targets.get(name);
  if (!target) {
    return {
      code: CloseCode.Forbidden,
      kind: RefusalReason.UnknownTarget,
      reason: `unknown target '${name.slice(0, 60)}'`,
    };
  }
  return { target };
}

/** The client's address: the socket's, or behind your own proxy the last X-Forwarded-For entry. */
export function clientIp(req: http.IncomingMessage, cfg: ResolvedConfig): string {
  let ip = req.socket.remoteAddress ?? "unknown";
  if (cfg.trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const last = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",").pop()?.trim();
    if (last) ip = last;
  }
  return normalizeIp(ip);
}

export function normalizeIp(ip: string): string {
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}
