// Bridge tokens: static ones from the config, and short-lived HMAC-SHA256-signed ones that
// carry their target and expiry (minted by the application server, handed to the page).
// Format: "p8b1." + base64url(JSON {t: target, exp: unix seconds}) + "." + base64url(signature).
// Only characters allowed in a Sec-WebSocket-Protocol value, so the token can travel there.

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { CloseCode, SIGNED_TOKEN_PREFIX as PREFIX } from "../src/bridge-protocol.js";

export interface MintTokenOptions {
  /** The bridge's tokenSecret (the first one, when it has several). */
  secret: string;
  /** The target name the token opens. */
  target: string;
  /** Lifetime in seconds; default 300. Keep it short: tokens end up in URLs and history. */
  expiresIn?: number;
}

/** A signed token for one target, valid for `expiresIn` seconds. */
export function mintToken(options: MintTokenOptions): string {
  const { secret, target } = options;
  const expiresIn = options.expiresIn ?? 300;
  if (typeof secret !== "string" || secret.length < 32)
    throw new TypeError("mintToken: secret must be the bridge's tokenSecret (≥ 32 characters)");
  if (typeof target !== "string" || target === "") throw new TypeError("mintToken: target must be a target name");
  if (!(expiresIn > 0) || !Number.isFinite(expiresIn))
    throw new TypeError("mintToken: expiresIn must be a positive number of seconds");
  const payload = Buffer.from(JSON.stringify({ t: target, exp: Math.floor(Date.now() / 1000 + expiresIn) })).toString(
    "base64url",
  );
  return `${PREFIX}${payload}.${sign(secret, payload)}`;
}

export type TokenCheck =
  | { ok: true; target?: string }
  | { ok: false; reason: string; code: typeof CloseCode.Unauthorized };

/**
 * Checks a signed token against the secrets. Returns null when the token is not in the
 * signed format at all (it may still be a static token or one for verifyToken).
 */
export function verifySignedToken(token: string, secrets: string[], now = Date.now()): TokenCheck | null {
  if (!token.startsWith(PREFIX)) return null;
  const parts = token.slice(PREFIX.length).split(".");
  if (parts.length !== 2) return { ok: false, code: CloseCode.Unauthorized, reason: "malformed token" };
  const [payload, signature] = parts as [string, string];
  if (!secrets.some((secret) => sameString(sign(secret, payload), signature))) {
    return { ok: false, code: CloseCode.Unauthorized, reason: "token signature is not valid" };
  }
  let claims: { t?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
  } catch {
    return { ok: false, code: CloseCode.Unauthorized, reason: "malformed token" };
  }
  if (typeof claims.exp !== "number" || typeof claims.t !== "string")
    return { ok: false, code: CloseCode.Unauthorized, reason: "malformed token" };
  if (claims.exp * 1000 <= now) return { ok: false, code: CloseCode.Unauthorized, reason: "token expired" };
  return { ok: true, target: claims.t };
}

/** Constant-time membership test for static tokens. */
export function isStaticToken(token: string, tokens: string[]): boolean {
  let found = false;
  for (const t of tokens) if (sameString(t, token)) found = true;
  return found;
}

function sign(secret: string, payload: string): string {
  return createHmac("sha256", secret)
    .update(PREFIX + payload)
    .digest("base64url");
}

/** Compares digests, so neither the length nor the content leaks through timing. */
function sameString(a: string, b: string): boolean {
  const da = createHash("sha256").update(a).digest();
  const db = createHash("sha256").update(b).digest();
  return timingSafeEqual(da, db);
}
