/**
 * The contiguous input buffer behind {@link ServerChannel}: synchronous framing only (a
 * command line, a raw DATA line piece, a BDAT chunk); waiting for bytes is the channel's job.
 */
import { ChannelError } from './channel-error.js';

/** One framed input line. */
export interface InputLine {
  /** The line without its terminator, decoded as UTF-8. */
  text: string;
  /** The line ended in a bare LF, or contains a CR not followed by LF (RFC 5321 §2.3.8). */
  bare: boolean;
}

/**
 * Bytes received and not yet read. Every `take*` method returns `undefined` when the buffer
 * cannot answer yet (more input needed).
 */
export class InputBuffer {
  #buf: Buffer = Buffer.alloc(0);
  #off = 0;

  /** Bytes buffered and unread. */
  get length(): number {
    return this.#buf.length - this.#off;
  }

  /** Appends received bytes. */
  push(chunk: Buffer): void {
    if (this.#off === this.#buf.length) this.#buf = chunk;
    else this.#buf = Buffer.concat([this.#buf.subarray(this.#off), chunk]);
    this.#off = 0;
  }

  /** Drops everything buffered; returns how many bytes were dropped. */
  clear(): number {
    const dropped = this.length;
    this.#buf = Buffer.alloc(0);
    this.#off = 0;
    return dropped;
  }

  /**
   * The next LF-terminated line. Throws `line-too-long` when the line (terminator included)
   * exceeds `maxLength`; a complete overlong line is consumed first.
   */
  takeLine(maxLength: number): InputLine | undefined {
    const lf = this.#buf.indexOf(0x0a, this.#off);
    if (lf === -1) {
      if (this.length > maxLength) throw new ChannelError('line-too-long', 'line too long');
      return undefined;
    }
    const end = lf > this.#off && this.#buf[lf - 1] === 0x0d ? lf - 1 : lf;
    const raw = this.#buf.subarray(this.#off, end);
    const tooLong = lf + 1 - this.#off > maxLength;
    this.#advance(lf + 1);
    if (tooLong) throw new ChannelError('line-too-long', 'line too long');
    return { text: raw.toString('utf8'), bare: end === lf || raw.includes(0x0d) };
  }

  /** Whatever is buffered, at most `max` bytes (BDAT, RFC 3030); undefined when empty. */
  takeChunk(max: number): Buffer | undefined {
    if (this.length === 0) return undefined;
    return this.#slice(Math.min(this.#buf.length, this.#off + max));
  }

  /**
   * The next line including its LF, or, when no LF comes within `max` bytes, the next `max`
   * bytes (a piece of a long line). For the DATA reader, which frames itself and so stays in
   * sync across a bare LF.
   */
  takeRawLine(max: number): Buffer | undefined {
    const lf = this.#buf.indexOf(0x0a, this.#off);
    if (lf !== -1 && lf - this.#off < max) return this.#slice(lf + 1);
    if (this.length >= max) return this.#slice(this.#off + max);
    return undefined;
  }

  #slice(end: number): Buffer {
    const piece = this.#buf.subarray(this.#off, end);
    this.#advance(end);
    return piece;
  }

  #advance(to: number): void {
    this.#off = to;
    if (this.#off === this.#buf.length) {
      this.#buf = Buffer.alloc(0);
      this.#off = 0;
    }
  }
}
