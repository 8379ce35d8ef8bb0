/**
 * What the SMTP client must know about a body before `MAIL FROM` (SECURITY.md promise 3):
 * NUL bytes, 8-bit octets and line lengths, measured on the content as it will be sent
 * (after line-ending normalisation), plus the size for the SIZE parameter (RFC 1870).
 */
import { isAscii } from 'node:buffer';
import { MailError } from '../errors.js';
import { asBuffer } from './bytes.js';
import { CrlfCore } from './crlf-core.js';

/** The result of inspecting a body. */
export interface BodyInfo {
  /** Octets after line-ending normalisation, no stuffing, no terminator (RFC 1870's message size). */
  size: number;
  /** Any octet >= 0x80: needs 8BITMIME or SMTPUTF8 (RFC 6152, RFC 6531), or BINARYMIME. */
  has8bit: boolean;
  /** Any NUL octet: not allowed in a text body (RFC 5321 §4.5.2, RFC 6152). */
  hasNul: boolean;
  /**
   * Longest line in octets without its CRLF, stuffed dots not counted; over
   * {@link MAX_TEXT_LINE_OCTETS} (998) is refused for DATA (RFC 5321 §4.5.3.1.6).
   */
  maxLineLength: number;
  /** The content ends with a line break (or is empty); if not, DATA adds a CRLF (2 octets). */
  endsWithLineBreak: boolean;
  /** Bare CRs and bare LFs that normalisation turns into CRLF. */
  bareLineEndings: number;
}

/**
 * Streaming body scanner: push the chunks, then read {@link BodyInspector.end}. Uses
 * native scans (`isAscii`, `indexOf`) and the same line walker as the encoders, so the
 * numbers describe exactly what {@link DotStuffer} and {@link LineEndingNormalizer} send.
 *
 * @example
 * ```ts
 * const info = new BodyInspector().push(body).end();
 * if (info.hasNul) throw new Error('NUL in a text body');
 * ```
 */
export class BodyInspector {
  private readonly core = new CrlfCore(false, false);
  private eightBit = false;
  private nul = false;
  private ended = false;

  /**
   * Scans the next chunk (strings are taken as UTF-8; pass whole code points).
   * @throws MailError `MAIL_INVALID_ARGUMENT` after `end()`.
   */
  push(chunk: Uint8Array | string): this {
    if (this.ended) throw new MailError('MAIL_INVALID_ARGUMENT', 'BodyInspector.push() after end()');
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : asBuffer(chunk);
    if (!this.eightBit && !isAscii(buf)) this.eightBit = true;
    if (!this.nul && buf.indexOf(0) !== -1) this.nul = true;
    this.core.push(buf);
    return this;
  }

  /** The figures so far; the last, unfinished line is included. */
  get info(): BodyInfo {
    return {
      size: this.core.bytesOut,
      has8bit: this.eightBit,
      hasNul: this.nul,
      maxLineLength: Math.max(this.core.maxLineLength, this.core.pendingLineLength),
      endsWithLineBreak: this.core.atLineStart,
      bareLineEndings: this.core.bareLineEndings,
    };
  }

  /** Ends the scan and returns the final figures. */
  end(): BodyInfo {
    if (!this.ended) {
      this.ended = true;
      this.core.finish();
    }
    return this.info;
  }
}
