/**
 * Deadlines on a server's calls into user code (hooks, mailbox back-ends). While a server waits
 * on them it reads nothing from the client, so its command and data deadlines do not run;
 * without one, a call that never settles would hold the session (and a connection slot, and
 * for POP3 the maildrop lock) forever. Shared by the SMTP and POP3 server halves.
 */

/** Returned by {@link runWithTimeout} instead of the hook's value when the deadline passed. */
export const TIMED_OUT: unique symbol = Symbol('hook timed out');

/** The reason given to a hook's AbortSignal when its deadline passes. */
export class HookTimeoutError extends Error {
  constructor(readonly hook: string) {
    super(`${hook} hook timed out`);
    this.name = 'HookTimeoutError';
  }
}

/** setTimeout's largest delay (2^31 - 1 ms); longer ones would fire at once. */
export const MAX_TIMER_DELAY = 2_147_483_647;

/** `0`, `Infinity` (or anything not a positive finite number) means no deadline. */
export function hasDeadline(ms: number): boolean {
  return Number.isFinite(ms) && ms > 0;
}

/**
 * Runs `hook` with a deadline of `ms`. Resolves with the hook's value or {@link TIMED_OUT}
 * (then `signal` is aborted with a {@link HookTimeoutError}); rejects when the hook throws in
 * time. A late settle is ignored: `Promise.race` keeps a handler on the hook's promise, so a
 * late rejection is never unhandled.
 */
export async function runWithTimeout<T>(name: string, ms: number, hook: (signal: AbortSignal) => T | PromiseLike<T>): Promise<T | typeof TIMED_OUT> {
  const controller = new AbortController();
  // A synchronous throw becomes a rejection, like an async hook's.
  const work = Promise.resolve().then(() => hook(controller.signal));
  if (!hasDeadline(ms)) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.min(ms, MAX_TIMER_DELAY));
  });
  try {
    const result = await Promise.race([work, deadline]);
    if (result === TIMED_OUT) controller.abort(new HookTimeoutError(name));
    return result;
  } finally {
    clearTimeout(timer);
  }
}
