/**
 * Serialises commands: a call runs only once every earlier call has settled, so concurrent
 * calls never interleave on the wire (replies are matched to commands in order).
 */
import { MailError } from '@mail/transport';

/** The error of a call aborted before it ran. */
export function abortError(signal: AbortSignal): MailError {
  return new MailError('MAIL_ABORTED', 'POP3 call aborted', { cause: signal.reason });
}

/** Waits for `previous`, or rejects early with MAIL_ABORTED when `signal` fires first. */
function waitTurn(previous: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return previous;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    void previous.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** A FIFO mutex for command exchanges. */
export class CommandQueue {
  #tail: Promise<void> = Promise.resolve();

  /**
   * Takes the next turn. Resolves with a `release` function once every earlier turn was
   * released. A turn given up by an abort while waiting releases itself in order.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await waitTurn(previous, signal);
    } catch (error) {
      // Keep the order: our slot opens only after the one before us.
      void previous.then(release);
      throw error;
    }
    let released = false;
    return () => {
      if (!released) {
        released = true;
        release();
      }
    };
  }

  /** Runs `fn` in its turn. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
