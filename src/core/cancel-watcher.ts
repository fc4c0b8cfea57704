// Per-query cancellation: an AbortSignal or a `timeout` cancels the query on the server with a
// CancelRequest sent on a second connection. PostgreSQL docs: Frontend/Backend Protocol,
// "Canceling Requests in Progress".

import { InterfaceError, OperationalError } from "../errors.js";
import * as msg from "../protocol/serializer.js";
import type { ResolvedOptions } from "./options.js";
import type { Request } from "./request.js";
import { openTransport } from "./transport-open.js";

/** How often, and how far apart, a CancelRequest is repeated while its query still runs. */
const CANCEL_ATTEMPTS = 5;
const CANCEL_RETRY_MS = 250;

export interface CancelOptions {
  /** Cancels the query on the server when aborted (it then rejects with SQLSTATE 57014). */
  signal?: AbortSignal;
  /** Seconds after which the query is cancelled on the server. */
  timeout?: number;
}

export interface CancelHost {
  /** Whether the server is answering `request` now (it is at the head of the queue). */
  isRunning(request: object): boolean;
  /** Sends one CancelRequest for whatever the session runs now. */
  cancel(): Promise<void>;
}

export class CancelWatcher {
  constructor(private readonly host: CancelHost) {}

  /**
   * Checked before anything is sent: a bad timeout is an InterfaceError, and a signal that is
   * already aborted fails the query at once (as the server would, with SQLSTATE 57014).
   */
  check(options: CancelOptions): void {
    const { signal, timeout } = options;
    if (timeout !== undefined && !(typeof timeout === "number" && timeout > 0 && Number.isFinite(timeout))) {
      throw new InterfaceError(`the query 'timeout' must be a positive number of seconds, got ${String(timeout)}`);
    }
    if (signal?.aborted) {
      throw new OperationalError({
        S: "ERROR",
        C: "57014",
        M: "canceling statement due to user request: the AbortSignal was already aborted, so the query was not sent",
      });
    }
  }

  /**
   * Cancels `request` on the server when the signal aborts or the timeout passes. A request
   * still waiting behind others is cancelled when the server starts on it, so a cancel never
   * hits a neighbour that is running at that moment.
   */
  watch<T>(request: Request<T>, promise: Promise<T>, options: CancelOptions): Promise<T> {
    const { signal, timeout } = options;
    if (!signal && timeout === undefined) return promise;
    let retry: ReturnType<typeof setTimeout> | undefined;
    // A CancelRequest only stops what the server runs when it arrives: one sent just before
    // the query starts is lost, so it is repeated while this request is still the one running.
    const cancelRunning = (): void => {
      let attempts = 0;
      const attempt = (): void => {
        if (request.done || !this.host.isRunning(request) || attempts++ >= CANCEL_ATTEMPTS) return;
        void this.host
          .cancel()
          .catch(() => undefined)
          .then(() => {
            if (!request.done) retry = setTimeout(attempt, CANCEL_RETRY_MS);
          });
      };
      attempt();
    };
    const cancel = (): void => {
      if (request.done) return;
      if (this.host.isRunning(request)) cancelRunning();
      else request.cancelWhenStarted = cancelRunning;
    };
    const timer = timeout === undefined ? undefined : setTimeout(cancel, timeout * 1000);
    signal?.addEventListener("abort", cancel, { once: true });
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      if (retry !== undefined) clearTimeout(retry);
      signal?.removeEventListener("abort", cancel);
    };
    promise.then(cleanup, cleanup);
    return promise;
  }
}

/**
 * A CancelRequest for backend `pid` on a connection of its own. When the session itself runs
 * over TLS, so does the cancel connection, negotiated the same way (libpq 17's PQcancelCreate):
 * the backend's secret key would otherwise cross the network in the clear, for anyone who reads
 * it to cancel that session's queries at will.
 */
export async function sendCancelRequest(options: ResolvedOptions, pid: number, secretKey: number): Promise<void> {
  if (options.sock) {
    throw new InterfaceError(
      "cancel() needs a second connection to the server, which is not possible with the 'sock' option",
    );
  }
  // The session's own attempt options: its sslmode (allow's TLS retry is "require" there),
  // sslnegotiation and certificate checks; plain when the session is.
  const encrypted = options.tlsUsed?.value === true;
  const tls = encrypted ? options.tls : { ...options.tls, mode: "disable" as const };
  const transport = await openTransport({ ...options, tls, tlsUsed: undefined });
  await new Promise<void>((resolve) => {
    transport.attach({ data: () => undefined, close: () => resolve() });
    const w = new msg.MessageWriter(16);
    msg.cancelRequest(w, pid, secretKey);
    transport.write(w.take());
    void transport.end();
  });
}
