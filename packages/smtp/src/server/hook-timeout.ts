/**
 * Deadlines on user hooks. While the server waits on a hook it reads nothing from the client,
 * so the command and data deadlines do not run; without this a hook that never settles would
 * hold the session (and a connection slot) forever.
 */

import { hasDeadline, MAX_TIMER_DELAY as MAX_DELAY } from '@mail/transport';

export { TIMED_OUT, HookTimeoutError, runWithTimeout, hasDeadline } from '@mail/transport';

/**
 * A deadline that runs only while armed: `onData` owns the session while it works on the
 * message, but while it waits for the next piece of content the data deadline applies
 * instead. Fires `onExpire` once when armed for `ms` in total without a break.
 */
export class PausableDeadline {
  #timer: NodeJS.Timeout | undefined;
  #armed = false;
  #expired = false;

  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {}

  /** The deadline passed. */
  get expired(): boolean {
    return this.#expired;
  }

  /** (Re)starts the full deadline. One timer, refreshed: this runs for every content read. */
  arm(): void {
    if (!hasDeadline(this.ms) || this.#expired) return;
    this.#armed = true;
    if (this.#timer === undefined) this.#timer = setTimeout(() => this.#fire(), Math.min(this.ms, MAX_DELAY));
    else this.#timer.refresh();
  }

  /** Pauses the deadline (waiting on the client); a timer firing meanwhile is ignored. */
  disarm(): void {
    this.#armed = false;
  }

  /** Clears the timer for good (the hook settled). */
  stop(): void {
    this.#armed = false;
    clearTimeout(this.#timer);
  }

  #fire(): void {
    if (!this.#armed || this.#expired) return;
    this.#expired = true;
    this.onExpire();
  }
}
