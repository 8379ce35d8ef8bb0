/**
 * Deadlines on the server's calls into user code (`openMailbox` and the {@link Mailbox}
 * methods). While the server waits on them it reads nothing from the client, so the
 * autologout timer does not run; without this a call that never settles would hold the
 * session, its maildrop lock and a connection slot forever.
 */

import { TIMED_OUT, hasDeadline, MAX_TIMER_DELAY as MAX_DELAY } from '@mail/transport';

export { TIMED_OUT, HookTimeoutError, runWithTimeout } from '@mail/transport';

/**
 * One deadline reused for a series of calls (the reads of one message): cheaper than
 * {@link runWithTimeout} per chunk (one timer, refreshed; no AbortSignal). Call `stop()` after.
 */
export class Watchdog {
  #timer: NodeJS.Timeout | undefined;
  #fire: (() => void) | undefined;

  constructor(private readonly ms: number) {}

  /** Waits for `work` for at most the deadline; a late settle is ignored (the race handles it). */
  async run<T>(work: Promise<T>): Promise<T | typeof TIMED_OUT> {
    if (!hasDeadline(this.ms)) return work;
    const expired = new Promise<typeof TIMED_OUT>((resolve) => {
      this.#fire = () => resolve(TIMED_OUT);
    });
    if (this.#timer === undefined) this.#timer = setTimeout(() => this.#fire?.(), Math.min(this.ms, MAX_DELAY));
    else this.#timer.refresh();
    try {
      return await Promise.race([work, expired]);
    } finally {
      this.#fire = undefined;
    }
  }

  /** Clears the timer. */
  stop(): void {
    clearTimeout(this.#timer);
  }
}
