// Closing a connection on purpose: let the server answer what was asked, send Terminate and end
// the socket, all within CLOSE_GRACE_MS. Like libpq and pg8000, close() is done once Terminate has
// left this process; with `wait_for_server` it also waits for the server to close its side, which
// PostgreSQL does only after the backend process has exited. A server that stalls is cut off, and
// whatever it left unanswered fails with InterfaceError("connection is closed").

import { InterfaceError } from "../errors.js";
import * as msg from "../protocol/serializer.js";
import type { Transport } from "../transport/transport.js";
import { connectionClosed, type RequestQueue } from "./request-queue.js";
import type { Session } from "./session.js";

export const CLOSE_GRACE_MS = 5000;

/** Options of `close()`. */
export interface CloseOptions {
  /**
   * Resolve only once the server has closed the connection, which it does after the session's
   * backend process has exited: its locks, temporary tables and connection slot are released by
   * then. Default false: resolve once Terminate has been sent, as libpq and pg8000 do (the backend
   * finishes exiting a few milliseconds later, on its own).
   */
  wait_for_server?: boolean;
}

/** Checks what the user passed to close(): a typo must not pass silently. */
export function closeOptions(options: unknown): CloseOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object") {
    throw new InterfaceError(`close() takes an options object ({ wait_for_server?: boolean }), got ${options}`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (key !== "wait_for_server") {
      throw new InterfaceError(`unknown close() option '${key}'; the only option is wait_for_server`);
    }
    if (value !== undefined && typeof value !== "boolean") {
      throw new InterfaceError(`close() option wait_for_server must be a boolean, got ${typeof value}`);
    }
  }
  return options as CloseOptions;
}

/** What a graceful close needs of the connection. */
export interface Closable {
  session: Session;
  queue: RequestQueue;
  transport: Transport;
  /** Streams the consumer left open: ended, or they would wait for their consumer forever. */
  openStreams: Iterable<{ return(): Promise<unknown> }>;
  /** Resolves once the connection is closed (its "close" event). */
  closedEvent(): Promise<void>;
  /** Fails what is left with `error` and marks the connection closed. */
  shutdown(error: Error): void;
}

export async function closeGracefully(c: Closable, options: CloseOptions = {}): Promise<void> {
  const { session, queue, transport } = c;
  if (!session.accepting) throw connectionClosed(session.closeError);
  session.transition("closing");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cutOff = new Promise<"cut off">((resolve) => (timer = setTimeout(() => resolve("cut off"), CLOSE_GRACE_MS)));
  const answered = async (): Promise<void> => {
    await Promise.all([...c.openStreams].map((stream) => stream.return().catch(() => undefined)));
    await Promise.all(queue.pending().map((r) => r.promise.catch(() => undefined)));
  };
  let outcome = await Promise.race([answered(), cutOff]);
  if (!session.closed) {
    session.closeError = connectionClosed(null);
    queue.send((w) => msg.terminate(w));
    queue.flush();
    if (outcome !== "cut off") {
      const sent = Promise.resolve(transport.end());
      outcome = await Promise.race([options.wait_for_server ? c.closedEvent() : sent, cutOff]);
    }
  }
  clearTimeout(timer);
  if (session.closed) return;
  // Terminate is out: closed on our side, and the transport sees the server's close (or cuts it)
  // on its own. Or the server did not finish in time: what it left unanswered fails, the socket is cut.
  c.shutdown(session.closeError ?? connectionClosed(null));
  if (outcome === "cut off") transport.destroy();
}
