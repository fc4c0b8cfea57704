// vitest globalSetup: one throwaway PostgreSQL cluster for the whole run.
//
// Tests get its ClusterInfo with clusterInfo() from ../tools/cluster-info.ts.
// Set PG8000_TEST_KEEP_CLUSTER=1 to keep the cluster after the run and reuse
// it on the next one (saves a few seconds per run while developing).
//
// `setup` and `teardown` are separate exports rather than a returned
// function so vitest still calls teardown when setup fails half-way.

import type { TestProject } from "vitest/node";
import { CLUSTER_INFO_ENV } from "../tools/cluster-info.js";
import {
  type ClusterHandle,
  createCluster,
  destroyClusterSync,
  ensureDebianPackages,
  findKeptCluster,
  keptClusterHint,
  recordKeptCluster,
} from "../tools/provision.js";

let handle: ClusterHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  const keep = process.env.PG8000_TEST_KEEP_CLUSTER === "1";
  // Chromium for the browser suites is installed here, once, before the workers start: test
  // files installing it in parallel would fight over apt's lock.
  await ensureDebianPackages([]);
  if (keep) {
    handle = await findKeptCluster();
    if (handle) console.log(`test cluster: reusing kept cluster on port ${handle.info!.port} (${handle.baseDir})`);
  }
  if (!handle) {
    handle = await createCluster({ keep });
    if (keep) recordKeptCluster(handle);
  }
  // Set before vitest forks its workers, so they (and anything they spawn)
  // inherit it.
  process.env[CLUSTER_INFO_ENV] = handle.infoFile;
  project.provide("cluster", handle.info!);
}

export function teardown(): void {
  if (!handle) return;
  if (handle.keep) console.log(keptClusterHint(handle));
  else destroyClusterSync(handle);
  handle = undefined;
}
