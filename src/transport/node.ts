// Node socket transport: TCP, Unix domain socket, TLS upgrade, or a Duplex the user opened.
// Only this module reaches node:net and node:tls; the core imports it lazily so that the
// browser bundle never does.

import * as net from "node:net";
import type { Duplex } from "node:stream";
import * as tls from "node:tls";
import { OperationalError } from "../errors.js";
import { connectionTlsOptions } from "./tls-context.js";
import type { TlsOptions, Transport, TransportHandlers } from "./transport.js";

export interface NodeConnectOptions {
  host: string;
  port: number;
  unixSock?: string;
  sourceAddress?: [string, number?];
  keepAlive: boolean;
  /** Seconds of idle time before the first keepalive probe (libpq's keepalives_idle). */
  keepAliveIdle?: number;
  /** Seconds; undefined = no limit. */
  timeout?: number;
  /** Aborts connecting: the socket is destroyed and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** After end() has flushed, how long the socket waits for the server to close before it is cut. */
const LINGER_MS = 5000;

export class NodeTransport implements Transport {
  private handlers: TransportHandlers | null = null;
  private early: Uint8Array[] = [];
  private finished = false;
  private closedWith: Error | null | undefined = undefined;
  private tlsSocket: tls.TLSSocket | null = null;
  /** The server certificate's DER, as the TLS handshake verified it. */
  private peerCertificate: Buffer | undefined;
  private ended: Promise<void> | null = null;
  private onFinished: (() => void) | null = null;

  constructor(private socket: Duplex) {
    this.listen(socket);
  }

  private listen(socket: Duplex): void {
    socket.on("data", this.onData);
    socket.on("error", this.onError);
    socket.on("close", this.onClose);
    socket.on("drain", this.onDrain);
  }

  private unlisten(socket: Duplex): void {
    socket.off("data", this.onData);
    socket.off("error", this.onError);
    socket.off("close", this.onClose);
    socket.off("drain", this.onDrain);
  }

  private onData = (chunk: Buffer): void => {
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.handlers) this.handlers.data(bytes);
    else this.early.push(bytes);
  };

  private onError = (err: Error): void => {
    this.finish(networkError(err));
  };

  private onClose = (): void => {
    this.finish(null);
  };

  private onDrain = (): void => {
    this.handlers?.drain?.();
  };

  private finish(error: Error | null): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinished?.();
    if (this.handlers) this.handlers.close(error);
    else this.closedWith = error;
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = [];
    for (const chunk of early) handlers.data(chunk);
    if (this.closedWith !== undefined) handlers.close(this.closedWith);
  }

  write(bytes: Uint8Array): boolean {
    if (this.finished) return false;
    return this.socket.write(bytes);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /**
   * Half-closes: the server sees our FIN after the pending bytes. Once those are flushed to the
   * OS the socket no longer keeps the process alive; it closes when the server closes its side
   * (a backend does so as it exits), or is cut after LINGER_MS.
   */
  end(): Promise<void> {
    if (this.ended) return this.ended;
    if (this.finished) return Promise.resolve();
    this.ended = new Promise<void>((resolve) => {
      this.onFinished = resolve;
      this.socket.end(() => {
        resolve();
        this.linger();
      });
    });
    return this.ended;
  }

  private linger(): void {
    if (this.finished) return;
    const socket = this.socket as Partial<net.Socket> & Duplex;
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    socket.unref?.();
  }

  destroy(error?: Error): void {
    this.socket.destroy();
    this.finish(error ?? null);
  }

  get encrypted(): boolean {
    return this.tlsSocket !== null;
  }

  async startTls(options: TlsOptions): Promise<void> {
    const plain = this.socket;
    this.unlisten(plain);
    const settings = connectionTlsOptions(options as tls.ConnectionOptions);
    // Node hands the verified certificate (DER included) to checkServerIdentity: kept for channel
    // binding, which would otherwise parse the certificate from the socket a second time.
    const checkIdentity = settings.checkServerIdentity ?? tls.checkServerIdentity;
    const checkServerIdentity = (host: string, cert: tls.PeerCertificate): Error | undefined => {
      this.peerCertificate = cert.raw;
      return checkIdentity(host, cert);
    };
    const secure = tls.connect({ ...settings, checkServerIdentity, socket: plain });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        secure.off("secureConnect", ok);
        reject(new OperationalError(`TLS handshake with the server failed: ${err.message}`, { cause: err }));
      };
      const ok = (): void => {
        secure.off("error", fail);
        resolve();
      };
      secure.once("secureConnect", ok);
      secure.once("error", fail);
    });
    this.socket = secure;
    this.tlsSocket = secure;
    this.listen(secure);
  }

  alpnProtocol(): string | null {
    const alpn = this.tlsSocket?.alpnProtocol;
    return typeof alpn === "string" ? alpn : null;
  }

  serverCertificate(): Uint8Array | null {
    // Unverified TLS never called checkServerIdentity: read the DER off the socket.
    const raw = this.peerCertificate ?? this.tlsSocket?.getPeerX509Certificate()?.raw;
    if (!raw) return null;
    return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  }
}

/** Opens a TCP or Unix socket connection; rejects with OperationalError saying what failed. */
export function connectSocket(opts: NodeConnectOptions): Promise<NodeTransport> {
  return new Promise((resolve, reject) => {
    const where = opts.unixSock ? `unix socket ${opts.unixSock}` : `${opts.host}:${opts.port}`;
    const socket = opts.unixSock
      ? net.connect({ path: opts.unixSock })
      : net.connect({
          host: opts.host,
          port: opts.port,
          localAddress: opts.sourceAddress?.[0],
          localPort: opts.sourceAddress?.[1],
        });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = (): void => {
      if (timer) clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("error", onError);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(opts.signal!.reason);
    };
    opts.signal?.addEventListener("abort", onAbort);
    const onConnect = (): void => {
      cleanup();
      socket.setNoDelay(true);
      if (opts.keepAlive) socket.setKeepAlive(true, (opts.keepAliveIdle ?? 0) * 1000);
      resolve(new NodeTransport(socket));
    };
    const onError = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(new OperationalError(`could not connect to ${where}: ${err.message}`, { cause: err }));
    };
    socket.once("connect", onConnect);
    socket.once("error", onError);
    if (opts.timeout !== undefined) {
      timer = setTimeout(() => {
        cleanup();
        socket.destroy();
        reject(new OperationalError(`could not connect to ${where}: timed out after ${opts.timeout} s`));
      }, opts.timeout * 1000);
    }
  });
}

function networkError(err: Error): OperationalError {
  return new OperationalError(`network error: ${err.message}`, { cause: err });
}
