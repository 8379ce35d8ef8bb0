/**
 * A message read from a file (`message: { path }`): read in place into a few reused buffers,
 * so sending a file of any size costs a bounded amount of memory. A buffer is read into again
 * only after the writer hands it back ({@link FileChunks.recycle}), which it does once the
 * socket has passed every byte of it on to the operating system.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { MailError } from '@mail/transport';

/** A message stored in a file, sent as it is read (any line endings; they are normalised). */
export interface MessageFile {
  /** Path of the file holding the whole message (header section and body, RFC 5322). */
  path: string | URL;
}

/**
 * Internal form of a message file: the part from octet `start` on, after `prefix` (what
 * `sendMessage` kept of the header section, already normalised, with Bcc removed).
 */
export interface FileSlice extends MessageFile {
  start?: number;
  prefix?: Buffer;
}

/**
 * Size of the first reads, up to {@link FILE_FIRST_SPAN}: the look-ahead read before MAIL FROM
 * is walked while the next read runs, so small reads there start the work sooner.
 */
export const FILE_READ_SIZE = 256 * 1024;

/** Octets read with {@link FILE_READ_SIZE} before the reads grow (the default look-ahead). */
export const FILE_FIRST_SPAN = 1024 * 1024;

/**
 * Size of the later reads: every chunk costs a fixed amount of work (a read through the thread
 * pool, promise hops, a gathered socket write), so bigger ones cost less CPU per octet, while
 * the read-ahead keeps memory bounded (a few MiB).
 */
export const FILE_BULK_READ_SIZE = 1024 * 1024;

/**
 * Reads in flight ahead of the caller. One is not enough: a read's round trip through the
 * thread pool takes longer than encoding and writing a chunk, so the writer would wait.
 */
export const FILE_READ_AHEAD = 3;

/**
 * Whether `source` is a {@link MessageFile}. A Node file stream also has a `path` property
 * but is a stream (async iterable), and is taken as one.
 */
export function isMessageFile(source: unknown): source is MessageFile {
  if (typeof source !== 'object' || source === null) return false;
  if (Symbol.asyncIterator in source || Symbol.iterator in source || 'getReader' in source || 'pipe' in source) return false;
  const path = (source as { path?: unknown }).path;
  return typeof path === 'string' || path instanceof URL;
}

/**
 * The chunks of a message file, each a buffer of the pool (or a view of one for the last,
 * short read). The next chunk is read ahead while the caller encodes and writes the current
 * one. The file is open only while it is being read: {@link FileChunks.detach} closes it
 * between the look-ahead and the rest of the message (a transaction refused at `RCPT` then
 * leaves nothing open), and a reopened file must be the same, unchanged file.
 */
export class FileChunks implements AsyncIterator<Buffer, undefined> {
  readonly #path: string | URL;
  #file: Promise<FileHandle> | undefined;
  #stat: Stats | undefined;
  #position = 0;
  /** Where reading started: the reads grow {@link FILE_FIRST_SPAN} octets after it. */
  readonly #start: number;
  /** No read ahead starts at or after this position until {@link FileChunks.detach}. */
  #holdAt: number;
  #eof = false;
  /** Reads started ahead, in file order. */
  readonly #ahead: Array<Promise<Buffer | undefined>> = [];
  readonly #owned = new Map<ArrayBufferLike, Buffer>();
  readonly #free = new Set<Buffer>();

  #prefix: Buffer | undefined;

  /**
   * @param holdAfter read ahead no further than this many octets until `detach()`: a caller
   * that reads a look-ahead and then detaches need not wait for reads past it.
   */
  constructor(file: FileSlice, holdAfter = Infinity) {
    this.#path = file.path;
    this.#position = file.start ?? 0;
    this.#start = this.#position;
    this.#holdAt = this.#start + holdAfter;
    this.#prefix = file.prefix !== undefined && file.prefix.length > 0 ? file.prefix : undefined;
  }

  async next(): Promise<IteratorResult<Buffer, undefined>> {
    const prefix = this.#prefix;
    this.#prefix = undefined;
    const chunk = prefix ?? (await (this.#ahead.shift() ?? this.#read()));
    if (chunk === undefined) {
      await this.#settle();
      await this.#close();
      return { done: true, value: undefined };
    }
    // Read on while the caller works on this chunk (reads run off the main thread).
    this.prefetch();
    return { done: false, value: chunk };
  }

  /** Starts the reads ahead now (up to {@link FILE_READ_AHEAD}), reopening a detached file. */
  prefetch(): void {
    while (this.#ahead.length < FILE_READ_AHEAD && !this.#eof && this.#position < this.#holdAt) {
      const next = this.#read();
      next.catch(() => undefined); // Reported by the call to next() that takes it.
      this.#ahead.push(next);
    }
  }

  /** Stops reading: closes the file and resolves when done. */
  async return(): Promise<IteratorResult<Buffer, undefined>> {
    this.#eof = true;
    await this.#settle();
    this.#ahead.length = 0;
    await this.#close();
    return { done: true, value: undefined };
  }

  /** Closes the file until the next read (which reopens it and checks it is unchanged). */
  async detach(): Promise<void> {
    await this.#settle();
    await this.#close();
    this.#holdAt = Infinity;
  }

  /** Waits for the reads in flight (keeping their results). */
  async #settle(): Promise<void> {
    await Promise.all(this.#ahead.map((read) => read.catch(() => undefined)));
  }

  /**
   * Hands a chunk back for reuse: the caller guarantees that nothing references it any more
   * (the socket has written it). Chunks not from this source are ignored.
   */
  recycle(chunk: Buffer): void {
    const whole = this.#owned.get(chunk.buffer);
    if (whole !== undefined) this.#free.add(whole);
  }

  async #read(): Promise<Buffer | undefined> {
    if (this.#eof) return undefined;
    const size = this.#position - this.#start < FILE_FIRST_SPAN ? FILE_READ_SIZE : FILE_BULK_READ_SIZE;
    let buf: Buffer | undefined;
    for (const free of this.#free) {
      this.#free.delete(free);
      if (free.length >= size) {
        buf = free;
        break;
      }
      // A buffer of the first, smaller reads: no longer used once the reads have grown.
      this.#owned.delete(free.buffer);
    }
    if (buf === undefined) {
      // Its own ArrayBuffer (not a slice of Node's pool), so `recycle` can recognise it.
      buf = Buffer.allocUnsafeSlow(size);
      this.#owned.set(buf.buffer, buf);
    }
    // Reads run concurrently: each claims its range before it starts.
    const position = this.#position;
    this.#position += buf.length;
    const file = await (this.#file ?? this.#open());
    const { bytesRead } = await file.read(buf, 0, buf.length, position);
    if (bytesRead < buf.length) {
      // Only the end of the file makes a read of a regular file short; anything else would
      // leave a gap in the message.
      if (position + bytesRead < this.#stat!.size) throw new MailError('MAIL_INVALID_ARGUMENT', 'a read of the message file came back short before its end');
      this.#eof = true;
    }
    if (bytesRead === 0) {
      this.#free.add(buf);
      return undefined;
    }
    return bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }

  #open(): Promise<FileHandle> {
    const opening = this.#openChecked();
    this.#file = opening;
    // A failed open is reported by the read that waits for it; the next read tries again.
    opening.catch(() => {
      if (this.#file === opening) this.#file = undefined;
    });
    return opening;
  }

  async #openChecked(): Promise<FileHandle> {
    const file = await open(this.#path, 'r');
    try {
      const stat = await file.stat();
      const first = this.#stat;
      if (first === undefined) this.#stat = stat;
      else if (stat.ino !== first.ino || stat.dev !== first.dev || stat.size !== first.size || stat.mtimeMs !== first.mtimeMs) {
        throw new MailError('MAIL_INVALID_ARGUMENT', 'the message file changed while it was being sent; not sending a mixture of two versions');
      }
    } catch (error) {
      await file.close();
      throw error;
    }
    return file;
  }

  async #close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    if (file === undefined) return;
    const handle = await file.catch(() => undefined);
    await handle?.close();
  }
}
