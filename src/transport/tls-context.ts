// TLS secure contexts shared by connections with the same certificate settings. Without one,
// tls.connect builds a new context from the options on every connection: parsing the root
// certificates into a fresh store (~0.4 ms of CPU for one CA on the benchmark machine), the
// same work for every connect of a process that connects again and again.
//
// Only options made of the settings below are shared; anything else (ciphers, pfx, a context the
// user made, …) goes to tls.connect untouched, so a context is never shared on options this
// module does not know. The key holds the settings' contents (files are read on every connect,
// so a changed file means a new context).

import * as tls from "node:tls";

/** What the context is made of. */
const CONTEXT_KEYS = ["ca", "cert", "key", "passphrase", "crl", "minVersion", "maxVersion", "ecdhCurve"] as const;
/** What tls.connect applies to each connection itself, next to a secureContext. */
const CONNECTION_KEYS = new Set(["servername", "host", "rejectUnauthorized", "checkServerIdentity", "ALPNProtocols"]);
const KNOWN = new Set<string>([...CONTEXT_KEYS, ...CONNECTION_KEYS]);

/** Enough for a few databases with different certificates; past that, start over. */
const MAX_CONTEXTS = 16;
const contexts = new Map<string, tls.SecureContext>();

/**
 * What tls.connect is given for a connection to PostgreSQL: the preferred key-exchange groups
 * unless the options name their own (or bring a context), then a shared context where possible.
 */
export function connectionTlsOptions(options: tls.ConnectionOptions): tls.ConnectionOptions {
  const groups =
    options.ecdhCurve === undefined && options.secureContext === undefined ? keyExchangeGroups() : undefined;
  return withSharedContext(groups === undefined ? options : { ...options, ecdhCurve: groups });
}

/** The options with a shared secureContext in place of the context settings, or the options as they are. */
export function withSharedContext(options: tls.ConnectionOptions): tls.ConnectionOptions {
  const key = contextKey(options);
  if (key === null) return options;
  let context = contexts.get(key);
  if (context === undefined) {
    const settings: tls.SecureContextOptions = {};
    for (const k of CONTEXT_KEYS) if (options[k] !== undefined) Object.assign(settings, { [k]: options[k] });
    context = tls.createSecureContext(settings);
    if (contexts.size >= MAX_CONTEXTS) contexts.clear();
    contexts.set(key, context);
  }
  const shared: tls.ConnectionOptions = { secureContext: context };
  for (const k of CONNECTION_KEYS) {
    const v = options[k as keyof tls.ConnectionOptions];
    if (v !== undefined) Object.assign(shared, { [k]: v });
  }
  return shared;
}

/**
 * The key-exchange groups a client offers, P-256 first. OpenSSL before 3.5 sends a key share for
 * the first group of its list only, and its default list starts with X25519, while PostgreSQL up
 * to 17 agrees only on its ssl_ecdh_curve (prime256v1 unless configured): every handshake then
 * takes a HelloRetryRequest, one more round trip and a second key pair. P-256 first saves both;
 * PostgreSQL 18's default ssl_groups (X25519:prime256v1) accepts a P-256 share as it is. The rest
 * of OpenSSL's default list follows, so a server set to any of those still agrees. A runtime whose
 * TLS library rejects the list (another library, fewer groups) keeps its own default.
 */
export function keyExchangeGroups(): string | undefined {
  if (groups === null) {
    groups = undefined;
    for (const list of groupLists(process.versions.openssl)) {
      try {
        tls.createSecureContext({ ecdhCurve: list });
        groups = list;
        break;
      } catch {
        // not supported here: try a shorter list
      }
    }
  }
  return groups;
}
let groups: string | undefined | null = null;

/**
 * The lists to try, best first, for the runtime's OpenSSL version. None from OpenSSL 3.5 on: its
 * default offers a post-quantum hybrid group with key shares of its own, which a list of ours
 * would drop (PostgreSQL up to 17 still asks again there).
 */
export function groupLists(openssl: string | undefined): string[] {
  const version = /^(\d+)\.(\d+)/.exec(openssl ?? "");
  if (version && (Number(version[1]) > 3 || (Number(version[1]) === 3 && Number(version[2]) >= 5))) return [];
  return [
    "P-256:X25519:X448:P-521:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192",
    "P-256:X25519:P-521:P-384",
  ];
}

/** A string naming the context settings, or null when the options hold anything else. */
function contextKey(options: tls.ConnectionOptions): string | null {
  for (const [k, v] of Object.entries(options)) if (v !== undefined && !KNOWN.has(k)) return null;
  const parts: string[] = [];
  for (const k of CONTEXT_KEYS) {
    const part = settingText(options[k]);
    if (part === null) return null;
    parts.push(part);
  }
  return parts.join("\u0000");
}

/** One setting as text (base64 has no separators): strings and bytes by content, lists element by element, else null. */
function settingText(value: unknown): string | null {
  if (value === undefined) return "-";
  // A PEM as a string or as its bytes makes the same context: one key for both.
  if (typeof value === "string") return `b${Buffer.from(value).toString("base64")}`;
  if (ArrayBuffer.isView(value))
    return `b${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64")}`;
  if (Array.isArray(value)) {
    const items = value.map(settingText);
    return items.includes(null) ? null : `a${items.length}[${items.join(",")}]`;
  }
  return null; // objects such as { pem, passphrase } key entries: not shared
}
