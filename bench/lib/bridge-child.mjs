// W7's and W10's bridge, in a process of its own as it would be deployed (not sharing the
// client's event loop): pg8000's createBridge in front of the benchmark server, with its raw relay
// at /raw for Neon's driver (W10). Prints { url, token, target, rawUrl } as one JSON line, then
// serves until its stdin closes.

import { randomBytes } from "node:crypto";
import { createBridge } from "pg8000/bridge"; // this package, by name (dist/bridge)

const { host, port } = JSON.parse(process.env.BENCH_BRIDGE ?? "{}");
const token = randomBytes(18).toString("base64url");
const bridge = await createBridge({
  listen: { host: "127.0.0.1", port: 0 },
  targets: { bench: { host, port } },
  tokens: [token],
  // W10: Neon's driver through the raw relay, from a page on another local port.
  rawRelay: { target: "bench" },
  origins: "*",
  log: (e) => {
    if (e.level !== "info") process.stderr.write(`bridge: ${JSON.stringify(e)}\n`);
  },
});
const rawUrl = new URL(bridge.url);
rawUrl.pathname = "/raw";
process.stdout.write(`${JSON.stringify({ url: bridge.url, token, target: "bench", rawUrl: rawUrl.href })}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  await bridge.close();
  process.exit(0);
});
