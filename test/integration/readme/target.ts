// README examples are written for a server at localhost:5432 with user postgres/secret. When
// they run as tests, connect() and new Pool() are pointed at the throwaway cluster instead;
// everything else in the example runs exactly as written.

import type { ConnectOptions } from "../../../src/core/options.js";
import { Pool as RealPool } from "../../../src/native/index.js";
import type { PoolOptions } from "../../../src/pool/options.js";
import { cluster } from "../helpers.js";

export function toCluster(input: ConnectOptions | string): ConnectOptions | string {
  if (typeof input === "string") return input;
  const out: ConnectOptions = { ...input, database: cluster.database };
  if (input.unix_sock) {
    out.unix_sock = cluster.socketPath;
    out.user = cluster.superuser;
  } else {
    out.port = cluster.port;
    out.user = cluster.users.super.user;
    out.password = cluster.users.super.password;
  }
  return out;
}

/** The Pool of the README examples, on the test cluster. */
export class Pool extends RealPool {
  constructor(options: PoolOptions | string) {
    super(typeof options === "string" ? options : (toCluster(options) as PoolOptions));
  }
}
