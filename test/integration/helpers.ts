// Shared helpers for integration tests against the throwaway cluster.

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
