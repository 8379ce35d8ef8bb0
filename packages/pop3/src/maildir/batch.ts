/**
 * Grouped durable delivery into a Maildir: many files, one directory fsync.
 */
import { join, sep } from 'node:path';
import type { MaildirFile, MaildirIO } from './io.js';
import type { MessageSource } from './maildir.js';

/** How many files are fsynced or renamed at once during commit. */
const PARALLEL = 64;
/**
 * How many staged files a batch keeps open between write and fsync (saves opening each file
 * a second time). Two batches in flight stay far below the usual 1024 descriptors; files
 * beyond this are closed after writing and reopened for the fsync.
 */
const MAX_OPEN = 256;

/**
 * A group of messages written to `tmp/` and made durable together by {@link commit}.
 * Obtain one from `Maildir.batch()`.
 */
export class MaildirBatch {
  readonly #dir: string;
  /** `<dir>/tmp/` and `<dir>/new/`, joined once: names never contain a separator. */
  readonly #tmp: string;
  readonly #new: string;
  readonly #io: MaildirIO;
  readonly #name: () => string;
  readonly #pending: string[] = [];
  /** Staged files still open from their write, by name. */
  readonly #open = new Map<string, MaildirFile>();
  /** Names whose tmp file is already fsynced (by {@link sync}). */
  readonly #synced = new Set<string>();
  /** The running {@link sync}, shared by concurrent callers. */
  #syncing: Promise<void> | undefined;
  /** Already renamed into new/ by an earlier, failed commit (a retry skips them). */
  readonly #renamed = new Set<string>();
  #state: 'open' | 'committing' | 'done' = 'open';

  /** @internal Use `Maildir.batch()`. */
  constructor(dir: string, io: MaildirIO, name: () => string) {
    this.#dir = dir;
    this.#tmp = join(dir, 'tmp') + sep;
    this.#new = join(dir, 'new') + sep;
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
    const path = this.#tmp + name;
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message instanceof Uint8Array ? message : undefined;
    if (bytes !== undefined && this.#io.writeNew !== undefined) {
      const file = await this.#io.writeNew(path, bytes, this.#open.size < MAX_OPEN);
      if (file) this.#open.set(name, file);
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
   * Fsyncs every staged tmp file, without renaming anything: the slow half of a commit,
   * which a caller may start early (e.g. while it records the batch elsewhere) so that
   * {@link commit} finds the files already on disk. Nothing is delivered by this alone.
   */
  sync(): Promise<void> {
    if (this.#state !== 'open') return Promise.reject(new Error('Maildir batch is already committed or aborted'));
    this.#syncing ??= this.#syncAll().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #syncAll(): Promise<void> {
    const waiting = this.#pending.filter((name) => !this.#synced.has(name) && !this.#renamed.has(name));
    await inPool(waiting, async (name) => {
      let file = this.#open.get(name);
      if (file === undefined) file = await this.#io.openForSync(this.#tmp + name);
      try {
        await file.sync();
      } finally {
        this.#open.delete(name);
        await file.close();
      }
      this.#synced.add(name);
    });
  }

  /**
   * Makes every added message durable: fsync each tmp file, rename each into `new/`, then
   * fsync `new/` once. Resolves with the uids in the order they were added; from then on
   * they survive a crash.
   */
  async commit(): Promise<string[]> {
    if (this.#state !== 'open') throw new Error('Maildir batch is already committed or aborted');
    const names = [...this.#pending];
    try {
      // Every file is on disk before any of them appears in new/ (a reader never sees a
      // message whose content could still be lost). An early sync() may have missed files
      // added after it started: let it finish, then sync whatever is left.
      await this.#syncing?.catch(() => undefined);
      await this.sync();
      this.#state = 'committing';
      await inGroups(
        names.filter((name) => !this.#renamed.has(name)),
        async (name) => {
          await this.#io.rename(this.#tmp + name, this.#new + name);
          this.#renamed.add(name);
        },
      );
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
    this.#synced.clear();
    this.#state = 'done';
    return names;
  }

  /** Unlinks every tmp file of this batch; nothing of it is delivered. */
  async abort(): Promise<void> {
    if (this.#state === 'done') return;
    this.#state = 'done';
    // An early sync() may still be using the open descriptors: close them after it.
    await this.#syncing?.catch(() => undefined);
    const names = this.#pending.splice(0);
    for (const file of this.#open.values()) await file.close().catch(() => undefined);
    this.#open.clear();
    await inGroups(names, async (name) => {
      await this.#io.unlink(this.#tmp + name).catch(() => undefined);
    });
  }
}

/**
 * Runs `run` over `items` with at most {@link PARALLEL} in flight, starting the next as soon
 * as one finishes (fsyncs take very different times; a group would wait for its slowest).
 * Rejects with the first error after the ones in flight have settled.
 */
async function inPool<T>(items: T[], run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await run(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
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
