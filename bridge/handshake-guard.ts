// Bounds the time and number of unfinished HTTP handshakes, so clients that open sockets and
// send partial headers (slowloris) cannot hold the bridge's sockets: each connection must finish
// its request headers within limits.handshakeTimeout, and one address may have at most
// limits.maxHandshakesPerIp connections still in that state.

import type * as net from "node:net";
import { RefusalReason } from "../src/bridge-protocol.js";
import { normalizeIp } from "./admission.js";
import type { ResolvedConfig } from "./config.js";
import type { BridgeMetrics } from "./metrics.js";

export class HandshakeGuard {
  private readonly pendingPerIp = new Map<string, number>();
  private readonly finishers = new WeakMap<net.Socket, () => void>();

  constructor(
    private readonly config: () => ResolvedConfig,
    private readonly metrics: BridgeMetrics,
  ) {}

  /** A new connection (for TLS listeners: once TLS is up). */
  opened(socket: net.Socket): void {
    const cfg = this.config();
    const ip = normalizeIp(socket.remoteAddress ?? "unknown");
    const pending = (this.pendingPerIp.get(ip) ?? 0) + 1;
    // Behind a proxy every client shares its address; the proxy bounds its own handshakes.
    if (!cfg.trustProxy && pending > cfg.limits.maxHandshakesPerIp) {
      this.metrics.refusal(RefusalReason.TooManyHandshakes);
      cfg.log({ level: "warn", event: "refused", ip, reason: "too many unfinished handshakes from this address" });
      socket.destroy();
      return;
    }
    this.pendingPerIp.set(ip, pending);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const n = (this.pendingPerIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.pendingPerIp.delete(ip);
      else this.pendingPerIp.set(ip, n);
    };
    const timer = setTimeout(() => {
      finish();
      this.metrics.refusal(RefusalReason.HandshakeTimeout);
      cfg.log({ level: "warn", event: "refused", ip, reason: "request headers not complete in time" });
      socket.destroy();
    }, cfg.limits.handshakeTimeout * 1000);
    timer.unref();
    socket.once("close", finish);
    this.finishers.set(socket, finish);
  }

  /** The request's headers are complete (an upgrade or a plain request arrived on this socket). */
  completed(socket: net.Socket): void {
    this.finishers.get(socket)?.();
  }
}
