// The byte-stream contract the core connection talks to. Implemented by the Node socket
// transport (TCP, Unix socket, TLS, a user's Duplex) and by the WebSocket bridge transport.

export interface TransportHandlers {
  /** A chunk of bytes from the server; the transport does not reuse it afterwards. */
  data(chunk: Uint8Array): void;
  /** The stream ended or failed; called exactly once. `error` is null for an orderly close. */
  close(error: Error | null): void;
  /** The outgoing buffer drained after write() returned false. */
  drain?(): void;
}

export interface Transport {
  /** Starts delivering events. Bytes that arrived before are delivered first. */
  attach(handlers: TransportHandlers): void;
  /** Queues bytes; false means the buffer is above its high-water mark (wait for drain). */
  write(bytes: Uint8Array): boolean;
  /** Stop / restart delivering data (backpressure for slow consumers such as COPY OUT). */
  pause(): void;
  resume(): void;
  /**
   * Ends this side of the stream after pending writes. Resolves once those bytes have left this
   * process (or the stream is gone); the stream closes for good when the peer closes its side, and
   * is cut off after a grace period if the peer never does. A transport that returns nothing
   * counts as having sent them at once.
   */
  end(): Promise<void> | void;
  /** Tears the stream down now. */
  destroy(error?: Error): void;
  /** True once traffic is encrypted (TLS to the server, or by the bridge). */
  readonly encrypted: boolean;
  /**
   * Upgrades to TLS after the server accepted an SSLRequest, or at once (sslnegotiation=direct). Transports that cannot (the
   * bridge does TLS itself and answers SSLRequest with 'N') leave it undefined.
   */
  startTls?(options: TlsOptions): Promise<void>;
  /** The ALPN protocol the server selected in the TLS handshake, null for none (sslnegotiation=direct checks it). */
  alpnProtocol?(): string | null;
  /** DER bytes of the server certificate, for SCRAM channel binding (tls-server-end-point). */
  serverCertificate?(): Uint8Array | null;
}

/** TLS options as Node's tls.connect takes them (kept structural so browsers need no Node types). */
export type TlsOptions = Record<string, unknown> & { servername?: string; rejectUnauthorized?: boolean };
