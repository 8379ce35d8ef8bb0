/**
 * Incremental line framing over a list of received chunks.
 *
 * Sans-I/O: bytes go in with {@link LineFramer.push}, complete lines come out of
 * {@link LineFramer.nextLine}. It searches with `indexOf` over each chunk and remembers how
 * far it has already searched, so a line that arrives one byte at a time costs O(n) overall,
 * and the bytes are never walked in a JavaScript loop.
 */
import { MailError } from './errors.js';

const LF = 0x0a;
const CR = 0x0d;
// The typed-array builtin, not Buffer's JavaScript wrapper around it: a pipelined reader
// frames a few lines per message, and the wrapper's argument handling cost more than the search.
// Always invoked with .call(chunk, …), so the unbound method gets its receiver.
// eslint-disable-next-line @typescript-eslint/unbound-method
const indexOfByte = Uint8Array.prototype.indexOf;

/** The default longest line accepted, terminator included (SECURITY.md promise 4). */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

/**
 * Splits a byte stream into lines ended by LF (CRLF or a lone LF; the terminator is not part
 * of the line). A line longer than `maxLineLength` (terminator included) is a
 * `MAIL_LINE_TOO_LONG` error, detected as soon as that many bytes are buffered without an LF,
 * so memory never grows past the limit while looking for the end of a line.
 */
export class LineFramer {
  /** Longest line accepted, terminator included. */
  readonly maxLineLength: number;
  #chunks: Buffer[] = [];
  /** Bytes of `#chunks[0]` already returned (consumed by moving this, not by re-slicing). */
  #offset = 0;
  #length = 0;
  /** Bytes at the start of the buffer already known to contain no LF. */
  #scanned = 0;
  /** Index in #chunks / offset in that chunk where the next search resumes. */
  #scanChunk = 0;
  #scanOffset = 0;

  constructor(maxLineLength: number = DEFAULT_MAX_LINE_LENGTH) {
    if (!Number.isInteger(maxLineLength) || maxLineLength < 1) {
      throw new MailError('MAIL_INVALID_ARGUMENT', 'maxLineLength must be a positive integer');
    }
    this.maxLineLength = maxLineLength;
  }

  /** Number of bytes buffered and not yet returned. */
  get length(): number {
    return this.#length;
  }

  /** Appends received bytes. Empty chunks are ignored. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.#chunks.push(buf);
    this.#length += buf.length;
  }

  /**
   * Returns the next complete line without its terminator (CRLF or LF), or `undefined` when
   * no complete line is buffered yet.
   *
   * @throws MailError `MAIL_LINE_TOO_LONG` when the next line exceeds `maxLineLength`.
   */
  nextLine(): Buffer | undefined {
    const end = this.#findLF();
    if (end === -1) {
      if (this.#length >= this.maxLineLength) throw this.#tooLong();
      return undefined;
    }
    if (end + 1 > this.maxLineLength) throw this.#tooLong();
    const first = this.#chunks[0]!;
    const start = this.#offset;
    if (first.length - start > end) {
      // The whole line is in the first chunk (nearly always): one view, nothing copied.
      const stop = end > 0 && first[start + end - 1] === CR ? start + end - 1 : start + end;
      this.#consume(end + 1);
      return first.subarray(start, stop);
    }
    const raw = this.take(end + 1);
    const cut = raw.length >= 2 && raw[raw.length - 2] === CR ? 2 : 1;
    return raw.subarray(0, raw.length - cut);
  }

  /** Drops `n` bytes that lie within the first chunk. */
  #consume(n: number): void {
    this.#offset += n;
    this.#length -= n;
    if (this.#offset === this.#chunks[0]!.length) {
      this.#chunks.shift();
      this.#offset = 0;
    }
    this.#resetScan();
  }

  /** Makes `#chunks[0]` start at the first unread byte (before operations that hand chunks out). */
  #trimFirst(): void {
    if (this.#offset === 0) return;
    this.#chunks[0] = this.#chunks[0]!.subarray(this.#offset);
    this.#offset = 0;
  }

  /**
   * Removes and returns the first `n` buffered bytes (all of them when `n` is omitted or
   * larger than what is buffered). Used for bodies, which are not framed as lines.
   */
  take(n: number = this.#length): Buffer {
    n = Math.min(n, this.#length);
    const first = this.#chunks[0];
    if (first !== undefined && first.length - this.#offset >= n) {
      const out = first.subarray(this.#offset, this.#offset + n);
      if (n > 0) this.#consume(n);
      else this.#resetScan();
      return out;
    }
    this.#trimFirst();
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.#chunks[0]!;
      const want = n - filled;
      if (c.length <= want) {
        c.copy(out, filled);
        filled += c.length;
        this.#chunks.shift();
      } else {
        c.copy(out, filled, 0, want);
        this.#chunks[0] = c.subarray(want);
        filled += want;
      }
    }
    this.#length -= n;
    this.#resetScan();
    return out;
  }

  /** Removes and returns every buffered chunk as is (no copy). */
  takeChunks(): Buffer[] {
    this.#trimFirst();
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#length = 0;
    this.#resetScan();
    return chunks;
  }

  /** Puts bytes back at the front (the bytes after a body's terminator, for the next read). */
  unshift(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#trimFirst();
    this.#chunks.unshift(chunk);
    this.#length += chunk.length;
    this.#resetScan();
  }

  /** Drops everything buffered. */
  clear(): void {
    this.takeChunks();
  }

  #resetScan(): void {
    this.#scanned = 0;
    this.#scanChunk = 0;
    this.#scanOffset = this.#offset;
  }

  /** Absolute index of the first LF, resuming where the last search stopped; -1 if none. */
  #findLF(): number {
    // Never look further than the limit: a longer line is an error anyway.
    while (this.#scanChunk < this.#chunks.length && this.#scanned < this.maxLineLength) {
      const c = this.#chunks[this.#scanChunk]!;
      const i = indexOfByte.call(c, LF, this.#scanOffset);
      if (i !== -1) return this.#scanned + (i - this.#scanOffset);
      this.#scanned += c.length - this.#scanOffset;
      this.#scanChunk += 1;
      this.#scanOffset = 0;
    }
    return -1;
  }

  #tooLong(): MailError {
    return new MailError(
      'MAIL_LINE_TOO_LONG',
      `line longer than ${this.maxLineLength} bytes received; refused (limits.maxLineLength)`,
    );
  }
}
