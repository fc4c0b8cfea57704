// Opens the bridge's side of a session: a TCP or Unix socket to a configured target, then, when
// the target asks for it, SSLRequest and the TLS handshake (verify-full checks CA and name).
// PostgreSQL docs: Frontend/Backend Protocol, "SSL Session Encryption".

import * as net from "node:net";
import * as tls from "node:tls";
import { connectionTlsOptions } from "../src/transport/tls-context.js";
import { type BridgeTarget, isIpLiteral } from "./config.js";

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** Why dialling failed, worded for the client's close reason (no addresses: they are the operator's). */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(
    readonly reason: string,
    /** Full detail for the bridge's own log. */
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Connects to the target; resolves with a socket ready for the PostgreSQL startup bytes. */
export async function dialTarget(target: BridgeTarget, timeoutMs: number, signal: AbortSignal): Promise<net.Socket> {
  const plain = await connectSocket(target, timeoutMs, signal);
  if (target.tls.mode === "disable") return plain;
  try {
    return await upgradeToTls(plain, target, timeoutMs, signal);
  } catch (err) {
    plain.destroy();
    throw err;
  }
}

function where(target: BridgeTarget): string {
  return target.kind === "unix" ? `unix socket ${target.path}` : `${target.host}:${target.port}`;
}

function connectSocket(target: BridgeTarget, timeoutMs: number, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      target.kind === "unix"
        ? net.connect({ path: target.path })
        : net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(
      () =>
        done(
          new UpstreamError(
            `connecting to target '${target.name}' timed out`,
            `connect to ${where(target)} timed out after ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    const onAbort = (): void => done(new UpstreamError("cancelled", "client went away while connecting"));
    const onError = (err: NodeJS.ErrnoException): void =>
      done(
        new UpstreamError(
          `could not connect to target '${target.name}' (${err.code ?? "error"})`,
          `connect to ${where(target)}: ${err.message}`,
        ),
      );
    const onConnect = (): void => done(null);
    function done(err: Error | null): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      socket.off("connect", onConnect);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        resolve(socket);
      }
    }
    signal.addEventListener("abort", onAbort);
    socket.once("error", onError);
    socket.once("connect", onConnect);
  });
}

const ALPN_POSTGRESQL = "postgresql";

async function upgradeToTls(
  socket: net.Socket,
  target: BridgeTarget,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<net.Socket> {
  const direct = target.tls.negotiation === "direct";
  if (!direct) {
    const answer = await sslAnswer(socket, target, timeoutMs, signal);
    if (answer !== "S") {
      throw new UpstreamError(
        `target '${target.name}' does not accept TLS`,
        `${where(target)} answered '${answer}' to SSLRequest but the target is configured with tls "${target.tls.mode}"`,
      );
    }
  }
  const host = target.kind === "tcp" ? target.host : "localhost";
  const servername = target.tls.servername ?? (isIpLiteral(host) ? undefined : host);
  const verify = target.tls.mode === "verify-full";
  // Made as the driver's (a shared context, a key share PostgreSQL takes at once): see tls-context.ts.
  const options = connectionTlsOptions({
    // `host` is what the certificate is checked against when there is no servername (IP targets).
    host: target.tls.servername ?? host,
    servername,
    ca: target.tls.ca,
    rejectUnauthorized: verify,
    ...(verify ? {} : { checkServerIdentity: () => undefined }),
    // What PostgreSQL 17+ expects (and requires for a direct handshake); older servers ignore it.
    ALPNProtocols: [ALPN_POSTGRESQL],
  });
  const secure = tls.connect({ ...options, socket });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        done(
          new UpstreamError(
            `TLS with target '${target.name}' timed out`,
            `TLS handshake with ${where(target)} timed out`,
          ),
        ),
      timeoutMs,
    );
    const onAbort = (): void => done(new UpstreamError("cancelled", "client went away during TLS"));
    const onError = (err: Error): void =>
      done(
        new UpstreamError(
          direct
            ? `TLS with target '${target.name}' failed (certificate not trusted, or direct TLS to PostgreSQL < 17?)`
            : `TLS with target '${target.name}' failed (certificate not trusted?)`,
          `TLS with ${where(target)}: ${err.message}`,
        ),
      );
    const onSecure = (): void => {
      if (direct && secure.alpnProtocol !== ALPN_POSTGRESQL) {
        done(
          new UpstreamError(
            `target '${target.name}' did not take the direct TLS handshake as PostgreSQL`,
            `${where(target)} completed TLS without selecting ALPN "${ALPN_POSTGRESQL}" (negotiation "direct")`,
          ),
        );
      } else done(null);
    };
    function done(err: Error | null): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      secure.off("error", onError);
      secure.off("secureConnect", onSecure);
      if (err) {
        secure.destroy();
        reject(err);
      } else resolve(secure);
    }
    signal.addEventListener("abort", onAbort);
    secure.once("error", onError);
    secure.once("secureConnect", onSecure);
  });
}

/** Sends SSLRequest and reads the one-byte answer; more bytes than that are refused (CVE-2021-23222). */
function sslAnswer(socket: net.Socket, target: BridgeTarget, timeoutMs: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        done(
          new UpstreamError(
            `target '${target.name}' did not answer SSLRequest`,
            `no SSLRequest answer from ${where(target)}`,
          ),
        ),
      timeoutMs,
    );
    const onAbort = (): void => done(new UpstreamError("cancelled", "client went away during SSLRequest"));
    const onError = (err: NodeJS.ErrnoException): void =>
      done(
        new UpstreamError(
          `target '${target.name}' closed the connection (${err.code ?? "error"})`,
          `SSLRequest to ${where(target)}: ${err.message}`,
        ),
      );
    const onClose = (): void =>
      done(
        new UpstreamError(`target '${target.name}' closed the connection`, `${where(target)} closed during SSLRequest`),
      );
    const onData = (chunk: Buffer): void => {
      if (chunk.length !== 1) {
        done(
          new UpstreamError(
            `target '${target.name}' sent an invalid SSL answer`,
            `${where(target)} sent ${chunk.length} bytes in answer to SSLRequest`,
          ),
        );
      } else done(null, String.fromCharCode(chunk[0]!));
    };
    function done(err: Error | null, answer?: string): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
      if (err) reject(err);
      else resolve(answer!);
    }
    signal.addEventListener("abort", onAbort);
    socket.on("data", onData);
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.write(SSL_REQUEST);
  });
}
