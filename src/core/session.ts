// What the server session is in: the connection's life as a named-state machine whose every
// transition is checked (asyncpg's ProtocolState is the model), the transaction status of the
// last ReadyForQuery, the server's parameter statuses, notifications and notices (and their
// listeners) and the backend key for cancelling.

import { InterfaceError, type ServerFields } from "../errors.js";
import {
  Backend,
  readFields,
  readNotification,
  readParameterStatus,
  type TransactionStatus,
} from "../protocol/messages.js";
import { type TextEncoding, textEncodingFor, UTF8 } from "../protocol/text-encoding.js";
import { BoundedQueue, Listeners, type Notification } from "./events.js";

/**
 * connecting: startup and authentication; ready: queries may be sent; closing: close() was
 * called and Terminate goes out once what was asked is answered; closed: nothing more.
 */
export type SessionState = "connecting" | "ready" | "closing" | "closed";

const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  connecting: ["ready", "closed"],
  ready: ["closing", "closed"],
  closing: ["closed"],
  closed: [],
};

export class Session {
  private current: SessionState = "connecting";
  /** Last ReadyForQuery status: I idle, T in transaction, E failed transaction; null before the first. */
  private status: TransactionStatus | null = null;
  /** Why the session ended (or a FATAL error that arrived while idle, before the socket closed). */
  closeError: Error | null = null;
  readonly parameterStatuses: Record<string, string> = {};
  backendPid = 0;
  secretKey = 0;
  /** The session's client_encoding, for text both ways. */
  encoding: TextEncoding = UTF8;
  readonly events = new Listeners();
  readonly notifications = new BoundedQueue<Notification>(100);
  readonly notices = new BoundedQueue<ServerFields>(100);

  get state(): SessionState {
    return this.current;
  }

  /** Moves to `next`; a transition the machine does not have is a bug, reported as one. */
  transition(next: SessionState): void {
    if (!TRANSITIONS[this.current].includes(next)) {
      throw new InterfaceError(`internal error: the connection cannot go from '${this.current}' to '${next}'`);
    }
    this.current = next;
  }

  get closed(): boolean {
    return this.current === "closed";
  }

  /** Requests may be queued (not closed, and close() not called). */
  get accepting(): boolean {
    return this.current === "connecting" || this.current === "ready";
  }

  get transactionStatus(): TransactionStatus | null {
    return this.status;
  }

  get inTransaction(): boolean {
    return this.status === "T" || this.status === "E";
  }

  /** ReadyForQuery. */
  readyForQuery(status: TransactionStatus): void {
    this.status = status;
  }

  /**
   * True when no transaction is open, and from then on the session counts as in one: the BEGIN
   * the caller sends now is answered only after later statements were pipelined behind it.
   */
  claimTransaction(): boolean {
    if (this.status !== "I" && this.status !== null) return false;
    this.status = "T";
    return true;
  }

  /**
   * NotificationResponse, NoticeResponse or ParameterStatus, which may come at any time: kept
   * and reported to listeners. True when client_encoding changed (text decoding changes with it).
   */
  asynchronous(
    type: number,
    bytes: Uint8Array,
    offset: number,
    length: number,
    registry: { sessionChanged(name: string, value: string): void },
  ): boolean {
    const decode = this.encoding.decode;
    if (type === Backend.NotificationResponse) {
      const n = readNotification(bytes, offset, length, decode);
      const notification: Notification = [n.processId, n.channel, n.payload];
      this.notifications.add(notification);
      this.events.emit("notification", notification);
      return false;
    }
    if (type === Backend.NoticeResponse) {
      const fields = readFields(bytes, offset, length, decode);
      this.notices.add(fields);
      this.events.emit("notice", fields);
      return false;
    }
    const { name, value } = readParameterStatus(bytes, offset, length, decode);
    this.parameterStatuses[name] = value;
    const encodingChanged = name === "client_encoding";
    if (encodingChanged) this.encoding = textEncodingFor(value);
    registry.sessionChanged(name, value);
    this.events.emit("parameter_status", name, value);
    return encodingChanged;
  }

  get serverMajorVersion(): number {
    return Number(this.parameterStatuses.server_version?.split(".")[0] ?? 0);
  }
}
