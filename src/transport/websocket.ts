// WebSocket transport to the pg8000 bridge (browser mode).

import { InterfaceError } from "../errors.js";
import type { ResolvedOptions } from "../core/options.js";
import type { Transport } from "./transport.js";

export async function connectBridge(_options: ResolvedOptions): Promise<Transport> {
  throw new InterfaceError("connecting through the WebSocket bridge is not available in this version");
}
