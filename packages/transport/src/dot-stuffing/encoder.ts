/**
 * Streaming encoders for message content on the way out (SECURITY.md promise 3):
 * {@link DotStuffer} for SMTP DATA (RFC 5321 §4.5.2) and {@link LineEndingNormalizer} for
 * BDAT (RFC 3030), which normalises line endings but neither stuffs nor terminates.
 */
import { isAscii } from 'node:buffer';
import { MailError } from '../errors.js';
import { EMPTY, asBuffer } from './bytes.js';
import { CrlfCore } from './crlf-core.js';
import type { BodyInfo } from './inspector.js';

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

/** Options every encoder takes. */
export interface EncoderOptions {
  /**
   * Also measure what {@link BodyInspector} measures (8-bit octets, NUL), so one pass over the
   * content both encodes and inspects it; the figures are in {@link DotStuffer.info}. Default false.
   */
  inspect?: boolean;
}

abstract class Encoder implements EncoderStats {
  protected readonly core: CrlfCore;
  private ended = false;
  private tailBytes = 0;
  private readonly inspect: boolean;
  private eightBit = false;
  private nul = false;

  protected constructor(stuff: boolean, options: EncoderOptions) {
    this.core = new CrlfCore(stuff, true);
    this.inspect = options.inspect ?? false;
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
    if (this.inspect) this.measure(chunk);
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
    if (this.inspect) this.measure(chunk);
    return this.core.pushParts(chunk);
  }

  /**
   * With `inspect: true`, the figures of the content pushed so far as it will be sent, exactly
   * as {@link BodyInspector} reports them for the same content normalised (stuffed dots and the
   * terminator not counted). An unfinished last line that `end()` will close (always for DATA,
   * with `finalNewline` for BDAT) is counted with its CRLF already, so `size` never grows past
   * a limit unnoticed (RFC 1870 checks while streaming). Undefined without `inspect`.
   */
  get info(): BodyInfo | undefined {
    if (!this.inspect) return undefined;
    const core = this.core;
    const closes = this.closesLastLine && !core.atLineStart;
    return {
      size: core.bytesOut - core.stuffedDots + (closes ? 2 : 0),
      has8bit: this.eightBit,
      hasNul: this.nul,
      maxLineLength: Math.max(core.maxLineLength, core.pendingLineLength),
      endsWithLineBreak: core.atLineStart || closes,
      bareLineEndings: core.bareLineEndings,
    };
  }

  /** Whether `end()` adds the CRLF an unfinished last line lacks. */
  protected abstract get closesLastLine(): boolean;

  private measure(chunk: Uint8Array): void {
    const buf = asBuffer(chunk);
    // Native scans (SIMD): far cheaper than the line walk they ride along with.
    if (!this.eightBit && !isAscii(buf)) this.eightBit = true;
    if (!this.nul && buf.indexOf(0) !== -1) this.nul = true;
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
  constructor(options: EncoderOptions = {}) {
    super(true, options);
  }

  protected get closesLastLine(): boolean {
    return true;
  }

  protected tail(): Buffer {
    return Buffer.from(this.core.atLineStart ? TERMINATOR : CRLF_TERMINATOR);
  }
}

/** Options of {@link LineEndingNormalizer} and `normalize()`. */
export interface NormalizeOptions extends EncoderOptions {
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
    super(false, options);
    this.finalNewline = options.finalNewline ?? false;
  }

  protected get closesLastLine(): boolean {
    return this.finalNewline;
  }

  protected tail(): Buffer {
    if (this.finalNewline && !this.core.atLineStart) return Buffer.from(CRLF);
    return EMPTY;
  }
}
