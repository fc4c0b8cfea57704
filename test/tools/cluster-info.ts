// What the throwaway test cluster looks like, and how tests find it.
//
// The global setup (cluster.ts) hands the info to test workers with
// `project.provide("cluster", ...)` and also writes it as JSON to the file
// named by $PG8000_TEST_CLUSTER, so code outside vitest (benchmarks, ad-hoc
// scripts) can reach the same cluster.

import { readFileSync } from "node:fs";
import { inject } from "vitest";

/** Name of the env var holding the path of the cluster-info JSON file. */
export const CLUSTER_INFO_ENV = "PG8000_TEST_CLUSTER";

export interface ClusterLogin {
  user: string;
}

export interface ClusterPasswordLogin extends ClusterLogin {
  password: string;
}

export interface ClusterInfo {
  /** TCP host; the server also listens on ::1 when `ipv6` is true. */
  host: string;
  port: number;
  ipv6: boolean;
  socketDir: string;
  /** `${socketDir}/.s.PGSQL.${port}` */
  socketPath: string;
  database: string;
  /** Trusted over the socket and 127.0.0.1, no password. */
  superuser: string;
  users: {
    /** Trusted everywhere: no password. */
    trust: ClusterLogin;
    /** Cleartext `password` auth. */
    password: ClusterPasswordLogin;
    /** `md5` auth; the stored secret is an MD5 hash. */
    md5: ClusterPasswordLogin;
    /** `scram-sha-256` auth. */
    scram: ClusterPasswordLogin;
    /** SCRAM with a password that SASLprep changes (NO-BREAK SPACE -> SPACE). */
    scramUnicode: ClusterPasswordLogin;
    /** SCRAM, and only over TLS: refused on plain TCP. */
    sslOnly: ClusterPasswordLogin;
    /** Superuser that authenticates with SCRAM over TCP. */
    super: ClusterPasswordLogin;
  };
  /** The server's self-signed certificate, usable as the CA for verify-full. */
  caCertPath: string;
  binDir: string;
  /** server_version_num, e.g. 150020 */
  serverVersion: number;
  hasHstore: boolean;
  dataDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}

/** Reads the info file written by the global setup. */
export function readClusterInfoFile(file = process.env[CLUSTER_INFO_ENV]): ClusterInfo {
  if (!file) {
    throw new Error(
      `${CLUSTER_INFO_ENV} is not set: the test cluster is started by vitest's globalSetup (test/setup/cluster.ts)`,
    );
  }
  return JSON.parse(readFileSync(file, "utf8")) as ClusterInfo;
}

/** The test cluster's info, for use inside vitest tests. */
export function clusterInfo(): ClusterInfo {
  let provided: ClusterInfo | undefined;
  try {
    provided = inject("cluster");
  } catch {
    // Not inside a vitest worker (or an older runner): use the file instead.
  }
  return provided ?? readClusterInfoFile();
}
