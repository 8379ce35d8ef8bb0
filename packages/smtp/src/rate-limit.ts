/**
 * A token bucket: at most `messages` per `interval` ms on average, bursts up to `messages`.
 */
import { abortError } from './queue.js';

/** `messages` sends per `interval` milliseconds. */
export interface RateLimit {
  messages: number;
  interval: number;
}

/** Waits (cancellably) until `ms` passed. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Token bucket shared by every sender of a pool; takers are served in order. */
export class TokenBucket {
  readonly #capacity: number;
  readonly #perToken: number;
  #tokens: number;
  #last = performance.now();
  #chain: Promise<void> = Promise.resolve();

  constructor(limit: RateLimit) {
    if (!(limit.messages >= 1) || !(limit.interval > 0)) throw new RangeError('rateLimit needs messages >= 1 and interval > 0');
    this.#capacity = limit.messages;
    this.#perToken = limit.interval / limit.messages;
    this.#tokens = limit.messages;
  }

  /** Resolves when a token was taken. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#chain.then(() => this.#takeNow(signal));
    this.#chain = turn.catch(() => undefined);
    return turn;
  }

  async #takeNow(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = performance.now();
      this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#last) / this.#perToken);
      this.#last = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await sleep(Math.ceil((1 - this.#tokens) * this.#perToken), signal);
    }
  }
}
