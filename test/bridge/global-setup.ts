// vitest globalSetup (after test/setup/cluster.ts): one bridge in front of the test cluster, so
// the transport-independent integration tests can run a second time through it. Tests of a
// project that provides { transport: "bridge" } get bridge options from test/integration/helpers.ts.

import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { type Bridge, createBridge } from "../../bridge/index.js";
import { type ClusterInfo, readClusterInfoFile } from "../tools/cluster-info.js";

export interface TestBridgeInfo {
  url: string;
  token: string;
  target: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The bridge this setup started in front of the test cluster. */
    bridge: TestBridgeInfo;
    /** "bridge" in the vitest project that runs the integration tests through the bridge. */
    transport: "direct" | "bridge";
  }
}

let bridge: Bridge | undefined;

export async function setup(project: TestProject): Promise<void> {
  const cluster: ClusterInfo = project.getProvidedContext().cluster ?? readClusterInfoFile();
  const token = randomBytes(24).toString("base64url");
  bridge = await createBridge({
    listen: { host: "127.0.0.1", port: 0 },
    targets: { cluster: { host: cluster.host, port: cluster.port } },
    tokens: [token],
    // The suites open many connections in parallel from one address.
    limits: { maxConnections: 500, maxConnectionsPerIp: 500, maxHandshakesPerIp: 500 },
    // Refusals and errors only: they explain a failing test; sessions are routine.
    log: (event) => {
      if (event.level !== "info") console.error(`test bridge: ${JSON.stringify(event)}`);
    },
  });
  project.provide("bridge", { url: bridge.url, token, target: "cluster" });
}

export async function teardown(): Promise<void> {
  await bridge?.close();
  bridge = undefined;
}
