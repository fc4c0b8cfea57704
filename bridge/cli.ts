#!/usr/bin/env node
// `npx pg8000-bridge --config bridge.json`: runs the bridge until SIGINT/SIGTERM. SIGHUP reads
// the command line's files again (config, secret and token files) and applies them to new
// sessions; open sessions carry on. A config that does not validate is logged and ignored.

import { parseCommandLine, USAGE } from "./command-line.js";
import { BridgeConfigError } from "./config.js";
import { createBridge } from "./server.js";
import { mintToken } from "./tokens.js";

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const command = parseCommandLine(argv);
  if (command.kind === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (command.kind === "mint") {
    process.stdout.write(`${mintToken(command)}\n`);
    return;
  }
  const bridge = await createBridge(command.config);
  const stop = (): void => {
    bridge.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.on("SIGHUP", () => {
    try {
      const again = parseCommandLine(argv);
      if (again.kind === "serve") bridge.reload(again.config);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(
        `${JSON.stringify({ time: new Date().toISOString(), level: "error", event: "error", error: `reload failed, configuration unchanged: ${message}` })}\n`,
      );
    }
  });
}

main().catch((err: unknown) => {
  const message =
    err instanceof BridgeConfigError
      ? err.message
      : `pg8000-bridge: ${err instanceof Error ? err.message : String(err)}`;
  process.stderr.write(`${message}\n`);
  process.exit(2);
});
