/**
 * Deadlines on the server's calls into user code (`openMailbox` and the {@link Mailbox}
 * methods). While the server waits on them it reads nothing from the client, so the
 * autologout timer does not run; without this a call that never settles would hold the
 * session, its maildrop lock and a connection slot forever.
 */

/** Returned by {@link runWithTimeout} instead of the call's value when the deadline passed. */
export const TIMED_OUT: unique symbol = Symbol('hook timed out');

/** The reason given to a hook's AbortSignal when its deadline passes. */
export class HookTimeoutError extends Error {
  constructor(readonly hook: string) {
    super(`${hook} hook timed out`);
    this.name = 'HookTimeoutError';
  }
}

/** setTimeout's largest delay (2^31 - 1 ms); longer ones would fire at once. */
const MAX_DELAY = 2_147_483_647;

/**
 * Runs `hook` with a deadline of `ms` (`0`, `Infinity`: none). Resolves with the hook's value
 * or {@link TIMED_OUT} (then `signal` is aborted with a {@link HookTimeoutError}); rejects when
 * the hook throws in time. A late settle is ignored: `Promise.race` keeps a handler on the
 * hook's promise, so a late rejection is never unhandled.
 */
export async function runWithTimeout<T>(name: string, ms: number, hook: (signal: AbortSignal) => T | PromiseLike<T>): Promise<T | typeof TIMED_OUT> {
  const controller = new AbortController();
  // A synchronous throw becomes a rejection, like an async hook's.
  const work = Promise.resolve().then(() => hook(controller.signal));
  if (!(Number.isFinite(ms) && ms > 0)) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.min(ms, MAX_DELAY));
  });
  try {
    const result = await Promise.race([work, deadline]);
    if (result === TIMED_OUT) controller.abort(new HookTimeoutError(name));
    return result;
  } finally {
    clearTimeout(timer);
  }
}

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
    if (!(Number.isFinite(this.ms) && this.ms > 0)) return work;
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
