// A Node project's use of the driver's entry points with Node's own types: @types/node, no DOM
// lib; type-checked strictly (test/package/pack.test.ts).

import * as net from "node:net";
import type * as tls from "node:tls";
import * as dbapi from "pg8000";
import { type BridgeConfig, createBridge } from "pg8000/bridge";
import { loadCodec } from "pg8000/codec";
import { connect } from "pg8000/native";

const tlsOptions: tls.ConnectionOptions = { ca: "PEM", minVersion: "TLSv1.3", servername: "db" };

export async function viaNodeTypes(): Promise<void> {
  const a = await connect({ user: "app", host: "db", ssl_context: tlsOptions });
  const b = await connect({ user: "app", sock: net.connect(5432, "db") });
  const c = await dbapi.connect({ user: "app", ssl_context: { rejectUnauthorized: false, ca: [Buffer.from("PEM")] } });
  await Promise.all([a.close(), b.close(), c.close()]);
  await loadCodec({ build: "debug" });
}

export async function bridgeWithoutWsTypes(): Promise<void> {
  const config: BridgeConfig = { targets: { db: { host: "db", port: 5432 } }, tokens: ["t"] };
  const bridge = await createBridge(config);
  await bridge.close();
}
