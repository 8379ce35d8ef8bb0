/**
 * `retrStream`'s iterator: sends the command at the first `next()`, then hands each
 * `next()` straight to the transport's body iterator, so a chunk costs one promise hop on
 * our side rather than the several of an async generator delegating with `yield*` (a
 * 100 MiB body with a stuffed line every few KB is tens of thousands of chunks).
 */
import type { Core } from './core.js';
import type { CallOptions } from './options.js';

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** The chunks of one RETR/TOP body, iterable once. The command queue is held until the body ends. */
export class BodyStream implements AsyncIterableIterator<Buffer> {
  readonly #core: Core;
  readonly #line: string;
  readonly #options: CallOptions;
  #started: Promise<AsyncIterator<Buffer>> | undefined;
  /** The transport's body iterator, once the command was answered. */
  #inner: AsyncIterator<Buffer> | undefined;
  /** next() calls chained on the start and not yet passed on. */
  #waiting = 0;
  #release: (() => void) | undefined;
  #finished = false;

  constructor(core: Core, line: string, options: CallOptions) {
    this.#core = core;
    this.#line = line;
    this.#options = options;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.#finished) return Promise.resolve(DONE);
    const inner = this.#inner;
    // Calls still waiting for the start go first: the transport iterator serves calls in order.
    if (inner !== undefined && this.#waiting === 0) return inner.next().then(this.#onChunk, this.#onError);
    this.#started ??= this.#start();
    this.#waiting++;
    return this.#started
      .then(
        (it) => {
          this.#waiting--;
          return this.#finished ? DONE : it.next();
        },
        (error: unknown) => {
          this.#waiting--;
          throw error;
        },
      )
      .then(this.#onChunk, this.#onError);
  }

  /** Stopping early closes the connection (the rest of the body is unread: out of sync). */
  async return(): Promise<IteratorResult<Buffer>> {
    const started = this.#started;
    if (started === undefined || this.#finished) {
      this.#finished = true;
      return DONE;
    }
    try {
      const inner = await started;
      await inner.return?.();
    } finally {
      this.#finish();
    }
    return DONE;
  }

  async #start(): Promise<AsyncIterator<Buffer>> {
    const { signal } = this.#options;
    this.#release = await this.#core.queue.acquire(signal);
    await this.#core.exchange(this.#line, { signal });
    this.#inner = this.#core.conn.readDotBody({ signal, phase: 'data' })[Symbol.asyncIterator]();
    return this.#inner;
  }

  #onChunk = (result: IteratorResult<Buffer>): IteratorResult<Buffer> => {
    if (result.done === true) this.#finish();
    return result;
  };

  #onError = (error: unknown): never => {
    this.#finish();
    throw error;
  };

  #finish(): void {
    this.#finished = true;
    this.#release?.();
    this.#release = undefined;
  }
}
