// README examples are written for a server at localhost:5432 with user postgres/secret. When
// they run as tests, connect() and new Pool() are pointed at the throwaway cluster instead;
// everything else in the example runs exactly as written.

import { parseConnectionString } from "../../../src/config/conninfo.js";
import { optionsFromKeywords } from "../../../src/config/sources.js";
import type { ConnectOptions } from "../../../src/core/options.js";
import { Pool as RealPool } from "../../../src/native/index.js";
import type { PoolOptions } from "../../../src/pool/options.js";
import { cluster } from "../helpers.js";

/**
 * The host names the "Several hosts" examples use: db1 is the primary, db2 its standby (the
 * test setup's streaming standby), both on 127.0.0.1.
 */
const HOSTS: Record<string, { host: string; port: number }> = {
  "db1.internal": { host: "127.0.0.1", port: cluster.port },
  "db2.internal": { host: "127.0.0.1", port: cluster.standbyPort },
};

/** The example's CA file and client certificate names, mapped to the cluster's. */
const FILES: Record<string, string> = {
  "root.crt": cluster.caCertPath,
  "client.crt": cluster.clientCertPath,
  "client.key": cluster.clientKeyPath,
};

export function toCluster(input: ConnectOptions | string): ConnectOptions | string {
  if (typeof input === "string") {
    // A connection string: read as options, then pointed at the cluster like any options.
    return toCluster(optionsFromKeywords(parseConnectionString(input)) as ConnectOptions);
  }
  if (input.user === undefined && input.service === undefined) {
    // The example relies on libpq's environment variables: point those at the cluster.
    environmentToCluster();
    return input;
  }
  const out: ConnectOptions = { ...input, database: cluster.database };
  for (const key of ["sslrootcert", "sslcert", "sslkey"] as const) {
    const file = input[key];
    if (file !== undefined && FILES[file]) out[key] = FILES[file];
  }
  if (input.unix_sock) {
    out.unix_sock = cluster.socketPath;
    out.user = cluster.superuser;
  } else if (input.sslcert !== undefined) {
    out.port = cluster.port;
    out.user = cluster.users.cert.user;
  } else {
    Object.assign(out, hostsToCluster(input));
    out.user = cluster.users.super.user;
    out.password = cluster.users.super.password;
  }
  return out;
}

/** localhost:5432 → the cluster; the HOSTS names → primary and standby. */
function hostsToCluster(input: ConnectOptions): Pick<ConnectOptions, "host" | "port"> {
  const hosts = Array.isArray(input.host) ? input.host : (input.host ?? "localhost").split(",");
  if (hosts.length === 1 && !HOSTS[hosts[0]!]) return { host: input.host, port: cluster.port };
  const mapped = hosts.map((h) => HOSTS[h.trim()] ?? { host: h.trim(), port: cluster.port });
  return { host: mapped.map((m) => m.host), port: mapped.map((m) => m.port) };
}

function environmentToCluster(): void {
  const env = process.env;
  if (env.PGPORT === "5432" || env.PGPORT === undefined) env.PGPORT = String(cluster.port);
  if (env.PGUSER === "postgres") {
    env.PGUSER = cluster.users.super.user;
    env.PGPASSWORD = cluster.users.super.password;
  }
  if (env.PGDATABASE !== undefined) env.PGDATABASE = cluster.database;
  if (env.PGSSLROOTCERT !== undefined && FILES[env.PGSSLROOTCERT]) env.PGSSLROOTCERT = FILES[env.PGSSLROOTCERT];
}

/** The Pool of the README examples, on the test cluster. */
export class Pool extends RealPool {
  constructor(options: PoolOptions | string) {
    super(typeof options === "string" ? options : (toCluster(options) as PoolOptions));
  }
}
