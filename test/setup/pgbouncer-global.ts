// vitest globalSetup (after test/setup/cluster.ts): a stock PgBouncer in front of the test
// cluster for test/reliability/pgbouncer.test.ts; see ./pgbouncer.ts.

import type { TestProject } from "vitest/node";
import { type ClusterInfo, readClusterInfoFile } from "./cluster-info.js";
import { type PgBouncerHandle, startPgBouncer, stopPgBouncer } from "./pgbouncer.js";

let handle: PgBouncerHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  const cluster: ClusterInfo = project.getProvidedContext().cluster ?? readClusterInfoFile();
  handle = await startPgBouncer(cluster);
  project.provide("pgbouncer", handle.info);
}

export function teardown(): void {
  if (handle) stopPgBouncer(handle);
  handle = undefined;
}
