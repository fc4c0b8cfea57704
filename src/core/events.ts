// What a connection reports besides query results: notifications, notices, parameter
// statuses and its closing. Plain listener sets (no EventEmitter), and bounded queues.

import type { ServerFields } from "../errors.js";

/** [backend_pid, channel, payload], as pg8000 keeps them. */
export type Notification = [backend_pid: number, channel: string, payload: string];

export interface ConnectionEvents {
  notification: (notification: Notification) => void;
  notice: (fields: ServerFields) => void;
  parameter_status: (name: string, value: string) => void;
  close: (error: Error | null) => void;
}

export type ConnectionEventName = keyof ConnectionEvents;

/** Keeps the newest `limit` items; the oldest are dropped first. */
export class BoundedQueue<T> extends Array<T> {
  constructor(private readonly limit = 100) {
    super();
  }
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
  add(item: T): void {
    this.push(item);
    if (this.length > this.limit) this.shift();
  }
}

export class Listeners {
  private readonly sets = new Map<ConnectionEventName, Set<(...args: never[]) => void>>();

  on<E extends ConnectionEventName>(event: E, listener: ConnectionEvents[E]): () => void {
    let set = this.sets.get(event);
    if (!set) this.sets.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  has(event: ConnectionEventName): boolean {
    return (this.sets.get(event)?.size ?? 0) > 0;
  }

  /** Calls every listener; a listener that throws is reported, never allowed to break the connection. */
  emit<E extends ConnectionEventName>(event: E, ...args: Parameters<ConnectionEvents[E]>): void {
    const set = this.sets.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
