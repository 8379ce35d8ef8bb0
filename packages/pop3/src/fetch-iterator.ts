/**
 * The pipelined fetch (RFC 2449 §6.6) as a hand-written async iterator: a window of RETR
 * (and DELE) commands in flight, written together, replies read in order; one command at a
 * time without PIPELINING.
 *
 * Not an async generator, for speed: a message already buffered (pipelined replies arrive
 * several per network read) is handed over from `next()` synchronously, with one resolved
 * promise; only refills, waits and the end take the async path. An async generator costs a
 * few promise hops per message and is expensive for V8 to optimise, which a run of a few
 * thousand messages pays in full.
 */
import { MailError } from '@mail/transport';
import type { Core } from './core.js';
import { POP3ReplyError } from './errors.js';
import { DEFAULT_PIPELINE_WINDOW } from './options.js';
import { parseStatusLine } from './protocol/index.js';
import { readBody, readBodyNow } from './retrieve.js';

/** Upper bound of the `window` option. */
export const MAX_PIPELINE_WINDOW = 1024;

/** A message to fetch. */
export interface Wanted {
  msg: number;
  size?: number;
  uid?: string;
}

/** One fetched message: what was wanted, and its octets. */
export interface Fetched extends Wanted {
  readonly data: Buffer;
}

/** A reply still to read, in order. */
interface Expected {
  kind: 'RETR' | 'DELE';
  item: Wanted;
}

/** What the iterator needs of the fetch options. */
export interface FetchOptions {
  signal?: AbortSignal | undefined;
  delete?: boolean | undefined;
  window?: number | undefined;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Fetches `wanted` in order. The command queue is taken at the first `next()` and released
 * at the end, on an error, or on `return()` (an early exit), after reading the replies still
 * in flight and writing the DELEs of the messages consumed (see `RetrManyOptions.delete`).
 * Calls made while one is pending run after it, in order.
 */
export class FetchIterator implements AsyncIterableIterator<Fetched> {
  readonly #core: Core;
  readonly #wanted: readonly Wanted[];
  readonly #options: FetchOptions;
  /** Replies still to read, oldest first. */
  readonly #expected: Expected[] = [];
  /** Consumed messages whose DELE is not written yet. */
  readonly #deletes: Wanted[] = [];
  #phase: 'new' | 'open' | 'closed' = 'new';
  #release: (() => void) | undefined;
  #pipelined = false;
  #window = 1;
  #refillAt = 0;
  #next = 0;
  #retrInFlight = 0;
  /** The message last handed over: marked for deletion when the consumer asks for another. */
  #last: Wanted | undefined;
  /** A RETR whose status line was read but whose body was not complete yet. */
  #pendingBody: Expected | undefined;
  /** The async step or close in progress; later calls wait for it. */
  #busy: Promise<unknown> | undefined;

  constructor(core: Core, wanted: readonly Wanted[], options: FetchOptions) {
    this.#core = core;
    this.#wanted = wanted;
    this.#options = options;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Fetched>> {
    if (this.#busy !== undefined) return this.#after(this.#busy, () => this.next());
    if (this.#phase === 'closed') return Promise.resolve(DONE);
    // The consumer asks for another message: the last one is finished with.
    const last = this.#last;
    this.#last = undefined;
    if (last !== undefined && this.#options.delete === true) this.#deletes.push(last);
    if (this.#phase === 'open') {
      let value: Fetched | undefined;
      try {
        value = this.#takeNow();
      } catch (error) {
        return this.#track(this.#fail(error));
      }
      if (value !== undefined) return Promise.resolve({ done: false, value });
    }
    return this.#track(this.#step());
  }

  return(): Promise<IteratorResult<Fetched>> {
    if (this.#busy !== undefined) return this.#after(this.#busy, () => this.return());
    // Stopped early: the last message handed over is not marked (its loop body did not finish).
    this.#last = undefined;
    if (this.#phase === 'new') {
      this.#phase = 'closed';
      return Promise.resolve(DONE);
    }
    return this.#track(this.#close().then(() => DONE));
  }

  /** The next message if its whole reply is buffered and no write is due; else undefined. */
  #takeNow(): Fetched | undefined {
    if (this.#pendingBody !== undefined || this.#refillDue() || this.#options.signal?.aborted === true) return undefined;
    const head = this.#expected[0];
    if (head?.kind !== 'RETR') return undefined;
    const core = this.#core;
    const line = core.conn.readLineNow();
    if (line === undefined) return undefined;
    this.#expected.shift();
    this.#retrInFlight--;
    const reply = core.unwrap(parseStatusLine(line));
    if (!reply.ok) throw new POP3ReplyError(`RETR ${head.item.msg}`, reply);
    const data = readBodyNow(core);
    if (data === undefined) {
      this.#pendingBody = head;
      return undefined;
    }
    return this.#handOver(head, data);
  }

  /** One step the slow way: start, refill, wait for replies; ends with a message or done. */
  async #step(): Promise<IteratorResult<Fetched>> {
    const core = this.#core;
    const { signal } = this.#options;
    try {
      if (this.#phase === 'new' && !(await this.#start())) return DONE;
      const pending = this.#pendingBody;
      if (pending !== undefined) {
        this.#pendingBody = undefined;
        return { done: false, value: this.#handOver(pending, readBodyNow(core) ?? (await readBody(core, signal))) };
      }
      for (;;) {
        await this.#refill();
        const head = this.#expected.shift();
        if (head === undefined) {
          await this.#close();
          return DONE;
        }
        if (head.kind === 'DELE') {
          await readDele(core, head, signal);
          continue;
        }
        this.#retrInFlight--;
        const now = signal?.aborted !== true;
        const line = now ? core.conn.readLineNow() : undefined;
        const reply = line === undefined ? await core.readStatus(signal) : core.unwrap(parseStatusLine(line));
        if (!reply.ok) throw new POP3ReplyError(`RETR ${head.item.msg}`, reply);
        const data = (now ? readBodyNow(core) : undefined) ?? (await readBody(core, signal));
        return { done: false, value: this.#handOver(head, data) };
      }
    } catch (error) {
      return this.#fail(error);
    }
  }

  /** Takes the command queue; false when there is nothing to fetch. */
  async #start(): Promise<boolean> {
    if (this.#wanted.length === 0) {
      this.#phase = 'closed';
      return false;
    }
    this.#release = await this.#core.queue.acquire(this.#options.signal);
    this.#phase = 'open';
    this.#core.assertReady();
    this.#pipelined = this.#core.capabilities?.pipelining === true;
    // Capped so a window's commands (~12 octets each) always fit in the socket buffers: a write
    // that waits for the server to read while the server waits for us to read would deadlock.
    this.#window = this.#pipelined ? Math.min(MAX_PIPELINE_WINDOW, Math.max(1, Math.floor(this.#options.window ?? DEFAULT_PIPELINE_WINDOW))) : 1;
    // Refill when half the window is used up: fewer, larger writes.
    this.#refillAt = Math.floor(this.#window / 2);
    return true;
  }

  #refillDue(): boolean {
    return this.#retrInFlight <= this.#refillAt && (this.#next < this.#wanted.length || this.#deletes.length > 0);
  }

  /** Writes the due commands: DELEs first (they share the write), then RETRs up to the window. */
  async #refill(): Promise<void> {
    if (!this.#refillDue()) return;
    const lines: string[] = [];
    for (const item of this.#deletes) {
      lines.push(`DELE ${item.msg}`);
      this.#expected.push({ kind: 'DELE', item });
    }
    this.#deletes.length = 0;
    const wanted = this.#wanted;
    while (this.#next < wanted.length && this.#retrInFlight < this.#window) {
      const item = wanted[this.#next++]!;
      lines.push(`RETR ${item.msg}`);
      this.#expected.push({ kind: 'RETR', item });
      this.#retrInFlight++;
    }
    const core = this.#core;
    const { signal } = this.#options;
    if (this.#pipelined) {
      await core.conn.writeCommands(lines, { signal });
      return;
    }
    // One command at a time: DELE n is answered before RETR n+1 is sent.
    for (const line of lines) {
      await core.conn.writeCommand(line, { signal });
      if (line.startsWith('DELE')) await readDele(core, this.#expected.shift()!, signal);
    }
  }

  #handOver(head: Expected, data: Buffer): Fetched {
    this.#last = head.item;
    return { ...head.item, data };
  }

  /** Ends after an error: cleans up as an early exit would, then rejects with `error`. */
  async #fail(error: unknown): Promise<never> {
    this.#last = undefined;
    await this.#close();
    throw error;
  }

  /**
   * Reads the replies still in flight (so QUIT can still commit earlier deletions), writes
   * the DELEs of the messages consumed, and releases the command queue. Once.
   */
  async #close(): Promise<void> {
    if (this.#phase !== 'open') return;
    this.#phase = 'closed';
    const core = this.#core;
    const { signal } = this.#options;
    try {
      // (#pendingBody is always taken by the #step of the same next() call, never left here.)
      await drain(core, this.#expected, signal);
      await flushDeletes(core, this.#deletes, this.#pipelined, signal);
    } finally {
      this.#release?.();
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#busy = promise;
    const clear = (): void => {
      if (this.#busy === promise) this.#busy = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  #after<T>(busy: Promise<unknown>, call: () => Promise<T>): Promise<T> {
    return busy.then(call, call);
  }
}

/** After an early exit: marks the messages the consumer already finished with. */
async function flushDeletes(core: Core, deletes: Wanted[], pipelined: boolean, signal: AbortSignal | undefined): Promise<void> {
  if (deletes.length === 0 || core.conn.closed) return;
  const pending = deletes.map((item): Expected => ({ kind: 'DELE', item }));
  deletes.length = 0;
  if (pipelined) {
    await core.conn.writeCommands(pending.map((e) => `DELE ${e.item.msg}`), { signal });
    for (const e of pending) await readDele(core, e, signal);
  } else {
    for (const e of pending) {
      await core.conn.writeCommand(`DELE ${e.item.msg}`, { signal });
      await readDele(core, e, signal);
    }
  }
}

async function readDele(core: Core, head: Expected, signal: AbortSignal | undefined): Promise<void> {
  const reply = await core.readStatus(signal);
  if (!reply.ok) throw new POP3ReplyError(`DELE ${head.item.msg}`, reply);
}

/**
 * Reads the replies still in flight after an early exit, so the session stays in sync and
 * QUIT can still commit earlier deletions. Fetched bodies are discarded.
 */
async function drain(core: Core, expected: Expected[], signal: AbortSignal | undefined): Promise<void> {
  if (expected.length === 0 || core.conn.closed) return;
  try {
    while (expected.length > 0) {
      const head = expected.shift()!;
      const reply = await core.readStatus(signal);
      if (head.kind === 'RETR' && reply.ok) {
        for await (const _chunk of core.conn.readDotBody({ signal, phase: 'data' })) {
          // discarded
        }
      }
    }
  } catch (error) {
    // Cannot resynchronise: the connection goes (deletions not committed, nothing lost).
    core.fail(MailError.is(error) ? error : new MailError('MAIL_PROTOCOL', 'POP3 pipeline drain failed', { cause: error }));
  }
}
