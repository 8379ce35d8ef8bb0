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

/** Size of each read; big enough for few system calls, small enough to keep memory low. */
export const FILE_READ_SIZE = 256 * 1024;

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
  #file: FileHandle | undefined;
  #stat: Stats | undefined;
  #position = 0;
  #eof = false;
  #ahead: Promise<Buffer | undefined> | undefined;
  readonly #owned = new Map<ArrayBufferLike, Buffer>();
  readonly #free = new Set<Buffer>();

  constructor(file: MessageFile) {
    this.#path = file.path;
  }

  async next(): Promise<IteratorResult<Buffer, undefined>> {
    const ahead = this.#ahead;
    this.#ahead = undefined;
    const chunk = await (ahead ?? this.#read());
    if (chunk === undefined) {
      await this.#close();
      return { done: true, value: undefined };
    }
    // Read the next chunk while the caller works on this one (the read runs off the main thread).
    const next = this.#read();
    next.catch(() => undefined); // Reported by the next call to next().
    this.#ahead = next;
    return { done: false, value: chunk };
  }

  /** Stops reading: closes the file (keeping what was read ahead) and resolves when done. */
  async return(): Promise<IteratorResult<Buffer, undefined>> {
    this.#eof = true;
    await this.#ahead?.catch(() => undefined);
    this.#ahead = undefined;
    await this.#close();
    return { done: true, value: undefined };
  }

  /** Closes the file until the next read (which reopens it and checks it is unchanged). */
  async detach(): Promise<void> {
    const ahead = this.#ahead;
    if (ahead !== undefined) await ahead.catch(() => undefined);
    await this.#close();
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
    const file = this.#file ?? (await this.#open());
    let buf: Buffer | undefined;
    for (const free of this.#free) {
      buf = free;
      this.#free.delete(free);
      break;
    }
    if (buf === undefined) {
      // Its own ArrayBuffer (not a slice of Node's pool), so `recycle` can recognise it.
      buf = Buffer.allocUnsafeSlow(FILE_READ_SIZE);
      this.#owned.set(buf.buffer, buf);
    }
    const { bytesRead } = await file.read(buf, 0, buf.length, this.#position);
    if (bytesRead === 0) {
      this.#eof = true;
      this.#free.add(buf);
      return undefined;
    }
    this.#position += bytesRead;
    return bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }

  async #open(): Promise<FileHandle> {
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
    this.#file = file;
    return file;
  }

  async #close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.close();
  }
}
