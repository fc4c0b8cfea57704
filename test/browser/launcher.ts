// Runs `web-demo/start.mjs` (what `npm start` runs after building) as a child process, the way a
// user does, and reads the notebook address it prints.

import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

export interface Launcher {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  address: string;
  /** Sends the signal; resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

export async function startLauncher(args: string[], env: Record<string, string | undefined> = {}): Promise<Launcher> {
  const fullEnv = { ...process.env, ...env };
  if (!("DATABASE_URL" in env)) delete fullEnv.DATABASE_URL;
  const child = spawn(process.execPath, [path.join(root, "web-demo/start.mjs"), "--http-port", "0", ...args], {
    env: fullEnv,
    cwd: root,
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`npm start printed no address within 120 s:\n${output}`));
    }, 120_000);
    const look = (): void => {
      const m = /SQL notebook → (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    address,
    async stop(signal = "SIGINT") {
      if (child.exitCode !== null) return { code: child.exitCode, ms: 0 };
      const started = Date.now();
      child.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}

/** Runs start.mjs to completion (for --help and bad flags). */
export function runLauncher(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "web-demo/start.mjs"), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
