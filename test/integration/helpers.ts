// Shared helpers for integration tests against the throwaway cluster.

import * as net from "node:net";
import { inject } from "vitest";
import type { ConnectOptions } from "../../src/core/options.js";
import { type ClusterInfo, clusterInfo } from "../tools/cluster-info.js";

export const cluster: ClusterInfo = clusterInfo();

/** True in the vitest project that runs these tests through the WebSocket bridge. */
export const throughBridge = inject("transport") === "bridge";

/** Options for the trusted user over TCP, plus overrides. */
export function trustOptions(extra: Partial<ConnectOptions> = {}): ConnectOptions {
  if (throughBridge) {
    return { user: cluster.users.trust.user, database: cluster.database, bridge: inject("bridge"), ...extra };
  }
  return {
    user: cluster.users.trust.user,
    host: cluster.host,
    port: cluster.port,
    database: cluster.database,
    ...extra,
  };
}

/** Options for the superuser over the unix socket. */
export function superOptions(extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { user: cluster.superuser, unix_sock: cluster.socketPath, database: cluster.database, ...extra };
}

/** Unique table/channel names so test files can run in parallel against one cluster. */
let counter = 0;
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${++counter}`;
}

/**
 * A TCP relay to 127.0.0.1:`port` that keeps every chunk each client connection sends, in
 * connection order; `openings` are their first bytes (what a connection opens with: SSLRequest,
 * CancelRequest, a TLS ClientHello…). Empty `sent` to start counting afresh.
 */
export async function recordingRelay(
  port: number,
): Promise<{ port: number; sent: Buffer[][]; readonly openings: Buffer[]; close(): void }> {
  const sent: Buffer[][] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    sent.push(chunks);
    client.on("data", (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sent,
    get openings() {
      return sent.map((chunks) => chunks[0] ?? Buffer.alloc(0));
    },
    close: () => server.close(),
  };
}

/**
 * How many TLS ClientHellos a client sent on one connection (an SSLRequest before them skipped):
 * 1 when the server took its first key share, 2 after a HelloRetryRequest. ClientHellos travel
 * in plaintext handshake records; what follows the handshake is encrypted (record type 23).
 */
export function clientHellos(chunks: Buffer[]): number {
  const bytes = Buffer.concat(chunks);
  let at = openingKind(bytes) === "SSLRequest" ? 8 : 0;
  let hellos = 0;
  while (at + 5 <= bytes.length) {
    const type = bytes[at]!;
    const length = bytes.readUInt16BE(at + 3);
    if (type === 22 && bytes[at + 5] === 1) hellos++;
    else if (type !== 20 && type !== 22) break; // application data: the handshake is over
    at += 5 + length;
  }
  return hellos;
}

/** What a connection's first bytes are: "SSLRequest", "CancelRequest", "TLS" (a direct handshake) or "other". */
export function openingKind(bytes: Buffer): string {
  if (bytes[0] === 0x16) return "TLS";
  if (bytes.length >= 8 && bytes.readUInt32BE(4) === 80877103) return "SSLRequest";
  if (bytes.length >= 8 && bytes.readUInt32BE(4) === 80877102) return "CancelRequest";
  return "other";
}
