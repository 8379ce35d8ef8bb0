/**
 * Grouped durable delivery into a Maildir: many files, one directory fsync.
 */
import { join } from 'node:path';
import type { MaildirIO } from './io.js';
import type { MessageSource } from './maildir.js';

/** How many files are fsynced or renamed at once during commit. */
const PARALLEL = 64;

/**
 * A group of messages written to `tmp/` and made durable together by {@link commit}.
 * Obtain one from `Maildir.batch()`.
 */
export class MaildirBatch {
  readonly #dir: string;
  readonly #io: MaildirIO;
  readonly #name: () => string;
  readonly #pending: string[] = [];
  /** Already renamed into new/ by an earlier, failed commit (a retry skips them). */
  readonly #renamed = new Set<string>();
  #state: 'open' | 'committing' | 'done' = 'open';

  /** @internal Use `Maildir.batch()`. */
  constructor(dir: string, io: MaildirIO, name: () => string) {
    this.#dir = dir;
    this.#io = io;
    this.#name = name;
  }

  /** How many messages were added and not yet committed or aborted. */
  get size(): number {
    return this.#pending.length;
  }

  /**
   * Writes a message to `tmp/` (no fsync yet) and returns the uid it will have once
   * committed. A failed write removes its partial file and rejects.
   */
  async add(message: MessageSource): Promise<string> {
    if (this.#state !== 'open') throw new Error('Maildir batch is already committed or aborted');
    const name = this.#name();
    const path = join(this.#dir, 'tmp', name);
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message instanceof Uint8Array ? message : undefined;
    if (bytes !== undefined && this.#io.writeNew !== undefined) {
      await this.#io.writeNew(path, bytes);
      this.#pending.push(name);
      return name;
    }
    const file = await this.#io.create(path);
    try {
      for await (const chunk of chunksOf(message)) {
        if (chunk.length > 0) await file.write(chunk);
      }
    } catch (error) {
      await file.close().catch(() => undefined);
      await this.#io.unlink(path).catch(() => undefined);
      throw error;
    }
    await file.close();
    this.#pending.push(name);
    return name;
  }

  /**
   * Makes every added message durable: fsync each tmp file, rename each into `new/`, then
   * fsync `new/` once. Resolves with the uids in the order they were added; from then on
   * they survive a crash.
   */
  async commit(): Promise<string[]> {
    if (this.#state !== 'open') throw new Error('Maildir batch is already committed or aborted');
    this.#state = 'committing';
    const names = [...this.#pending];
    try {
      const waiting = names.filter((name) => !this.#renamed.has(name));
      await inGroups(waiting, async (name) => {
        const file = await this.#io.openForSync(join(this.#dir, 'tmp', name));
        try {
          await file.sync();
        } finally {
          await file.close();
        }
      });
      await inGroups(waiting, async (name) => {
        await this.#io.rename(join(this.#dir, 'tmp', name), join(this.#dir, 'new', name));
        this.#renamed.add(name);
      });
      const dir = await this.#io.openForSync(join(this.#dir, 'new'));
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      // Retryable: a second commit() finishes what is left and fsyncs new/ again.
      this.#state = 'open';
      throw error;
    }
    this.#pending.length = 0;
    this.#state = 'done';
    return names;
  }

  /** Unlinks every tmp file of this batch; nothing of it is delivered. */
  async abort(): Promise<void> {
    if (this.#state === 'done') return;
    this.#state = 'done';
    const names = this.#pending.splice(0);
    await inGroups(names, async (name) => {
      await this.#io.unlink(join(this.#dir, 'tmp', name)).catch(() => undefined);
    });
  }
}

async function inGroups<T>(items: T[], run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) {
    await Promise.all(items.slice(i, i + PARALLEL).map(run));
  }
}

async function* chunksOf(message: MessageSource): AsyncGenerator<Uint8Array> {
  if (typeof message === 'string') {
    yield Buffer.from(message, 'utf8');
  } else if (message instanceof Uint8Array) {
    yield message;
  } else {
    for await (const chunk of message as AsyncIterable<Uint8Array | string>) {
      yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    }
  }
}
