// Closing a connection on purpose: let the server answer what was asked, send Terminate, end
// the socket and wait for the server to close its side, all within CLOSE_GRACE_MS. A server that
// stalls is cut off, and whatever it left unanswered fails with InterfaceError("connection is
// closed").

import * as msg from "../protocol/serializer.js";
import type { Transport } from "../transport/transport.js";
import { connectionClosed, type RequestQueue } from "./request-queue.js";
import type { Session } from "./session.js";

export const CLOSE_GRACE_MS = 5000;

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

export async function closeGracefully(c: Closable): Promise<void> {
  const { session, queue, transport } = c;
  if (!session.accepting) throw connectionClosed(session.closeError);
  session.transition("closing");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cutOff = new Promise<"cut off">((resolve) => (timer = setTimeout(() => resolve("cut off"), CLOSE_GRACE_MS)));
  const closed = session.closed ? Promise.resolve() : c.closedEvent();
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
      transport.end();
      outcome = await Promise.race([closed, cutOff]);
    }
  }
  clearTimeout(timer);
  if (session.closed) return;
  // The server did not finish in time: what it left unanswered fails, the socket is cut.
  c.shutdown(session.closeError ?? connectionClosed(null));
  transport.destroy();
}
