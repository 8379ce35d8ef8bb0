/**
 * Serialises the commands of one session so calls never interleave on the wire, while
 * letting a running transaction write the next queued transaction's envelope right after
 * its final dot (RFC 2920 §3.1: pipelining across transactions).
 *
 * Thousands of `sendMail()` calls may be queued at once, so an entry is one plain object (no
 * closures unless the call has an AbortSignal), the waiting list is consumed from a moving
 * head (no `Array.shift()` of a long array), and settling a call starts the next one in the
 * same microtask.
 */
import { MailError } from '@mail/transport';

/** Options of one queued operation. */
export interface QueueOptions {
  signal?: AbortSignal | undefined;
  /**
   * Returns this operation's pipelinable first commands (or undefined), for the previous
   * operation to append to its last write (RFC 2920 §3.1); `reset` asks for a leading RSET.
   * Called only when the operation is next in line, and no more once it returned bytes.
   */
  prewrite?: ((reset: boolean) => Buffer | undefined) | undefined;
}

/** An operation as the queue runs it (what {@link CommandQueue.runTask} takes). */
export interface QueueTask<T> {
  readonly signal: AbortSignal | undefined;
  /** Starts the operation; called once, after every earlier operation settled. */
  start(): Promise<T>;
  /** See {@link QueueOptions.prewrite}. */
  prewrite(reset: boolean): Buffer | undefined;
}

/** Builds the MAIL_ABORTED error for an aborted call. */
export function abortError(signal: AbortSignal): MailError {
  return new MailError('MAIL_ABORTED', 'the operation was aborted', { cause: signal.reason });
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

class Entry {
  /** Its envelope went out with the previous operation's last write: it must run. */
  claimed = false;
  /** Removed from the queue (aborted while waiting). */
  removed = false;
  onAbort: (() => void) | undefined = undefined;
  constructor(
    readonly task: QueueTask<unknown>,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: Error) => void,
  ) {}
}

/** A plain function as a task (the verbs other than sendMail). */
class FunctionTask<T> implements QueueTask<T> {
  readonly signal: AbortSignal | undefined;
  readonly #fn: () => Promise<T>;
  readonly #prewrite: QueueOptions['prewrite'];
  constructor(fn: () => Promise<T>, options: QueueOptions) {
    this.#fn = fn;
    this.signal = options.signal;
    this.#prewrite = options.prewrite;
  }
  start(): Promise<T> {
    return this.#fn();
  }
  prewrite(reset: boolean): Buffer | undefined {
    return this.#prewrite?.(reset);
  }
}

/** First-in first-out runner of async operations, one at a time. */
export class CommandQueue {
  #waiting: Array<Entry | undefined> = [];
  #head = 0;
  #running: Entry | undefined;

  /** Runs `fn` after every earlier operation settled. */
  run<T>(fn: () => Promise<T>, options: QueueOptions = {}): Promise<T> {
    return this.runTask(new FunctionTask(fn, options));
  }

  /** Runs `task` after every earlier operation settled. */
  runTask<T>(task: QueueTask<T>): Promise<T> {
    const signal = task.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<T>((resolve, reject) => {
      const entry = new Entry(task, resolve as (value: unknown) => void, reject);
      if (signal !== undefined) {
        entry.onAbort = () => {
          // Only a call still waiting is removed here; a running one aborts through its I/O.
          if (entry.removed || entry.claimed || this.#running === entry) return;
          entry.removed = true;
          reject(abortError(signal));
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#waiting.push(entry);
      if (this.#running === undefined) this.#pump();
    });
  }

  /**
   * The next waiting operation's prewritten commands (see {@link QueueOptions.prewrite}), or
   * undefined. Once it returned bytes the operation is claimed: it will run, and an abort no
   * longer removes it (its commands are on the wire).
   */
  prewriteNext(reset: boolean): Buffer | undefined {
    const next = this.#peek();
    if (next === undefined || next.claimed || next.task.signal?.aborted) return undefined;
    const bytes = next.task.prewrite(reset);
    if (bytes !== undefined) next.claimed = true;
    return bytes;
  }

  /** The first waiting entry that was not removed (removed ones are dropped). */
  #peek(): Entry | undefined {
    const waiting = this.#waiting;
    while (this.#head < waiting.length) {
      const entry = waiting[this.#head];
      if (entry !== undefined && !entry.removed) return entry;
      waiting[this.#head++] = undefined;
    }
    return undefined;
  }

  #take(): Entry | undefined {
    const entry = this.#peek();
    if (entry !== undefined) this.#waiting[this.#head++] = undefined;
    if (this.#head === this.#waiting.length) {
      this.#waiting.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
      // Keep the consumed front from growing without bound in a long-lived session.
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    return entry;
  }

  #pump(): void {
    const entry = this.#take();
    this.#running = entry;
    if (entry === undefined) return;
    const signal = entry.task.signal;
    if (entry.onAbort !== undefined) signal?.removeEventListener('abort', entry.onAbort);
    let result: Promise<unknown>;
    try {
      result = entry.task.start();
    } catch (error) {
      result = Promise.reject(asError(error));
    }
    // Settles the caller and starts the next operation in one step (no extra microtask hops).
    result.then(this.#fulfilled, this.#rejected);
  }

  readonly #fulfilled = (value: unknown): void => {
    this.#running!.resolve(value);
    this.#pump();
  };

  readonly #rejected = (error: unknown): void => {
    this.#running!.reject(asError(error));
    this.#pump();
  };
}
