// Opens the byte stream a connection runs on and negotiates TLS on it as sslmode and
// sslnegotiation say: SSLRequest first, or a direct handshake (PostgreSQL docs: libpq, "SSL
// Support"). Node transports are imported lazily through `#node-transport` (browser and worker
// bundles resolve it to transport/node-unavailable.ts) and files lazily, so browser bundles
// never reach node:net / node:tls / node:fs.

import type { TlsSettings } from "../config/tls-settings.js";
import { InterfaceError, OperationalError } from "../errors.js";
import * as msg from "../protocol/serializer.js";
import type { TlsOptions, Transport } from "../transport/transport.js";
import type { ResolvedOptions } from "./options.js";

export async function openTransport(o: ResolvedOptions, signal?: AbortSignal): Promise<Transport> {
  let transport: Transport;
  if (o.bridge !== undefined && o.bridge !== null) {
    if (o.ssl_context == null && ["require", "verify-ca", "verify-full"].includes(o.tls.mode)) {
      throw new InterfaceError(
        `sslmode=${o.tls.mode} does not apply through the bridge: TLS to PostgreSQL is set per target in the ` +
          "bridge's config, and wss:// protects the connection to the bridge",
      );
    }
    const { connectBridge } = await import("../transport/websocket.js");
    return connectBridge(o);
  }
  if (o.sock) {
    if (isTransport(o.sock)) {
      transport = o.sock;
    } else {
      const { NodeTransport } = await import("#node-transport");
      transport = new NodeTransport(o.sock as unknown as import("node:stream").Duplex);
    }
  } else {
    const { connectSocket } = await import("#node-transport");
    transport = await connectSocket({
      host: o.hostaddr ?? o.host,
      port: o.port,
      unixSock: o.unix_sock,
      sourceAddress: o.source_address,
      keepAlive: o.tcp_keepalive,
      keepAliveIdle: o.keepalives_idle,
      timeout: o.timeout,
      signal,
    });
  }
  const abort = (): void => transport.destroy(signal?.reason);
  signal?.addEventListener("abort", abort, { once: true });
  try {
    await negotiateTls(transport, o);
  } catch (err) {
    transport.destroy();
    throw err;
  } finally {
    signal?.removeEventListener("abort", abort);
  }
  return transport;
}

function isTransport(sock: unknown): sock is Transport {
  return typeof (sock as Transport).attach === "function" && typeof (sock as Transport).write === "function";
}

const IP_ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

async function negotiateTls(transport: Transport, o: ResolvedOptions): Promise<void> {
  const mode = o.tls.mode;
  if (o.tlsUsed) o.tlsUsed.value = false;
  if (mode === "disable" || mode === "allow") return;
  const required = mode !== "prefer";
  if (!transport.startTls) {
    if (required) {
      throw new InterfaceError(
        `this transport cannot do TLS itself; use sslmode=prefer or disable (it is sslmode=${mode})`,
      );
    }
    return;
  }
  const direct = o.tls.negotiation === "direct";
  if (!direct && (await sslResponse(transport, o.timeout)) === "N") {
    if (required) {
      throw new InterfaceError(
        `the server refuses SSL (it answered 'N' to SSLRequest), and sslmode=${mode} requires it; ` +
          "enable ssl on the server or use sslmode=prefer/disable",
      );
    }
    return;
  }
  const options = await nodeTlsOptions(o.tls, o.host);
  await (direct ? directTls(transport, options) : transport.startTls(options));
  if (o.tlsUsed) o.tlsUsed.value = true;
}

/** The protocol name PostgreSQL 17+ expects in TLS's ALPN extension (libpq sends it too). */
const ALPN_POSTGRESQL = "postgresql";

/**
 * sslnegotiation=direct: the TLS handshake is the first thing on the socket, no SSLRequest (one
 * round trip less). The server must select ALPN "postgresql", which proves it is a PostgreSQL 17+
 * that took the connection as such (PostgreSQL docs: Protocol Flow, "SSL Session Encryption").
 */
async function directTls(transport: Transport, options: TlsOptions): Promise<void> {
  try {
    await transport.startTls?.({ ...options, ALPNProtocols: [ALPN_POSTGRESQL] });
  } catch (err) {
    // A certificate the checks refused is that, whatever the negotiation; anything else (the
    // server hung up, or answered bytes that are not TLS) is what an older server does.
    if (!(err instanceof OperationalError) || isCertificateError(err.cause)) throw err;
    throw new OperationalError(
      `${err.message} (sslnegotiation=direct needs PostgreSQL 17 or later with ssl = on; ` +
        "use sslnegotiation=postgres for an older server or a pooler that does not accept direct TLS)",
      { cause: err },
    );
  }
  const alpn = transport.alpnProtocol?.() ?? null;
  if (alpn !== ALPN_POSTGRESQL) {
    throw new InterfaceError(
      alpn === null
        ? "sslnegotiation=direct: the server completed the TLS handshake without selecting ALPN protocol " +
            `"${ALPN_POSTGRESQL}", so it may not be PostgreSQL; use sslnegotiation=postgres`
        : `sslnegotiation=direct: the server selected ALPN protocol "${alpn}" instead of "${ALPN_POSTGRESQL}"`,
    );
  }
}

/** Node's and OpenSSL's codes for a certificate that failed verification or the host name check. */
function isCertificateError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME/.test(code);
}

/**
 * Node tls.connect options for the settings. verify-ca checks the chain against the root
 * certificates but not the host name; verify-full checks both; require checks the chain only
 * when a root certificate file is there (libpq's rule), otherwise nothing.
 */
async function nodeTlsOptions(t: TlsSettings, host: string): Promise<TlsOptions> {
  const name = IP_ADDRESS.test(host) ? undefined : host;
  const servername = t.sni ? name : undefined;
  // ALPN "postgresql" on every handshake, as libpq 17 sends it: servers before 17 ignore it.
  const ALPNProtocols = [ALPN_POSTGRESQL];
  if (t.custom) return { servername, ALPNProtocols, ...(t.custom as TlsOptions) };
  if (t.unverified) return { servername, ALPNProtocols, rejectUnauthorized: false };
  const files = await import("#node-files");
  const options: TlsOptions = { servername, ALPNProtocols, minVersion: t.minVersion };
  if (t.maxVersion) options.maxVersion = t.maxVersion;

  let mode = t.mode;
  let rootcert = t.rootcert;
  if (rootcert === undefined) {
    const fallback = files.postgresqlDir("root.crt");
    if (files.fileExists(fallback)) rootcert = fallback;
    else if (mode === "verify-ca" || mode === "verify-full") {
      throw new InterfaceError(
        `sslmode=${mode} needs root certificates to check the server's against, but sslrootcert is not set and ` +
          `"${fallback}" does not exist: set sslrootcert to the CA file, or sslrootcert=system for the system's trusted roots`,
      );
    }
  }
  if (rootcert !== undefined && rootcert !== "system" && mode === "require") mode = "verify-ca";
  if (mode === "verify-ca" || mode === "verify-full") {
    options.rejectUnauthorized = true;
    if (rootcert !== "system") options.ca = files.readConfiguredFile(rootcert!, "sslrootcert");
    // Host name (or IP address) checked against the certificate only for verify-full.
    if (mode === "verify-ca") options.checkServerIdentity = () => undefined;
    else options.host = host;
  } else {
    options.rejectUnauthorized = false;
  }
  if (t.crl) options.crl = files.readConfiguredFile(t.crl, "sslcrl");
  else if (t.crldir) options.crl = files.readCrlDir(t.crldir);

  if (t.sendCertificate) {
    const cert = t.cert ?? files.postgresqlDir("postgresql.crt");
    const key = t.key ?? files.postgresqlDir("postgresql.key");
    // As in libpq, the default certificate is optional; a named one must exist.
    if (t.cert !== undefined || files.fileExists(cert)) {
      options.cert = files.readConfiguredFile(cert, "sslcert");
      files.checkPrivateKeyPermissions(key);
      options.key = files.readConfiguredFile(key, "sslkey");
      if (t.password !== undefined) options.passphrase = t.password;
    }
  }
  return options;
}

/** Sends SSLRequest and reads the server's one-byte answer. */
function sslResponse(transport: Transport, timeout: number | undefined): Promise<"S" | "N"> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (timeout !== undefined) {
      timer = setTimeout(() => {
        reject(new OperationalError(`timeout: no answer to SSLRequest within ${timeout} s`));
      }, timeout * 1000);
    }
    let done = false;
    transport.attach({
      data: (chunk) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        const answer = String.fromCharCode(chunk[0]!);
        if (chunk.length > 1) {
          // Bytes after the answer were not protected by TLS: refuse them (CVE-2021-23222).
          reject(new InterfaceError("the server sent unexpected data after its SSL response; refusing to continue"));
        } else if (answer === "S" || answer === "N") {
          resolve(answer);
        } else if (answer === "E") {
          reject(new InterfaceError("the server does not understand SSLRequest (protocol version too old?)"));
        } else {
          reject(new InterfaceError(`unexpected answer to SSLRequest: 0x${chunk[0]!.toString(16)}`));
        }
      },
      close: (error) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        reject(error ?? new OperationalError("the server closed the connection during SSL negotiation"));
      },
    });
    const w = new msg.MessageWriter(8);
    msg.sslRequest(w);
    transport.write(w.take());
  });
}
