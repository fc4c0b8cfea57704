// The bridge's address from the `bridge` connect option: the URL (target and token in the query
// where needed) and the WebSocket subprotocols to offer. Checks the option and says what to fix.

import {
  BRIDGE_SUBPROTOCOL,
  BRIDGE_SUBPROTOCOL_DEFLATE,
  SUBPROTOCOL_SAFE,
  TARGET_PARAM,
  TOKEN_PARAM,
  TOKEN_SUBPROTOCOL_PREFIX,
} from "../bridge-protocol.js";
import { type BridgeOptions, isNode } from "../core/options.js";
import { InterfaceError } from "../errors.js";
import { canInflate } from "./inflate.js";

export interface BridgeAddress {
  url: string;
  protocols: string[];
  /** A plain relay (bridge.protocol "raw"): no subprotocol offered or checked. */
  raw: boolean;
  /** The URL without the token, for messages. */
  shown: string;
}

export function bridgeAddress(option: string | BridgeOptions): BridgeAddress {
  const bridge: BridgeOptions = typeof option === "string" ? { url: option } : option;
  if (bridge === null || typeof bridge !== "object" || typeof bridge.url !== "string" || bridge.url === "") {
    throw new InterfaceError("'bridge' must be a ws:// or wss:// URL, or { url, token?, target?, protocol? }");
  }
  for (const key of Object.keys(bridge)) {
    if (!["url", "token", "target", "protocol", "compression"].includes(key))
      throw new InterfaceError(`unknown bridge option '${key}'; valid: url, token, target, protocol, compression`);
  }
  const protocol = bridge.protocol ?? "pg8000";
  if (protocol !== "pg8000" && protocol !== "raw") {
    throw new InterfaceError(
      `bridge.protocol must be "pg8000" (a pg8000 bridge) or "raw" (a relay of binary frames), got ${JSON.stringify(protocol)}`,
    );
  }
  const raw = protocol === "raw";
  if (bridge.compression !== undefined && typeof bridge.compression !== "boolean") {
    throw new InterfaceError("bridge.compression must be true or false");
  }
  if (raw && bridge.compression === true) {
    throw new InterfaceError(
      'bridge.compression needs a pg8000 bridge; a raw relay (protocol: "raw") sends bytes as they are',
    );
  }
  if (raw && bridge.target !== undefined) {
    throw new InterfaceError(
      'bridge.target does not apply with protocol: "raw": a raw relay picks the server itself (put it in bridge.url if the relay takes it there)',
    );
  }
  if (bridge.token !== undefined && (typeof bridge.token !== "string" || bridge.token === "")) {
    throw new InterfaceError("bridge.token must be a non-empty string");
  }
  if (bridge.target !== undefined && (typeof bridge.target !== "string" || bridge.target === "")) {
    throw new InterfaceError("bridge.target must be the name of one of the bridge's targets");
  }
  let url: URL;
  try {
    const base = (globalThis as { location?: { href: string } }).location?.href;
    url = base === undefined ? new URL(bridge.url) : new URL(bridge.url, base);
  } catch {
    throw new InterfaceError(
      `bridge.url ${JSON.stringify(bridge.url)} is not a URL; expected e.g. wss://bridge.example.com/`,
    );
  }
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new InterfaceError(`bridge.url must start with ws:// or wss://, got ${url.protocol}//`);
  }
  if (bridge.target !== undefined) url.searchParams.set(TARGET_PARAM, bridge.target);
  url.searchParams.delete(TOKEN_PARAM);
  const shown = url.href;
  if (raw) {
    // A raw relay gets no subprotocol: browsers cannot send headers, so a token can only ride in the query.
    if (bridge.token !== undefined) url.searchParams.set(TOKEN_PARAM, bridge.token);
    return { url: url.href, protocols: [], shown, raw };
  }
  // Compressed by default where the bridge's bytes reach the page slowly (browsers); in Node the
  // WebSocket is as fast as the bridge's CPU, so compression would only cost.
  const compress = (bridge.compression ?? !isNode()) && canInflate();
  const protocols = compress ? [BRIDGE_SUBPROTOCOL_DEFLATE, BRIDGE_SUBPROTOCOL] : [BRIDGE_SUBPROTOCOL];
  if (bridge.token !== undefined) {
    // The subprotocol header keeps the token out of URLs (and access logs); other characters go in the query.
    if (SUBPROTOCOL_SAFE.test(bridge.token)) protocols.push(`${TOKEN_SUBPROTOCOL_PREFIX}${bridge.token}`);
    else url.searchParams.set(TOKEN_PARAM, bridge.token);
  }
  return { url: url.href, protocols, shown, raw };
}
