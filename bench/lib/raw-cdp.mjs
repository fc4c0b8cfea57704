// Chromium driven over the DevTools protocol directly, without Playwright: Playwright enables the
// Network domain on every page it controls, so Chromium copies each WebSocket frame (base64) to
// it, which costs the browser more CPU than the page's own work on a large result. The notebook
// benchmark measures what a user's browser does, so it talks to Chromium itself, over one
// WebSocket per page, and enables no domain that reports traffic.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";

export async function launchChromium(executable) {
  const profile = mkdtempSync(path.join(os.tmpdir(), "pg8000-bench-chromium-"));
  const child = spawn(
    executable,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "--window-size=1280,900",
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  const endpoint = await new Promise((resolve, reject) => {
    child.stderr.on("data", (d) => {
      log += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(log);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`chromium exited with ${code}:\n${log}`)));
  });
  const http = new URL(endpoint);
  const targets = await (await fetch(`http://${http.host}/json/list`)).json();
  const page = targets.find((t) => t.type === "page");
  const session = await connectSession(page.webSocketDebuggerUrl);
  return {
    pid: child.pid,
    session,
    async close() {
      session.close();
      await new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill("SIGTERM");
      });
      rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
}

async function connectSession(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let id = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    const waiter = msg.id !== undefined ? pending.get(msg.id) : undefined;
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.error) waiter.reject(new Error(`${waiter.method}: ${msg.error.message}`));
    else waiter.resolve(msg.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const msgId = ++id;
      pending.set(msgId, { resolve, reject, method });
      ws.send(JSON.stringify({ id: msgId, method, params }));
    });
  return {
    send,
    /** Runs `fn` (a function without closure) in the page with `arg`, awaits it, returns its JSON value. */
    async evaluate(fn, arg) {
      const { result, exceptionDetails } = await send("Runtime.evaluate", {
        expression: `(${fn.toString()})(${JSON.stringify(arg ?? null)})`,
        awaitPromise: true,
        returnByValue: true,
      });
      if (exceptionDetails)
        throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
      return result.value;
    },
    async waitFor(fn, arg, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        if (await this.evaluate(fn, arg)) return;
        if (Date.now() > until) throw new Error(`timed out waiting for ${fn.toString()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => ws.close(),
  };
}
