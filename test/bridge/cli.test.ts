// The pg8000-bridge command: flag parsing, and the compiled CLI run as a real process that the
// driver connects through, with a minted token, until SIGTERM.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommandLine } from "../../bridge/command-line.js";
import { BridgeConfigError, mintToken } from "../../bridge/index.js";
import { connect } from "../../src/native/index.js";
import { cluster, SECRET } from "./fixtures.js";

const root = path.resolve(import.meta.dirname, "../..");
// Inside the repository so that the compiled CLI resolves `ws` from node_modules.
const outDir = path.join(root, "node_modules/.cache/pg8000-bridge-cli-test");

describe("parseCommandLine", () => {
  it("flags for the common case", () => {
    const command = parseCommandLine(
      [
        "--port",
        "0",
        "--target",
        "main=db.internal:6432",
        "--target",
        "local=/run/postgresql/.s.PGSQL.5432",
        "--target-tls",
        "main=verify-full",
        "--target-ca",
        `main=${cluster.caCertPath}`,
        "--origin",
        "https://app.example.com",
        "--token-secret-env",
        "BRIDGE_SECRET",
        "--idle-timeout=60",
      ],
      { BRIDGE_SECRET: SECRET },
    );
    expect(command).toEqual({
      kind: "serve",
      config: {
        listen: { port: 0 },
        targets: {
          main: { host: "db.internal", port: 6432, tls: { mode: "verify-full", caFile: cluster.caCertPath } },
          local: { unix_sock: "/run/postgresql/.s.PGSQL.5432" },
        },
        origins: ["https://app.example.com"],
        tokenSecret: SECRET,
        limits: { idleTimeout: 60 },
      },
    });
  });

  it("--target-direct-tls asks for direct TLS negotiation on a target", () => {
    const command = parseCommandLine(
      ["--target", "pg=db:5432", "--target-tls", "pg=require", "--target-direct-tls", "pg", "--no-token"],
      {},
    );
    expect(command).toMatchObject({
      kind: "serve",
      config: { targets: { pg: { host: "db", port: 5432, tls: { mode: "require", negotiation: "direct" } } } },
    });
  });

  it("--no-compression turns compression off; --compression-min-ratio sets its threshold", () => {
    const command = parseCommandLine(["--target", "main=db.internal:5432", "--no-token", "--no-compression"], {});
    expect(command).toMatchObject({ kind: "serve", config: { compression: false, requireToken: false } });
    const ratio = parseCommandLine(["--target", "main=db.internal:5432", "--compression-min-ratio", "1.2"], {});
    expect(ratio).toMatchObject({ kind: "serve", config: { compression: { minRatio: 1.2 } } });
  });

  it("a config file, with the secret from the environment and flags on top", () => {
    const file = path.join(outDir, "bridge.json");
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({
        targets: { main: { host: "127.0.0.1" } },
        tokenSecret: { env: "S" },
        origins: ["https://a.example"],
      }),
    );
    const command = parseCommandLine(["--config", file, "--origin", "https://b.example", "--host", "0.0.0.0"], {
      S: SECRET,
    });
    expect(command).toMatchObject({
      kind: "serve",
      config: { listen: { host: "0.0.0.0" }, tokenSecret: SECRET, origins: ["https://a.example", "https://b.example"] },
    });
    expect(() => parseCommandLine(["--config", file], {})).toThrow("tokenSecret comes from $S, which is not set");
  });

  it.each([
    [["--bogus"], "unknown flag --bogus"],
    [["--target", "nohost"], "--target nohost: expected NAME=VALUE"],
    [["--target-tls", "x=require"], "--target-tls: no target named x"],
    [["--token-secret-env", "MISSING"], "the environment variable MISSING is not set"],
    [["--config", "/nonexistent/bridge.json"], "cannot read the config file /nonexistent/bridge.json"],
    [["mint"], "mint needs --target NAME"],
    [["--cert", "a.pem"], "--cert and --key go together"],
  ])("%j → %s", (argv, message) => {
    expect(() => parseCommandLine(argv, {})).toThrow(BridgeConfigError);
    expect(() => parseCommandLine(argv, {})).toThrow(message);
  });
});

describe("the compiled CLI", () => {
  let child: ChildProcess | undefined;
  let stderr = "";

  beforeAll(() => {
    execFileSync(
      process.execPath,
      [
        path.join(root, "node_modules/typescript/bin/tsc"),
        "-p",
        path.join(root, "bridge/tsconfig.json"),
        "--outDir",
        outDir,
      ],
      {
        stdio: "pipe",
      },
    );
  }, 60_000);
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("serves until SIGTERM; mint prints a token that opens the target; logs are JSON lines without secrets", async () => {
    const env = { ...process.env, BRIDGE_SECRET: SECRET };
    const cli = path.join(outDir, "bridge/cli.js");
    const token = execFileSync(
      process.execPath,
      [cli, "mint", "--target", "main", "--token-secret-env", "BRIDGE_SECRET", "--expires-in", "60"],
      { env },
    )
      .toString()
      .trim();
    expect(token).toMatch(/^p8b1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

    child = spawn(
      process.execPath,
      [cli, "--port", "0", "--target", `main=${cluster.host}:${cluster.port}`, "--token-secret-env", "BRIDGE_SECRET"],
      {
        env,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the CLI did not start: ${stderr}`)), 10_000);
      child!.stderr!.on("data", () => {
        const m = /"url":"(ws:\/\/[^"]+)"/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const con = await connect({ ...cluster.users.scram, database: cluster.database, bridge: { url, token } });
    expect(await con.run("SELECT current_user")).toEqual([[cluster.users.scram.user]]);
    await con.close();
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child!.on("exit", (c) => resolve(c)));
    expect(code).toBe(0);
    const events = stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string });
    expect(events.map((e) => e.event)).toEqual(["listening", "open", "upstream", "close", "stopped"]);
    expect(stderr).not.toContain(token);
    expect(stderr).not.toContain(SECRET);
    expect(stderr).not.toContain(cluster.users.scram.password);
  });

  it("a config error exits 2 with the message", () => {
    let status = 0;
    let output = "";
    try {
      execFileSync(process.execPath, [path.join(outDir, "bridge/cli.js"), "--target", "main=127.0.0.1:5432"], {
        stdio: "pipe",
      });
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      status = e.status;
      output = e.stderr.toString();
    }
    expect(status).toBe(2);
    expect(output).toContain("bridge config: no way to check tokens");
  });
});

describe("mintToken", () => {
  it("refuses weak secrets and bad lifetimes", () => {
    expect(() => mintToken({ secret: "short", target: "main" })).toThrow(/secret/);
    expect(() => mintToken({ secret: SECRET, target: "main", expiresIn: -1 })).toThrow(/expiresIn/);
    expect(() => mintToken({ secret: SECRET, target: "" })).toThrow(/target/);
  });
});
