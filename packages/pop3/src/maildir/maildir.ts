/**
 * A Maildir (https://cr.yp.to/proto/maildir.html): lock-free, crash-safe message storage.
 * Delivery writes the message under a unique name in `tmp/`, fsyncs it, renames it into
 * `new/` and fsyncs `new/`; only then is it delivered. A crash at any point leaves at most a
 * file in `tmp/`, which {@link Maildir.list} never shows.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { nodeIO, type MaildirIO } from './io.js';
import { compareNames, isMessageName, uidOf, uniqueName } from './name.js';
import { MaildirBatch } from './batch.js';

/** Read size: small messages come in one read. */
const CHUNK = 64 * 1024;

/** What can be delivered: bytes, a string (UTF-8), or a stream of chunks. */
export type MessageSource = Uint8Array | string | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>;

/** Options of {@link Maildir.open}. */
export interface MaildirOpenOptions {
  /** Create `tmp/`, `new/` and `cur/` when missing (default false: a missing dir is an error). */
  create?: boolean;
  /** File operations; tests inject a recorder. Defaults to `node:fs/promises`. */
  io?: MaildirIO;
}

/** One stored message as {@link Maildir.list} reports it. */
export interface MaildirEntry {
  /** Stable id: the file's base name without the `:2,flags` info part. */
  uid: string;
  /** Size in octets. */
  size: number;
  /** `new` (not yet seen by a mail reader) or `cur`. */
  folder: 'new' | 'cur';
  /** Absolute path of the file. */
  path: string;
}

/** A Maildir directory with `tmp/`, `new/` and `cur/`. */
export class Maildir {
  /** The Maildir's root directory. */
  readonly dir: string;
  /** @internal */
  readonly io: MaildirIO;
  readonly #paths = new Map<string, string>();

  private constructor(dir: string, io: MaildirIO) {
    this.dir = dir;
    this.io = io;
  }

  /** Opens (and with `create`, creates) the Maildir at `dir`. */
  static async open(dir: string, options: MaildirOpenOptions = {}): Promise<Maildir> {
    const io = options.io ?? nodeIO;
    for (const sub of ['tmp', 'new', 'cur']) {
      const path = join(dir, sub);
      if (options.create) await io.mkdir(path);
      const stat = await io.stat(path);
      if (!stat.isDirectory()) throw new Error(`Not a Maildir: ${path} is not a directory`);
    }
    return new Maildir(dir, io);
  }

  /**
   * Delivers one message durably and returns its uid. When the promise resolves the message
   * survives a crash or power loss; when it rejects, nothing was delivered (the tmp file is
   * removed).
   */
  async deliver(message: MessageSource): Promise<string> {
    const batch = this.batch();
    try {
      await batch.add(message);
    } catch (error) {
      await batch.abort();
      throw error;
    }
    const [uid] = await batch.commit();
    return uid!;
  }

  /**
   * Groups deliveries so that they share one directory fsync: `add()` writes to `tmp/`
   * without fsync, `commit()` fsyncs every file, renames all into `new/` and fsyncs `new/`
   * once. `abort()` unlinks the tmp files.
   */
  batch(): MaildirBatch {
    return new MaildirBatch(this.dir, this.io, uniqueName);
  }

  /** Messages in `new/` and `cur/`, in delivery order. Files in `tmp/` are never listed. */
  async list(): Promise<MaildirEntry[]> {
    const entries: MaildirEntry[] = [];
    const seen = new Set<string>();
    this.#paths.clear();
    for (const folder of ['new', 'cur'] as const) {
      const names = await this.io.readdir(join(this.dir, folder));
      for (const name of names) {
        if (!isMessageName(name)) continue;
        const uid = uidOf(name);
        if (seen.has(uid)) continue;
        const path = join(this.dir, folder, name);
        let size: number;
        try {
          size = (await this.io.stat(path)).size;
        } catch {
          continue; // moved or removed by another reader meanwhile
        }
        seen.add(uid);
        this.#paths.set(uid, path);
        entries.push({ uid, size, folder, path });
      }
    }
    return entries.sort((a, b) => compareNames(a.uid, b.uid));
  }

  /** The message's bytes as a Node Readable; errors with ENOENT when there is no such uid. */
  read(uid: string): Readable {
    return Readable.from(this.chunks(uid), { objectMode: false });
  }

  /**
   * The message's bytes as an async iterable of chunks (up to 64 KiB each): what `read()`
   * wraps, without the stream machinery, for servers sending many small messages.
   */
  async *chunks(uid: string): AsyncGenerator<Buffer> {
    const path = await this.#find(uid);
    if (path === undefined) {
      throw Object.assign(new Error(`No message with uid ${uid} in ${this.dir}`), { code: 'ENOENT' });
    }
    const handle = await open(path, 'r');
    try {
      for (;;) {
        const buffer = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) return;
        yield buffer.subarray(0, bytesRead);
        if (bytesRead < CHUNK) return;
      }
    } finally {
      await handle.close();
    }
  }

  /** Deletes several messages (in parallel groups); resolves quietly for those already gone. */
  async removeMany(uids: readonly string[]): Promise<void> {
    for (let i = 0; i < uids.length; i += 64) await Promise.all(uids.slice(i, i + 64).map((uid) => this.remove(uid)));
  }

  /** Deletes a message; resolves quietly when it is already gone. */
  async remove(uid: string): Promise<void> {
    const path = await this.#find(uid);
    if (path === undefined) return;
    try {
      await this.io.unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.#paths.delete(uid);
  }

  /** Fsyncs `new/` and `cur/`, making earlier removals durable. */
  async syncDirectories(): Promise<void> {
    for (const folder of ['new', 'cur']) {
      const handle = await this.io.openForSync(join(this.dir, folder));
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }

  async #find(uid: string): Promise<string | undefined> {
    if (uid.includes('/') || uid.includes('\0') || uid.startsWith('.')) return undefined;
    const known = this.#paths.get(uid);
    if (known !== undefined) return known;
    for (const folder of ['new', 'cur']) {
      const names = await this.io.readdir(join(this.dir, folder));
      const name = names.find((n) => uidOf(n) === uid);
      if (name !== undefined) return join(this.dir, folder, name);
    }
    return undefined;
  }
}
