// `#node-transport` in browser and worker bundles: TCP and Unix sockets do not exist there, so
// the bundle carries this instead of transport/node.ts (and never sees node:net / node:tls).

import type { Duplex } from "node:stream";
import { InterfaceError } from "../errors.js";
import type { NodeConnectOptions, NodeTransport as NodeSocketTransport } from "./node.js";

function unavailable(what: string): InterfaceError {
  return new InterfaceError(
    `${what} needs Node's sockets, which this browser/worker build of pg8000 leaves out;` +
      " connect through the WebSocket bridge with the 'bridge' option, or pass your own Transport as 'sock'",
  );
}

export const NodeTransport = class {
  constructor(_socket: Duplex) {
    throw unavailable("a Node stream as 'sock'");
  }
} as unknown as typeof NodeSocketTransport;

export async function connectSocket(_opts: NodeConnectOptions): Promise<NodeSocketTransport> {
  throw unavailable("connecting by host and port (or unix_sock)");
}
