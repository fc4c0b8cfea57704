// How TLS is negotiated, from sslmode and the ssl* parameters (PostgreSQL docs: libpq, "SSL
// Support", table "SSL Mode Descriptions") or from the driver's own ssl_context option.
// Pure: the files named here are read when the connection opens (transport-open.ts).

import { InterfaceError } from "../errors.js";

export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
type TlsVersion = (typeof TLS_VERSIONS)[number];

/** How TLS starts: "postgres" asks first (SSLRequest); "direct" opens with the TLS handshake (PostgreSQL 17+). */
export type SslNegotiation = "postgres" | "direct";

export interface TlsSettings {
  mode: SslMode;
  negotiation: SslNegotiation;
  /** Node TLS options from an ssl_context object: used as they are, TLS required. */
  custom?: Record<string, unknown>;
  /** ssl_context: true (TLS required, nothing verified, root certificates not consulted). */
  unverified?: boolean;
  /** CA file, "system" for the system's trusted roots; undefined = ~/.postgresql/root.crt if present. */
  rootcert?: string;
  cert?: string;
  key?: string;
  password?: string;
  crl?: string;
  crldir?: string;
  /** Send the host name as SNI (sslsni, default on). */
  sni: boolean;
  /** Whether a client certificate may be sent (sslcertmode=disable: never). */
  sendCertificate: boolean;
  minVersion: TlsVersion;
  maxVersion?: TlsVersion;
}

export interface TlsInput {
  ssl_context?: unknown;
  sslmode?: string;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  sslpassword?: string;
  sslcrl?: string;
  sslcrldir?: string;
  sslsni?: number;
  sslcertmode?: string;
  sslnegotiation?: string;
  ssl_min_protocol_version?: string;
  ssl_max_protocol_version?: string;
  gssencmode?: string;
}

function version(name: string, value: string | undefined): TlsVersion | undefined {
  if (value === undefined || value === "") return undefined;
  if (!(TLS_VERSIONS as readonly string[]).includes(value)) {
    throw new InterfaceError(`invalid ${name} "${value}": use ${TLS_VERSIONS.join(", ")}`);
  }
  return value as TlsVersion;
}

export function tlsSettings(o: TlsInput): TlsSettings {
  const ssl = o.ssl_context;
  if (ssl !== undefined && ssl !== null && o.sslmode !== undefined) {
    throw new InterfaceError("give either 'ssl_context' or 'sslmode', not both");
  }
  let mode: SslMode;
  if (ssl === false) mode = "disable";
  else if (ssl === true || (typeof ssl === "object" && ssl !== null)) mode = "require";
  else mode = (o.sslmode as SslMode | undefined) ?? (o.sslrootcert === "system" ? "verify-full" : "prefer");
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new InterfaceError(`invalid sslmode "${String(mode)}": use ${SSL_MODES.join(", ")}`);
  }
  if (o.sslrootcert === "system" && mode !== "verify-full" && mode !== "disable" && ssl == null) {
    // The system's roots vouch for any name they signed: only a host name check makes them safe.
    throw new InterfaceError(`weak sslmode "${mode}" may not be used with sslrootcert=system (use "verify-full")`);
  }
  const negotiation = o.sslnegotiation || "postgres";
  if (negotiation !== "postgres" && negotiation !== "direct") {
    throw new InterfaceError(`invalid sslnegotiation "${negotiation}": use postgres or direct`);
  }
  if (negotiation === "direct" && mode !== "require" && mode !== "verify-ca" && mode !== "verify-full") {
    // As libpq: a direct handshake cannot fall back to plaintext, so the mode must demand TLS.
    throw new InterfaceError(
      `weak sslmode "${mode}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`,
    );
  }
  if (o.gssencmode !== undefined && !["disable", "prefer", "require"].includes(o.gssencmode)) {
    throw new InterfaceError(`invalid gssencmode "${o.gssencmode}": use disable, prefer or require`);
  }
  if (o.gssencmode === "require") {
    throw new InterfaceError(
      "gssencmode=require: GSSAPI encryption is not supported by this driver; use sslmode instead",
    );
  }
  const certmode = o.sslcertmode ?? "allow";
  if (certmode !== "disable" && certmode !== "allow" && certmode !== "require") {
    throw new InterfaceError(`invalid sslcertmode "${certmode}": use disable, allow or require`);
  }
  if (certmode === "require") {
    throw new InterfaceError(
      "sslcertmode=require is not supported: Node does not report whether the server asked for a client certificate",
    );
  }
  const minVersion = version("ssl_min_protocol_version", o.ssl_min_protocol_version) ?? "TLSv1.2";
  const maxVersion = version("ssl_max_protocol_version", o.ssl_max_protocol_version);
  if (maxVersion && TLS_VERSIONS.indexOf(maxVersion) < TLS_VERSIONS.indexOf(minVersion)) {
    throw new InterfaceError(`ssl_max_protocol_version ${maxVersion} is below ssl_min_protocol_version ${minVersion}`);
  }
  return {
    mode,
    negotiation,
    custom: typeof ssl === "object" && ssl !== null ? (ssl as Record<string, unknown>) : undefined,
    unverified: ssl === true,
    rootcert: o.sslrootcert || undefined,
    cert: o.sslcert || undefined,
    key: o.sslkey || undefined,
    password: o.sslpassword || undefined,
    crl: o.sslcrl || undefined,
    crldir: o.sslcrldir || undefined,
    sni: o.sslsni !== 0,
    sendCertificate: certmode !== "disable",
    minVersion,
    maxVersion,
  };
}
