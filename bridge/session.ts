// One bridged connection: a WebSocket from the client piped to a socket to one configured target.
// The first client bytes must be PostgreSQL's: a v3 StartupMessage, an SSLRequest or
// GSSENCRequest (answered 'N' here; TLS to the server is the bridge's job), or a CancelRequest.
// PostgreSQL docs: Frontend/Backend Protocol, "Message Formats" (StartupMessage, SSLRequest,
// GSSENCRequest, CancelRequest). Bridge protocol: design/ARCHITECTURE.md.

import type * as net from "node:net";
import type { WebSocket } from "ws";
import { BRIDGE_SUBPROTOCOL_DEFLATE, CloseCode, RefusalReason } from "../src/bridge-protocol.js";
import type { BridgeTarget, ResolvedConfig } from "./config.js";
import { DeflatingSender } from "./deflate-sender.js";
import { closeReason, writeBinaryFrame } from "./frames.js";
import type { BridgeMetrics } from "./metrics.js";
import { checkLogin, readFirstMessage } from "./startup-packet.js";
import { dialTarget, UpstreamError } from "./upstream.js";

export { CloseCode, closeReason };

const ANSWER_N = Buffer.from("N");

type SessionState = "startup" | "connecting" | "piping" | "cancelling" | "closing" | "closed";

export interface SessionContext {
  id: number;
  ip: string;
  origin: string | undefined;
  target: BridgeTarget;
  /** The WebSocket's own TCP or TLS socket: server bytes are framed and written to it directly. */
  socket: net.Socket;
  config: ResolvedConfig;
  metrics: BridgeMetrics;
  /** Called once when the session is over (frees its connection slots). */
  onEnd(session: BridgeSession): void;
}

export class BridgeSession {
  private state: SessionState = "startup";
  private kind: "query" | "cancel" | "none" = "none";
  private head: Buffer = Buffer.alloc(0);
  private negotiations = 0;
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private upstream: net.Socket | null = null;
  private readonly dialAbort = new AbortController();
  private clientPaused = false;
  private upstreamPaused = false;
  private bytesFromClient = 0;
  private bytesToClient = 0;
  private readonly openedAt = Date.now();
  private lastActivity = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closedBy: "bridge" | "client" | null = null;
  private closeCode = 0;
  private closeReason = "";
  /** Under the compressing subprotocol, what frames server bytes; otherwise they go as they came. */
  private readonly deflater: DeflatingSender | null;
  /** Cleared on every ping, set again by the pong. */
  alive = true;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: SessionContext,
  ) {
    this.deflater =
      ws.protocol === BRIDGE_SUBPROTOCOL_DEFLATE
        ? new DeflatingSender(
            ctx.socket,
            (err) => {
              this.log("error", "error", { error: `compression failed: ${err.message}` });
              this.close(CloseCode.InternalError, "the bridge failed to compress");
            },
            ctx.config.compression?.minRatio,
          )
        : null;
    ws.on("message", (data, isBinary) => this.onClientMessage(data as Buffer, isBinary));
    ws.on("close", (code, reason) => this.onClientClose(code, reason.toString()));
    ws.on("error", (err) => this.log("warn", "error", { error: err.message }));
    ws.on("pong", () => {
      this.alive = true;
    });
    this.armTimer();
  }

  /** Sends a ping; a client that did not answer the previous one is dropped. */
  heartbeat(): void {
    if (this.state === "closed") return;
    if (!this.alive) {
      this.closeBy("bridge", CloseCode.Timeout, "no answer to WebSocket ping");
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  /** Closes the session (bridge shutdown). */
  shutdown(): void {
    this.close(CloseCode.GoingAway, "the bridge is shutting down");
  }

  // ---- client → server --------------------------------------------------------------------

  private onClientMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      this.close(CloseCode.UnsupportedData, "text frames are not accepted: send PostgreSQL bytes as binary messages");
      return;
    }
    this.lastActivity = Date.now();
    this.bytesFromClient += data.length;
    this.ctx.metrics.bytesFromClients += data.length;
    switch (this.state) {
      case "startup":
        this.head = this.head.length === 0 ? data : Buffer.concat([this.head, data]);
        this.readStartup();
        return;
      case "connecting":
        this.queued.push(data);
        this.queuedBytes += data.length;
        // A client that floods while we dial waits (bounded memory).
        if (this.queuedBytes > this.ctx.config.limits.maxPayload) this.pauseClient();
        return;
      case "piping":
        if (!this.upstream!.write(data)) this.pauseClient();
        return;
      default:
        // After a CancelRequest, or while closing: nothing more is forwarded.
        return;
    }
  }

  /** Validates the first PostgreSQL message(s) before anything is dialled. */
  private readStartup(): void {
    for (;;) {
      const first = readFirstMessage(this.head);
      switch (first.kind) {
        case "incomplete":
          return;
        case "negotiation":
          if (++this.negotiations > 2) break;
          // TLS (or GSS) to PostgreSQL is the bridge's job; the client speaks plain protocol inside the WebSocket.
          this.sendToClient(ANSWER_N);
          this.head = this.head.subarray(8);
          continue;
        case "cancel":
          this.startCancel(first.request);
          return;
        case "startup": {
          const refusal = checkLogin(this.ctx.target, first.params);
          if (refusal) {
            const code = refusal.reason === RefusalReason.BadRequest ? CloseCode.BadRequest : CloseCode.LoginRefused;
            this.ctx.metrics.refusal(refusal.reason);
            this.log("warn", "refused", { code, reason: refusal.text });
            this.close(code, refusal.text);
            return;
          }
          this.startQuery(this.head);
          return;
        }
      }
      this.refuseBytes();
      return;
    }
  }

  private refuseBytes(): void {
    this.ctx.metrics.refusal(RefusalReason.BadRequest);
    this.close(
      CloseCode.BadRequest,
      "the first bytes are not a PostgreSQL StartupMessage, SSLRequest or CancelRequest",
    );
  }

  private startQuery(first: Buffer): void {
    this.state = "connecting";
    this.kind = "query";
    this.head = Buffer.alloc(0);
    this.queued.push(first);
    this.queuedBytes += first.length;
    this.armTimer();
    const started = Date.now();
    dialTarget(this.ctx.target, this.ctx.config.limits.connectTimeout * 1000, this.dialAbort.signal).then(
      (socket) => {
        if (this.state !== "connecting") {
          socket.destroy();
          return;
        }
        const ms = Date.now() - started;
        this.ctx.metrics.upstreamConnected(ms / 1000);
        this.log("info", "upstream", { connectMs: ms, tls: this.ctx.target.tls.mode });
        this.attachUpstream(socket);
      },
      (err: unknown) => this.upstreamFailed(err),
    );
  }

  private startCancel(request: Buffer): void {
    this.state = "cancelling";
    this.kind = "cancel";
    this.head = Buffer.alloc(0);
    this.armTimer();
    // Not tied to dialAbort: the client may close its WebSocket right after sending the request.
    const signal = new AbortController().signal;
    dialTarget(this.ctx.target, this.ctx.config.limits.connectTimeout * 1000, signal).then(
      (socket) => {
        // The server closes the connection once it has handled the request; only then does the
        // client hear back, as it would over TCP.
        const done = (): void => this.close(CloseCode.Normal, "cancel request forwarded");
        const timer = setTimeout(() => {
          socket.destroy();
          done();
        }, this.ctx.config.limits.connectTimeout * 1000);
        socket.on("error", () => undefined);
        socket.on("close", () => {
          clearTimeout(timer);
          done();
        });
        socket.resume();
        socket.end(request);
      },
      (err: unknown) => this.upstreamFailed(err),
    );
  }

  private upstreamFailed(err: unknown): void {
    if (this.state === "closing" || this.state === "closed") return;
    const reason = err instanceof UpstreamError ? err.reason : "could not connect to the target";
    const detail = err instanceof Error ? err.message : String(err);
    this.ctx.metrics.upstreamFailed();
    this.log("warn", "upstream", { error: detail });
    this.close(CloseCode.UpstreamUnreachable, reason);
  }

  // ---- server → client ------------------------------------------------------------------

  private attachUpstream(socket: net.Socket): void {
    this.upstream = socket;
    this.state = "piping";
    this.armTimer();
    socket.on("data", (chunk: Buffer) => {
      this.lastActivity = Date.now();
      this.sendToClient(chunk);
    });
    socket.on("drain", () => this.resumeClient());
    socket.on("end", () => this.close(CloseCode.Normal, "the server closed the connection"));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      this.log("warn", "upstream", { error: err.message });
      this.close(
        CloseCode.UpstreamLost,
        `lost the connection to target '${this.ctx.target.name}' (${err.code ?? "error"})`,
      );
    });
    socket.on("close", () => this.close(CloseCode.Normal, "the server closed the connection"));
    const queued = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    let ok = true;
    for (const chunk of queued) ok = socket.write(chunk);
    if (ok) this.resumeClient();
    else this.pauseClient();
  }

  private sendToClient(chunk: Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN || this.state === "closing") return;
    const length = chunk.length;
    this.bytesToClient += length;
    this.ctx.metrics.bytesToClients += length;
    const pending = this.ctx.socket.writableLength + (this.deflater?.pendingBytes ?? 0);
    let written: (() => void) | undefined;
    if (!this.upstreamPaused && this.upstream && pending + length > this.ctx.config.limits.highWaterMark) {
      // The client reads slower than the server writes (or compression lags): stop reading from
      // the server until the socket has written everything up to this frame.
      this.upstreamPaused = true;
      this.upstream.pause();
      written = () => this.resumeUpstream();
    }
    if (this.deflater) this.deflater.send(chunk, written);
    else writeBinaryFrame(this.ctx.socket, chunk, written);
  }

  private resumeUpstream(): void {
    if (!this.upstreamPaused) return;
    this.upstreamPaused = false;
    this.upstream?.resume();
  }

  private pauseClient(): void {
    if (this.clientPaused) return;
    this.clientPaused = true;
    this.ws.pause();
  }

  private resumeClient(): void {
    if (!this.clientPaused) return;
    this.clientPaused = false;
    this.ws.resume();
  }

  // ---- timers -------------------------------------------------------------------------------

  /** One timer: the startup deadline, then idleness (dialling is bounded by dialTarget itself). */
  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const limits = this.ctx.config.limits;
    let deadline: number;
    if (this.state === "startup") deadline = this.openedAt + limits.startupTimeout * 1000;
    else if (this.state === "piping" && limits.idleTimeout > 0)
      deadline = this.lastActivity + limits.idleTimeout * 1000;
    else return;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, deadline - Date.now()) + 5);
  }

  private onTimer(): void {
    this.timer = undefined;
    const limits = this.ctx.config.limits;
    const now = Date.now();
    if (this.state === "startup") {
      this.close(CloseCode.Timeout, `no PostgreSQL startup message within ${limits.startupTimeout} s`);
    } else if (this.state === "piping" && now - this.lastActivity >= limits.idleTimeout * 1000) {
      this.close(CloseCode.Timeout, `idle for ${limits.idleTimeout} s (the bridge's idleTimeout)`);
    } else {
      this.armTimer();
    }
  }

  // ---- closing ------------------------------------------------------------------------------

  private closeBy(by: "bridge" | "client", code: number, reason: string): void {
    if (this.closedBy) return;
    this.closedBy = by;
    this.closeCode = code;
    this.closeReason = reason;
  }

  /** Closes the WebSocket with a code and reason (after the data already queued) and ends the upstream. */
  close(code: number, reason: string): void {
    if (this.state === "closing" || this.state === "closed") return;
    this.state = "closing";
    // Otherwise the client's close frame came first: onClientClose records its code.
    if (this.ws.readyState === this.ws.OPEN) this.closeBy("bridge", code, reason);
    if (this.timer) clearTimeout(this.timer);
    this.dialAbort.abort();
    this.endUpstream();
    // After the server bytes still being compressed: a close frame ends the WebSocket's data.
    const closeSocket = (): void => {
      if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
        this.ws.close(code, closeReason(reason));
      }
    };
    if (this.deflater) this.deflater.whenIdle(closeSocket);
    else closeSocket();
    // Resume so a paused socket can read the peer's close frame.
    this.resumeClient();
  }

  private endUpstream(): void {
    const upstream = this.upstream;
    if (!upstream || upstream.destroyed) return;
    upstream.end();
    const timer = setTimeout(() => upstream.destroy(), 5000);
    timer.unref();
    upstream.once("close", () => clearTimeout(timer));
  }

  private onClientClose(code: number, reason: string): void {
    if (this.state === "closed") return;
    const wasCancelling = this.state === "cancelling";
    this.closeBy("client", code, reason);
    this.state = "closed";
    if (this.timer) clearTimeout(this.timer);
    // Bytes the client sent before closing (Terminate) still reach the server; a cancel finishes on its own.
    if (!wasCancelling) this.dialAbort.abort();
    this.endUpstream();
    this.queued = [];
    this.deflater?.close();
    this.log("info", "close", {
      by: this.closedBy ?? "client",
      code: this.closeCode,
      reason: this.closeReason || undefined,
      kind: this.kind,
      bytesFromClient: this.bytesFromClient,
      bytesToClient: this.bytesToClient,
      compressedTo: this.deflater ? this.deflater.bytesOnWire : undefined,
      durationMs: Date.now() - this.openedAt,
    });
    this.ctx.metrics.sessionClosed(this.closeCode);
    this.ctx.onEnd(this);
  }

  private log(
    level: "info" | "warn" | "error",
    event: "upstream" | "close" | "refused" | "error",
    fields: Record<string, string | number | boolean | undefined>,
  ): void {
    this.ctx.config.log({
      level,
      event,
      session: this.ctx.id,
      ip: this.ctx.ip,
      target: this.ctx.target.name,
      ...fields,
    });
  }
}
