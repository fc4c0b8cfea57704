// When pooled connections are closed for age: idle past idle_timeout (the pool keeps `min`) or
// open past max_lifetime. One timer for the whole pool, armed for the earliest idle connection
// due, so freeing a connection after each statement costs a comparison, not a timer.

import type { ResolvedPoolSettings } from "./options.js";
import type { Slot } from "./pooled-connection.js";

export class Recycling {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private at = Number.POSITIVE_INFINITY;

  constructor(
    private readonly settings: ResolvedPoolSettings,
    /** Looks at the idle connections when one may be due (see sweep()). */
    private readonly onDue: () => void,
  ) {}

  expired(slot: Slot, now: number): boolean {
    return this.settings.maxLifetime > 0 && now - slot.created >= this.settings.maxLifetime;
  }

  /** An idle connection's next due time (idle too long or lived too long). */
  private deadline(slot: Slot): number {
    const { idleTimeout, maxLifetime } = this.settings;
    let at = Number.POSITIVE_INFINITY;
    if (idleTimeout > 0) at = slot.idleSince + idleTimeout;
    if (maxLifetime > 0) at = Math.min(at, slot.created + maxLifetime);
    return at;
  }

  /** `slot` just became idle: make sure the timer fires by its due time. */
  watch(slot: Slot): void {
    const at = this.deadline(slot);
    if (at >= this.at) return;
    clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.at = Number.POSITIVE_INFINITY;
        this.onDue();
      },
      Math.max(at - Date.now(), 0),
    );
    unref(this.timer);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Number.POSITIVE_INFINITY;
  }

  /**
   * Retires the idle connections that are due, keeping `min` open (`open` counts them); the
   * timer is armed again for the rest.
   */
  sweep(idle: readonly Slot[], open: () => number, retire: (slot: Slot) => void): void {
    const now = Date.now();
    const { idleTimeout, min } = this.settings;
    for (const slot of [...idle]) {
      const idleTooLong = idleTimeout > 0 && now - slot.idleSince >= idleTimeout;
      if (this.expired(slot, now) || (idleTooLong && open() > min)) retire(slot);
      else if (idleTooLong) slot.idleSince = now; // kept for `min`: look again after another idle period
    }
    for (const slot of idle) this.watch(slot);
  }
}

/** Node timers would keep the process alive for an idle pool; browsers' timers have no unref. */
function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}
