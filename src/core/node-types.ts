// Node types that appear in the public connect options, declared structurally so that browser,
// worker and Deno projects type-check without @types/node. Node's own values (a net.Socket, a
// stream.Duplex, a tls.ConnectionOptions object) are assignable to them.

type Pem = string | Uint8Array;

/**
 * The options of Node's `tls.connect()` (every name it takes, so typos are caught). The common
 * ones are typed; the rest are passed to Node unchanged and checked by it.
 */
export interface NodeTlsOptions {
  ca?: Pem | Pem[] | undefined;
  cert?: Pem | Pem[] | undefined;
  key?: Pem | unknown[] | undefined;
  passphrase?: string | undefined;
  pfx?: Pem | unknown[] | undefined;
  crl?: Pem | Pem[] | undefined;
  servername?: string | undefined;
  rejectUnauthorized?: boolean | undefined;
  checkServerIdentity?: ((hostname: string, cert: never) => Error | undefined) | undefined;
  minVersion?: string | undefined;
  maxVersion?: string | undefined;
  ciphers?: string | undefined;
  sigalgs?: string | undefined;
  ecdhCurve?: string | undefined;
  ALPNProtocols?: readonly string[] | ArrayBufferView | undefined;
  secureContext?: unknown;
  enableTrace?: boolean | undefined;
  requestCert?: boolean | undefined;
  SNICallback?: unknown;
  host?: string | undefined;
  port?: number | undefined;
  path?: string | undefined;
  socket?: unknown;
  session?: Uint8Array | undefined;
  minDHSize?: number | undefined;
  lookup?: unknown;
  timeout?: number | undefined;
  pskCallback?: unknown;
  ALPNCallback?: unknown;
  allowPartialTrustChain?: boolean | undefined;
  clientCertEngine?: string | undefined;
  dhparam?: Pem | undefined;
  honorCipherOrder?: boolean | undefined;
  privateKeyEngine?: string | undefined;
  privateKeyIdentifier?: string | undefined;
  secureOptions?: number | undefined;
  secureProtocol?: string | undefined;
  sessionIdContext?: string | undefined;
  ticketKeys?: Uint8Array | undefined;
  sessionTimeout?: number | undefined;
}

/** What the driver uses of a Node `stream.Duplex` (e.g. a net.Socket or an SSH channel). */
export interface DuplexLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  destroy(error?: Error): unknown;
  pause(): unknown;
  resume(): unknown;
}
