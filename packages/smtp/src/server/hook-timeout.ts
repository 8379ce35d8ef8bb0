/**
 * Deadlines on user hooks. While the server waits on a hook it reads nothing from the client,
 * so the command and data deadlines do not run; without this a hook that never settles would
 * hold the session (and a connection slot) forever.
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
const MAX_DELAY = 2_147_483_647;

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
