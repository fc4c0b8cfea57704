// WebSocket transport to the pg8000 bridge (browser mode; also Node through the `ws` package).
// Raw PostgreSQL bytes travel as binary messages whose boundaries mean nothing; the bridge picks
// the server from its own configuration (?target=NAME) and does TLS to it, answering SSLRequest
// with 'N' itself. With bridge.protocol "raw" the same bytes go to any wsproxy-style relay (no
// subprotocol). The contract with the bridge: src/bridge-protocol.ts; design/ARCHITECTURE.md.
// No Node built-ins on this path.

import {
  BRIDGE_SUBPROTOCOL,
  CloseCode,
  SUBPROTOCOL_SAFE,
  TARGET_PARAM,
  TOKEN_PARAM,
  TOKEN_SUBPROTOCOL_PREFIX,
} from "../bridge-protocol.js";
import type { BridgeOptions, ResolvedOptions } from "../core/options.js";
import { InterfaceError, OperationalError } from "../errors.js";
import type { Transport, TransportHandlers } from "./transport.js";

export { BRIDGE_SUBPROTOCOL };

/** Outgoing messages are cut at this size, well below any sane bridge maxPayload. */
const MAX_FRAME = 64 * 1024;
/** write() returns false above this many buffered bytes; drain fires below half of it. */
const HIGH_WATER = 1024 * 1024;
const DRAIN_POLL_MS = 5;
/** After end(), how long to wait for the bridge to close before closing from this side. */
const END_GRACE_MS = 15_000;

/** The part of the WHATWG WebSocket (and of `ws`, which also has pause/resume) used here. */
interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly protocol: string;
  readonly bufferedAmount: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: { message?: string; error?: unknown }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  pause?(): void;
  resume?(): void;
}
type WebSocketClass = new (url: string, protocols: string[], options?: object) => WebSocketLike;

/**
 * The `ws` package's own interface (an EventEmitter): binary messages as the Buffer it parsed,
 * without the WHATWG MessageEvent and ArrayBuffer copy made for `onmessage` on each message.
 */
interface NodeWebSocketLike extends WebSocketLike {
  on(event: "message", listener: (data: Uint8Array, isBinary: boolean) => void): void;
}

/** The WebSocket implementation in use; `node` when it is the `ws` package we imported ourselves. */
interface WebSocketImpl {
  Class: WebSocketClass;
  node: boolean;
}

const OPEN = 1;

/** Opens a WebSocket to the bridge; resolves once the bridge accepted it. */
export async function connectBridge(options: ResolvedOptions): Promise<Transport> {
  const ssl = options.ssl_context;
  if (ssl === true || (typeof ssl === "object" && ssl !== null)) {
    // Silently ignoring it would suggest TLS to the server that this option cannot give.
    throw new InterfaceError(
      "ssl_context does not apply through the bridge: TLS to PostgreSQL is set per target in the bridge's config " +
        '(tls: "verify-full"), and wss:// protects the connection to the bridge',
    );
  }
  const where = bridgeAddress(options.bridge!);
  const impl = await webSocketClass();
  let ws: WebSocketLike;
  try {
    // ws offers permessage-deflate unless told not to: PostgreSQL bytes go uncompressed, as over TCP.
    ws = impl.node
      ? new impl.Class(where.url, where.protocols, { perMessageDeflate: false })
      : new impl.Class(where.url, where.protocols);
  } catch (err) {
    throw new InterfaceError(`invalid bridge.url ${where.shown}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const transport = new WebSocketTransport(ws, where.shown, where.raw, impl.node);
  await transport.opened(options.timeout);
  return transport;
}

interface BridgeAddress {
  url: string;
  protocols: string[];
  /** A plain relay (bridge.protocol "raw"): no subprotocol offered or checked. */
  raw: boolean;
  /** The URL without the token, for messages. */
  shown: string;
}

function bridgeAddress(option: string | BridgeOptions): BridgeAddress {
  const bridge: BridgeOptions = typeof option === "string" ? { url: option } : option;
  if (bridge === null || typeof bridge !== "object" || typeof bridge.url !== "string" || bridge.url === "") {
    throw new InterfaceError("'bridge' must be a ws:// or wss:// URL, or { url, token?, target?, protocol? }");
  }
  for (const key of Object.keys(bridge)) {
    if (!["url", "token", "target", "protocol"].includes(key))
      throw new InterfaceError(`unknown bridge option '${key}'; valid: url, token, target, protocol`);
  }
  const protocol = bridge.protocol ?? "pg8000";
  if (protocol !== "pg8000" && protocol !== "raw") {
    throw new InterfaceError(
      `bridge.protocol must be "pg8000" (a pg8000 bridge) or "raw" (a relay of binary frames), got ${JSON.stringify(protocol)}`,
    );
  }
  const raw = protocol === "raw";
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
  const protocols = [BRIDGE_SUBPROTOCOL];
  if (bridge.token !== undefined) {
    // The subprotocol header keeps the token out of URLs (and access logs); other characters go in the query.
    if (SUBPROTOCOL_SAFE.test(bridge.token)) protocols.push(`${TOKEN_SUBPROTOCOL_PREFIX}${bridge.token}`);
    else url.searchParams.set(TOKEN_PARAM, bridge.token);
  }
  return { url: url.href, protocols, shown, raw };
}

async function webSocketClass(): Promise<WebSocketImpl> {
  const global = (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (global) return { Class: global, node: false };
  try {
    const ws = await import("ws");
    return { Class: (ws.WebSocket ?? ws.default) as unknown as WebSocketClass, node: true };
  } catch (err) {
    throw new InterfaceError(
      "connecting through the bridge needs a global WebSocket or, in Node, the 'ws' package (npm install ws)",
      { cause: err },
    );
  }
}

class WebSocketTransport implements Transport {
  private handlers: TransportHandlers | null = null;
  private state: "connecting" | "open" | "closing" | "closed" = "connecting";
  /** Bytes received while not attached or paused. */
  private inbox: Uint8Array[] = [];
  private paused = false;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private endTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set once the stream ended: null for an orderly close. */
  private closedWith: Error | null | undefined = undefined;
  private closeDelivered = false;
  private lastError = "";
  private onOpened: ((error: Error | null) => void) | null = null;

  constructor(
    private readonly ws: WebSocketLike,
    private readonly shownUrl: string,
    private readonly raw: boolean,
    node: boolean,
  ) {
    if (node) {
      ws.binaryType = "nodebuffer";
      (ws as NodeWebSocketLike).on("message", (data, isBinary) => {
        if (isBinary) this.onBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        else this.onText();
      });
    } else {
      ws.binaryType = "arraybuffer";
      ws.onmessage = (event) => this.onMessage(event.data);
    }
    ws.onopen = () => this.onOpen();
    ws.onerror = (event) => {
      // Browsers say nothing here (on purpose); ws in Node gives the reason, e.g. ECONNREFUSED.
      const message = event.message ?? (event.error instanceof Error ? event.error.message : "");
      if (message) this.lastError = message;
    };
    ws.onclose = (event) => this.onClose(event.code, event.reason);
  }

  opened(timeout: number | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.onOpened = (error) => {
        if (timer) clearTimeout(timer);
        this.onOpened = null;
        if (error) reject(error);
        else resolve();
      };
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          const error = new OperationalError(
            `timeout: the bridge at ${this.shownUrl} did not accept the WebSocket within ${timeout} s`,
          );
          this.onOpened?.(error);
          this.destroy(error);
        }, timeout * 1000);
      }
    });
  }

  private onOpen(): void {
    if (!this.raw && this.ws.protocol !== BRIDGE_SUBPROTOCOL) {
      const error = new OperationalError(
        `${this.shownUrl} is not a pg8000 bridge (it did not accept the WebSocket subprotocol ${BRIDGE_SUBPROTOCOL}; for a raw relay set bridge.protocol: "raw")`,
      );
      this.onOpened?.(error);
      this.destroy(error);
      return;
    }
    this.state = "open";
    this.onOpened?.(null);
  }

  private onMessage(data: unknown): void {
    if (data instanceof ArrayBuffer) this.onBytes(new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) this.onBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else this.onText();
  }

  private onText(): void {
    this.destroy(
      new OperationalError(
        `${this.shownUrl} sent a text message; a ${this.raw ? "relay" : "pg8000 bridge"} must send only binary PostgreSQL bytes`,
      ),
    );
  }

  private onBytes(bytes: Uint8Array): void {
    if (this.state === "closed") return;
    if (this.handlers && !this.paused && this.inbox.length === 0) this.handlers.data(bytes);
    else {
      this.inbox.push(bytes);
      this.deliver();
    }
  }

  private onClose(code: number, reason: string): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    if (this.endTimer) clearTimeout(this.endTimer);
    const wasConnecting = this.state === "connecting";
    const byUs = this.state === "closing" || this.state === "closed";
    this.state = "closed";
    const error =
      byUs || code === 1000 || code === 1005
        ? null
        : bridgeCloseError(code, reason, wasConnecting, this.shownUrl, this.lastError);
    if (wasConnecting) {
      this.onOpened?.(error ?? bridgeCloseError(code, reason, true, this.shownUrl, this.lastError));
    }
    this.finish(error);
  }

  private finish(error: Error | null): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = error;
    this.deliver();
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    // Not synchronously: the caller may still be setting up what a close must fail (the core
    // attaches before it queues the startup request).
    if (this.inbox.length > 0 || this.closedWith !== undefined) queueMicrotask(() => this.deliver());
  }

  /** Hands queued bytes, then the close, to the handlers, unless paused. */
  private deliver(): void {
    const handlers = this.handlers;
    if (!handlers) return;
    while (this.inbox.length > 0 && !this.paused) handlers.data(this.inbox.shift()!);
    if (!this.paused && this.inbox.length === 0 && this.closedWith !== undefined && !this.closeDelivered) {
      this.closeDelivered = true;
      handlers.close(this.closedWith);
    }
  }

  /**
   * Sends at once: the connection already joins what one tick writes into one buffer, so that
   * is one message (a queued microtask here would only delay it). Large writes are cut into
   * MAX_FRAME messages, well within the bridge's maxPayload; boundaries carry no meaning.
   */
  write(bytes: Uint8Array): boolean {
    if (this.state !== "open") return false;
    // Closing from the other side: the bytes are lost as they would be on a reset TCP socket.
    if (this.ws.readyState !== OPEN) return true;
    if (bytes.length <= MAX_FRAME) this.ws.send(bytes);
    else for (let at = 0; at < bytes.length; at += MAX_FRAME) this.ws.send(bytes.subarray(at, at + MAX_FRAME));
    if (this.ws.bufferedAmount < HIGH_WATER) return true;
    this.watchDrain();
    return false;
  }

  /** WebSockets have no drain event: poll bufferedAmount until it falls below half the mark. */
  private watchDrain(): void {
    if (this.drainTimer) return;
    const poll = (): void => {
      this.drainTimer = undefined;
      if (this.state !== "open") return;
      if (this.ws.bufferedAmount < HIGH_WATER / 2) this.handlers?.drain?.();
      else this.drainTimer = setTimeout(poll, DRAIN_POLL_MS);
    };
    this.drainTimer = setTimeout(poll, DRAIN_POLL_MS);
  }

  pause(): void {
    this.paused = true;
    // `ws` can stop reading the socket; a browser WebSocket cannot, so messages wait in the inbox.
    this.ws.pause?.();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.ws.resume?.();
    this.deliver();
  }

  /**
   * Like a TCP half-close: sends what is queued, then waits for the bridge to close (the server
   * closes after Terminate, and after handling a CancelRequest), closing itself after a while.
   */
  end(): void {
    if (this.state !== "open") return;
    this.state = "closing";
    this.endTimer = setTimeout(() => {
      if (this.ws.readyState === OPEN) this.ws.close(1000, "client closed the connection");
    }, END_GRACE_MS);
  }

  destroy(error?: Error): void {
    if (this.state === "closed") return;
    const wasActive = this.state === "open" || this.state === "connecting";
    this.state = "closed";
    if (this.drainTimer) clearTimeout(this.drainTimer);
    if (this.endTimer) clearTimeout(this.endTimer);
    if (wasActive || this.ws.readyState === OPEN) {
      try {
        this.ws.close(1000, "client closed the connection");
      } catch {
        // A WebSocket still connecting may refuse close() in some implementations; it dies with us anyway.
      }
    }
    this.finish(error ?? null);
  }

  get encrypted(): boolean {
    return this.shownUrl.startsWith("wss:");
  }
}

/** Says what happened and what to fix, by close code alone (the reason is quoted, never parsed). */
export function bridgeCloseError(
  code: number,
  reason: string,
  connecting: boolean,
  url: string,
  lastError: string,
): OperationalError {
  const detail = `bridge close code ${code}${reason ? `: ${reason}` : ""}`;
  return new OperationalError(`${closeMessage(code, connecting, url, lastError)} (${detail})`);
}

function closeMessage(code: number, connecting: boolean, url: string, lastError: string): string {
  switch (code) {
    case CloseCode.Unauthorized:
      return "the bridge refused the token: pass a valid bridge.token (a static token of the bridge, or a fresh one from mintToken)";
    case CloseCode.Forbidden:
      return (
        "the bridge refused this connection: bridge.target must name one of the bridge's configured targets, " +
        "and a page's origin must be in the bridge's origins list"
      );
    case CloseCode.LoginRefused:
      return (
        "the bridge does not allow this login: the target's users, databases and replication settings " +
        "in the bridge config limit who may connect"
      );
    case CloseCode.Timeout:
      return (
        "the bridge closed the connection after a timeout (no startup message within its limits.startupTimeout, " +
        "or idle longer than its limits.idleTimeout)"
      );
    case CloseCode.TooMany:
      return "the bridge has too many connections: close unused connections or raise the bridge's limits";
    case CloseCode.UpstreamUnreachable:
      return "the bridge could not reach PostgreSQL: check the target's host, port and TLS settings in the bridge config and that the server is running";
    case CloseCode.UpstreamLost:
      return "the bridge lost its connection to PostgreSQL";
    case CloseCode.BadRequest:
      return "the bridge did not recognise the bytes sent as the PostgreSQL protocol";
    case CloseCode.GoingAway:
      return "the bridge is shutting down; connect again later";
    case CloseCode.UnsupportedData:
      return "the bridge accepts only binary messages";
    case CloseCode.TooBig:
      return "a message was larger than the bridge's limits.maxPayload";
    case CloseCode.InternalError:
      return "the bridge failed internally";
    default:
      return connecting
        ? `could not open a WebSocket to the bridge at ${url}: check bridge.url and that the bridge is running and reachable${lastError ? ` (${lastError})` : ""}`
        : `the connection to the bridge was lost${lastError ? ` (${lastError})` : ""}`;
  }
}
