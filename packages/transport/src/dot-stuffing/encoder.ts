/**
 * Streaming encoders for message content on the way out (SECURITY.md promise 3):
 * {@link DotStuffer} for SMTP DATA (RFC 5321 §4.5.2) and {@link LineEndingNormalizer} for
 * BDAT (RFC 3030), which normalises line endings but neither stuffs nor terminates.
 */
import { MailError } from '../errors.js';
import { EMPTY } from './bytes.js';
import { CrlfCore } from './crlf-core.js';

const TERMINATOR = Buffer.from('.\r\n', 'latin1');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

/** Counters shared by the encoders, for SIZE checks and diagnostics. */
export interface EncoderStats {
  /** Octets pushed in. */
  readonly bytesIn: number;
  /** Octets produced so far, terminator included once `end()` ran. */
  readonly bytesOut: number;
  /** Longest line in octets, CRLF excluded and stuffed dots not counted (RFC 5321 §4.5.3.1.6). */
  readonly maxLineLength: number;
  /** Bare CRs and bare LFs that were rewritten as CRLF. */
  readonly bareLineEndings: number;
}

abstract class Encoder implements EncoderStats {
  protected readonly core: CrlfCore;
  private ended = false;
  private tailBytes = 0;

  protected constructor(stuff: boolean) {
    this.core = new CrlfCore(stuff, true);
  }

  get bytesIn(): number {
    return this.core.bytesIn;
  }
  get bytesOut(): number {
    return this.core.bytesOut + this.tailBytes;
  }
  get maxLineLength(): number {
    return this.core.maxLineLength;
  }
  get bareLineEndings(): number {
    return this.core.bareLineEndings;
  }

  /**
   * Encodes the next chunk. The result may be a view of `chunk` (no copy) when it needed no
   * change, so do not modify `chunk` until the result is written.
   * @throws MailError `MAIL_INVALID_ARGUMENT` after `end()`.
   */
  push(chunk: Uint8Array): Buffer {
    if (this.ended) throw new MailError('MAIL_INVALID_ARGUMENT', `${this.constructor.name}.push() after end()`);
    return this.core.push(chunk);
  }

  /**
   * Encodes the next chunk like {@link push}, as a list of buffers: when the only edits are
   * stuffed dots they are views of `chunk` (no copy, no allocation), for a gathered write
   * (`Connection.write` accepts the list). Do not modify `chunk` until they are written.
   * @throws MailError `MAIL_INVALID_ARGUMENT` after `end()`.
   */
  pushParts(chunk: Uint8Array): Buffer[] {
    if (this.ended) throw new MailError('MAIL_INVALID_ARGUMENT', `${this.constructor.name}.pushParts() after end()`);
    return this.core.pushParts(chunk);
  }

  /** Finishes the stream and returns the remaining output (possibly empty). */
  end(): Buffer {
    if (this.ended) throw new MailError('MAIL_INVALID_ARGUMENT', `${this.constructor.name}.end() called twice`);
    this.ended = true;
    this.core.finish();
    const tail = this.tail();
    this.tailBytes = tail.length;
    return tail;
  }

  protected abstract tail(): Buffer;
}

/**
 * Streaming SMTP DATA encoder (RFC 5321 §4.5.2): every bare CR and bare LF becomes CRLF,
 * a dot at the start of any line is doubled, and {@link DotStuffer.end} closes the body
 * with `CRLF.CRLF` (adding the CRLF when the content does not end with a line break).
 * The output is the same however the input is split into chunks; a CR ending one chunk
 * and an LF starting the next are one CRLF.
 *
 * Empty content encodes as just `.\r\n`: the CRLF ending the DATA command line is the
 * first CRLF of the terminator (RFC 5321 §4.1.1.4).
 *
 * @example
 * ```ts
 * const enc = new DotStuffer();
 * await conn.write(enc.push(Buffer.from('.hidden\n')));
 * await conn.write(enc.end()); // "..hidden\r\n" then ".\r\n"
 * ```
 */
export class DotStuffer extends Encoder {
  constructor() {
    super(true);
  }

  protected tail(): Buffer {
    return Buffer.from(this.core.atLineStart ? TERMINATOR : CRLF_TERMINATOR);
  }
}

/** Options of {@link LineEndingNormalizer} and `normalize()`. */
export interface NormalizeOptions {
  /** Add a CRLF at the end when the content is non-empty and does not end with a line break. Default false. */
  finalNewline?: boolean;
}

/**
 * Streaming line-ending normaliser for BDAT (RFC 3030), where the byte count is explicit
 * and no dot-stuffing or terminator applies: every bare CR and bare LF becomes CRLF.
 * Chunk-boundary safe like {@link DotStuffer}. `bytesOut` is the running total, the
 * number a `BDAT n` or a SIZE parameter needs.
 */
export class LineEndingNormalizer extends Encoder {
  private readonly finalNewline: boolean;

  constructor(options: NormalizeOptions = {}) {
    super(false);
    this.finalNewline = options.finalNewline ?? false;
  }

  protected tail(): Buffer {
    if (this.finalNewline && !this.core.atLineStart) return Buffer.from(CRLF);
    return EMPTY;
  }
}
