/**
 * Serialises the commands of one session so calls never interleave on the wire, while
 * letting a running transaction write the next queued transaction's envelope right after
 * its final dot (RFC 2920 §3.1: pipelining across transactions).
 */
import { MailError } from '@mail/transport';

/** Options of one queued operation. */
export interface QueueOptions {
  signal?: AbortSignal | undefined;
  /**
   * Returns this operation's pipelinable first commands (or undefined), for the previous
   * operation to append to its last write (RFC 2920 §3.1); `reset` asks for a leading RSET.
   * Called at most once, only when the operation is next in line.
   */
  prewrite?: ((reset: boolean) => Buffer | undefined) | undefined;
}

interface Entry {
  run: () => Promise<void>;
  options: QueueOptions;
  claimed: boolean;
}

/** Builds the MAIL_ABORTED error for an aborted call. */
export function abortError(signal: AbortSignal): MailError {
  return new MailError('MAIL_ABORTED', 'the operation was aborted', { cause: signal.reason });
}

/** First-in first-out runner of async operations, one at a time. */
export class CommandQueue {
  #waiting: Entry[] = [];
  #busy = false;

  /** Runs `fn` after every earlier operation settled. */
  run<T>(fn: () => Promise<T>, options: QueueOptions = {}): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(entry);
        // Only a call still waiting is removed here; a running one aborts through its I/O.
        if (i >= 0 && !entry.claimed) {
          this.#waiting.splice(i, 1);
          reject(abortError(signal!));
        }
      };
      const entry: Entry = {
        options,
        claimed: false,
        run: () => {
          signal?.removeEventListener('abort', onAbort);
          // Settles the caller and frees the queue in one step (no extra microtask hops).
          let result: Promise<T>;
          try {
            result = fn();
          } catch (error) {
            result = Promise.reject(error instanceof Error ? error : new Error(String(error)));
          }
          return result.then(resolve, (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(entry);
      this.#pump();
    });
  }

  /** The next waiting operation's prewrite, claimed so it runs once; undefined if none. */
  claimNextPrewrite(): ((reset: boolean) => Buffer | undefined) | undefined {
    const next = this.#waiting[0];
    if (next === undefined || next.claimed || next.options.prewrite === undefined || next.options.signal?.aborted) return undefined;
    next.claimed = true;
    return next.options.prewrite;
  }

  #pump(): void {
    if (this.#busy) return;
    const entry = this.#waiting.shift();
    if (entry === undefined) return;
    this.#busy = true;
    void entry.run().then(this.#next);
  }

  readonly #next = (): void => {
    this.#busy = false;
    this.#pump();
  };
}
