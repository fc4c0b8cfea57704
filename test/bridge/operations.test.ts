// Running the bridge: /healthz, Prometheus /metrics (on the listener, elsewhere, or off),
// reload() and SIGHUP rotating secrets without dropping open sessions, and two bridges that
// share nothing but the signing secret (as behind a load balancer).

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBridge, mintToken } from "../../bridge/index.js";
import { OperationalError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";
import { cluster, rawSession, SECRET, STATIC_TOKEN, startBridge } from "./fixtures.js";

const login = { ...cluster.users.scram, database: cluster.database };
const root = path.resolve(import.meta.dirname, "../..");
const outDir = path.join(root, "node_modules/.cache/pg8000-bridge-operations-test");

/** Samples of a Prometheus text page, keyed by name{labels}. */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

function httpUrl(wsUrl: string, pathname: string): string {
  const url = new URL(wsUrl);
  url.protocol = "http:";
  url.pathname = pathname;
  return url.href;
}

describe("/healthz and /metrics", () => {
  it("healthz answers 200 while serving; metrics count sessions, refusals, bytes and connect times", async () => {
    const bridge = await startBridge();
    try {
      const health = await fetch(httpUrl(bridge.url, "/healthz"));
      expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
      expect(bridge.metricsUrl).toBe(httpUrl(bridge.url, "/metrics"));

      const con = await connect({ ...login, bridge: { url: bridge.url, token: STATIC_TOKEN, target: "main" } });
      await con.run("SELECT repeat('x', 100000)");
      let samples = await scrape(bridge.metricsUrl!);
      expect(samples.get("pg8000_bridge_sessions_open")).toBe(1);
      expect(samples.get('pg8000_bridge_bytes_total{direction="server_to_client"}')).toBeGreaterThan(100000);
      expect(samples.get('pg8000_bridge_bytes_total{direction="client_to_server"}')).toBeGreaterThan(50);
      expect(samples.get("pg8000_bridge_upstream_connect_seconds_count")).toBe(1);
      expect(samples.get('pg8000_bridge_upstream_connect_seconds_bucket{le="+Inf"}')).toBe(1);
      await con.close();

      await connect({ ...login, bridge: { url: bridge.url, target: "main" } }).catch(() => undefined);
      await connect({ ...login, bridge: { url: bridge.url, token: STATIC_TOKEN, target: "nope" } }).catch(
        () => undefined,
      );
      await rawSession(bridge, { query: { target: "main" }, send: (ws) => ws.send(Buffer.from("GET / HTTP/1.1\r\n")) });
      await new Promise((r) => setTimeout(r, 50));
      samples = await scrape(bridge.metricsUrl!);
      expect(samples.get("pg8000_bridge_sessions_open")).toBe(0);
      expect(samples.get("pg8000_bridge_sessions_total")).toBe(2);
      expect(samples.get('pg8000_bridge_sessions_refused_total{reason="no_token"}')).toBe(1);
      expect(samples.get('pg8000_bridge_sessions_refused_total{reason="unknown_target"}')).toBe(1);
      expect(samples.get('pg8000_bridge_sessions_refused_total{reason="bad_request"}')).toBe(1);
      expect(samples.get('pg8000_bridge_sessions_closed_total{code="4400"}')).toBe(1);
      // Nothing about clients: no addresses, roles or tokens.
      const text = await (await fetch(bridge.metricsUrl!)).text();
      expect(text).not.toContain("127.0.0.1");
      expect(text).not.toContain(cluster.users.scram.user);
      expect(text).not.toContain(STATIC_TOKEN);
    } finally {
      await bridge.close();
    }
  });

  it("metrics: false turns /metrics off (healthz stays)", async () => {
    const bridge = await startBridge({ metrics: false });
    try {
      expect(bridge.metricsUrl).toBeUndefined();
      expect((await fetch(httpUrl(bridge.url, "/metrics"))).status).toBe(426);
      expect((await fetch(httpUrl(bridge.url, "/healthz"))).status).toBe(200);
    } finally {
      await bridge.close();
    }
  });

  it("metrics: { listen } serves /metrics and /healthz on their own address, not on the bridge's", async () => {
    const bridge = await startBridge({ metrics: { listen: { host: "127.0.0.1", port: 0 } } });
    try {
      expect(bridge.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(new URL(bridge.metricsUrl!).port).not.toBe(new URL(bridge.url).port);
      expect((await scrape(bridge.metricsUrl!)).get("pg8000_bridge_sessions_open")).toBe(0);
      expect((await fetch(new URL("/healthz", bridge.metricsUrl!))).status).toBe(200);
      expect((await fetch(httpUrl(bridge.url, "/metrics"))).status).toBe(426);
    } finally {
      await bridge.close();
    }
  });
});

describe("reload", () => {
  it("rotating the secret: new tokens need the new secret, open sessions carry on", async () => {
    const oldSecret = SECRET;
    const newSecret = "a-brand-new-secret-0123456789abcdefghijkl";
    const config = {
      listen: { host: "127.0.0.1", port: 0 },
      targets: { main: { host: cluster.host, port: cluster.port } },
      tokenSecret: oldSecret,
      log: false as const,
    };
    const bridge = await createBridge(config);
    try {
      const open = await connect({
        ...login,
        bridge: { url: bridge.url, token: mintToken({ secret: oldSecret, target: "main" }) },
      });
      // During rotation both verify; then only the new one.
      expect(bridge.reload({ ...config, tokenSecret: [newSecret, oldSecret] })).toEqual([]);
      const during = await connect({
        ...login,
        bridge: { url: bridge.url, token: mintToken({ secret: oldSecret, target: "main" }) },
      });
      await during.close();
      bridge.reload({ ...config, tokenSecret: newSecret });
      const refused = await connect({
        ...login,
        bridge: { url: bridge.url, token: mintToken({ secret: oldSecret, target: "main" }) },
      }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OperationalError);
      expect((refused as Error).message).toMatch(/4401: token signature is not valid/);
      const fresh = await connect({
        ...login,
        bridge: { url: bridge.url, token: mintToken({ secret: newSecret, target: "main" }) },
      });
      expect(await fresh.run("SELECT 2")).toEqual([[2]]);
      await fresh.close();
      expect(await open.run("SELECT 1")).toEqual([[1]]);
      await open.close();
    } finally {
      await bridge.close();
    }
  });

  it("an invalid config is refused and the old one stays; listener changes are reported as needing a restart", async () => {
    const bridge = await startBridge();
    try {
      expect(() => bridge.reload({ targets: {} })).toThrow(/targets is required/);
      const con = await connect({ ...login, bridge: { url: bridge.url, token: STATIC_TOKEN, target: "main" } });
      await con.close();
      expect(
        bridge.reload({
          listen: { host: "127.0.0.1", port: 1 },
          targets: { main: { host: cluster.host, port: cluster.port } },
          tokens: [STATIC_TOKEN],
          limits: { maxPayload: 4096 },
        }),
      ).toEqual(["listen", "limits.maxPayload"]);
      const again = await connect({ ...login, bridge: { url: bridge.url, token: STATIC_TOKEN } });
      await again.close();
    } finally {
      await bridge.close();
    }
  });

  describe("SIGHUP to the CLI", () => {
    let child: ChildProcess | undefined;
    beforeAll(() => {
      execFileSync(process.execPath, [
        path.join(root, "node_modules/typescript/bin/tsc"),
        "-p",
        path.join(root, "bridge/tsconfig.json"),
        "--outDir",
        outDir,
      ]);
    }, 60_000);
    afterAll(() => {
      if (child && child.exitCode === null) child.kill("SIGKILL");
    });

    it("re-reads the secret file: the open session keeps working, old tokens stop, new ones work", async () => {
      const secretFile = path.join(outDir, "secret");
      const newSecret = "rotated-secret-0123456789abcdefghijklmnop";
      fs.writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
      let stderr = "";
      child = spawn(
        process.execPath,
        [
          path.join(outDir, "bridge/cli.js"),
          "--port",
          "0",
          "--target",
          `main=${cluster.host}:${cluster.port}`,
          "--token-secret-file",
          secretFile,
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const waitFor = (pattern: RegExp): Promise<RegExpExecArray> =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`not seen: ${pattern} in ${stderr}`)), 10_000);
          const check = (): void => {
            const m = pattern.exec(stderr);
            if (m) {
              clearTimeout(timer);
              child!.stderr!.off("data", check);
              resolve(m);
            }
          };
          child!.stderr!.on("data", check);
          check();
        });
      const url = (await waitFor(/"url":"(ws:\/\/[^"]+)"/))[1]!;
      const open = await connect({ ...login, bridge: { url, token: mintToken({ secret: SECRET, target: "main" }) } });

      fs.writeFileSync(secretFile, `${newSecret}\n`);
      child.kill("SIGHUP");
      await waitFor(/"event":"reloaded"/);

      const old = await connect({
        ...login,
        bridge: { url, token: mintToken({ secret: SECRET, target: "main" }) },
      }).catch((e: unknown) => e as Error);
      expect((old as Error).message).toMatch(/4401: token signature is not valid/);
      const fresh = await connect({
        ...login,
        bridge: { url, token: mintToken({ secret: newSecret, target: "main" }) },
      });
      expect(await fresh.run("SELECT 1")).toEqual([[1]]);
      await fresh.close();
      expect(await open.run("SELECT current_user")).toEqual([[cluster.users.scram.user]]);
      await open.close();

      // A broken file is reported and changes nothing.
      fs.writeFileSync(secretFile, "short\n");
      child.kill("SIGHUP");
      await waitFor(/reload failed, configuration unchanged: bridge config: tokenSecret must be/);
      const still = await connect({
        ...login,
        bridge: { url, token: mintToken({ secret: newSecret, target: "main" }) },
      });
      await still.close();
      expect(stderr).not.toContain(newSecret);
      expect(stderr).not.toContain(SECRET);

      child.kill("SIGTERM");
      expect(await new Promise((resolve) => child!.on("exit", resolve))).toBe(0);
    });
  });
});

describe("several bridges behind a load balancer", () => {
  it("share nothing but the secret: one minted token opens either; one going away leaves the other serving", async () => {
    const config = {
      listen: { host: "127.0.0.1", port: 0 },
      targets: { main: { host: cluster.host, port: cluster.port } },
      tokenSecret: SECRET,
      log: false as const,
    };
    const a = await createBridge(config);
    const b = await createBridge(config);
    try {
      const token = mintToken({ secret: SECRET, target: "main", expiresIn: 60 });
      const onA = await connect({ ...login, bridge: { url: a.url, token } });
      const onB = await connect({ ...login, bridge: { url: b.url, token } });
      expect(await onA.run("SELECT 'a'")).toEqual([["a"]]);
      expect(await onB.run("SELECT 'b'")).toEqual([["b"]]);
      await a.close();
      expect(onA.closed).toBe(true);
      // The client reconnects through the other bridge with the same token.
      const again = await connect({ ...login, bridge: { url: b.url, token } });
      expect(await again.run("SELECT 1")).toEqual([[1]]);
      expect(await onB.run("SELECT 2")).toEqual([[2]]);
      await again.close();
      await onB.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
