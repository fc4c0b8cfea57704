#!/usr/bin/env node
// `npx pg8000-bridge --config bridge.json`: runs the bridge until SIGINT/SIGTERM.

import { parseCommandLine, USAGE } from "./command-line.js";
import { BridgeConfigError } from "./config.js";
import { createBridge } from "./server.js";
import { mintToken } from "./tokens.js";

async function main(): Promise<void> {
  const command = parseCommandLine(process.argv.slice(2));
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
}

main().catch((err: unknown) => {
  const message =
    err instanceof BridgeConfigError
      ? err.message
      : `pg8000-bridge: ${err instanceof Error ? err.message : String(err)}`;
  process.stderr.write(`${message}\n`);
  process.exit(2);
});
