// WebSocket transport to the pg8000 bridge (browser mode; also Node through the `ws` package).
// Raw PostgreSQL bytes travel as binary messages whose boundaries mean nothing; the bridge picks
// the server from its own configuration (?target=NAME) and does TLS to it, answering SSLRequest
// with 'N' itself. With bridge.protocol "raw" the same bytes go to any wsproxy-style relay (no
// subprotocol). The contract with the bridge: src/bridge-protocol.ts; design/ARCHITECTURE.md.
// No Node built-ins on this path.

import { BRIDGE_SUBPROTOCOL, BRIDGE_SUBPROTOCOL_DEFLATE } from "../bridge-protocol.js";
import type { ResolvedOptions } from "../core/options.js";
import { InterfaceError, OperationalError } from "../errors.js";
import { bridgeAddress } from "./bridge-address.js";
import { bridgeCloseError } from "./bridge-close.js";
import { Inflater } from "./inflate.js";
import type { Transport, TransportHandlers } from "./transport.js";

export { BRIDGE_SUBPROTOCOL, bridgeCloseError };

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
  /** Set when the bridge chose the compressing subprotocol. */
  private inflater: Inflater | null = null;

  constructor(
    private readonly ws: WebSocketLike,
    private readonly shownUrl: string,
    private readonly raw: boolean,
    node: boolean,
  ) {
    if (node) {
      ws.binaryType = "nodebuffer";
      (ws as NodeWebSocketLike).on("message", (data, isBinary) => {
        if (isBinary) this.onMessageBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
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
    const chosen = this.ws.protocol;
    if (!this.raw && chosen !== BRIDGE_SUBPROTOCOL && chosen !== BRIDGE_SUBPROTOCOL_DEFLATE) {
      const error = new OperationalError(
        `${this.shownUrl} is not a pg8000 bridge (it did not accept the WebSocket subprotocol ${BRIDGE_SUBPROTOCOL}; for a raw relay set bridge.protocol: "raw")`,
      );
      this.onOpened?.(error);
      this.destroy(error);
      return;
    }
    if (chosen === BRIDGE_SUBPROTOCOL_DEFLATE) {
      this.inflater = new Inflater(
        (bytes) => this.onBytes(bytes),
        (error) => this.destroy(error),
      );
    }
    this.state = "open";
    this.onOpened?.(null);
  }

  private onMessage(data: unknown): void {
    if (data instanceof ArrayBuffer) this.onMessageBytes(new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) {
      this.onMessageBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } else this.onText();
  }

  private onMessageBytes(bytes: Uint8Array): void {
    if (this.inflater) this.inflater.push(bytes);
    else this.onBytes(bytes);
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
    // The bytes the bridge sent before closing come first, inflated.
    if (this.inflater) this.inflater.whenIdle(() => this.finish(error));
    else this.finish(error);
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
  end(): Promise<void> {
    if (this.state !== "open") return Promise.resolve();
    this.state = "closing";
    this.endTimer = setTimeout(() => {
      if (this.ws.readyState === OPEN) this.ws.close(1000, "client closed the connection");
    }, END_GRACE_MS);
    // What was sent is queued in the WebSocket, which sends it before any close frame.
    return Promise.resolve();
  }

  destroy(error?: Error): void {
    if (this.state === "closed") return;
    const wasActive = this.state === "open" || this.state === "connecting";
    this.state = "closed";
    if (this.drainTimer) clearTimeout(this.drainTimer);
    if (this.endTimer) clearTimeout(this.endTimer);
    this.inflater?.close();
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
