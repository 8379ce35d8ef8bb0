/**
 * The streaming line-ending walker behind {@link DotStuffer}, {@link LineEndingNormalizer}
 * and {@link BodyInspector}: finds every CR and LF with `Buffer.indexOf` (native memchr; the typed-array builtin while cold),
 * turns bare CR and bare LF into CRLF (RFC 5321 §2.3.8: only CRLF ends a line), optionally
 * doubles a leading dot (RFC 5321 §4.5.2), and measures line lengths. Only the bytes next to
 * a CR or LF are looked at; the rest of a chunk is copied natively or passed on as a view.
 *
 * Chunk-boundary safety: a CR at the end of a chunk is emitted as CRLF at once and
 * remembered, and an LF at the start of the next chunk is then skipped, so `"\r" + "\n"`
 * gives one CRLF, exactly as `"\r\n"` in one chunk does.
 */
import { CR, DOT, LF, asBuffer, withInsertions } from './bytes.js';

/**
 * The typed-array `indexOf` builtin: a plain loop (about 1 ns per octet) but no JavaScript
 * frames, where `Buffer#indexOf` (memchr, several times faster per octet once optimised)
 * goes through three JS frames that run slowly until V8 has optimised them.
 */
// eslint-disable-next-line @typescript-eslint/unbound-method -- only ever called as typedIndexOf.call(buf, ...)
const typedIndexOf = Uint8Array.prototype.indexOf;
/**
 * The first octets a process walks (cold code) are searched with {@link typedIndexOf}. The
 * 1 MiB look-ahead of a large message is walked twice on the critical path, before MAIL FROM
 * and again by the stuffer right after the 354 (nothing is on the wire until it writes), and
 * there the three cold frames per call cost more than the slower loop; later walks, while
 * the socket already holds data, use memchr (and pay its warm-up there).
 */
const COLD_OCTETS = 2 * 1024 * 1024;
let coldOctetsLeft = COLD_OCTETS;

/**
 * Sets how many more octets are searched the cold way (tests only: both searches must give
 * the same results, including a switch in the middle of a stream). Returns the old value.
 * @internal
 */
export function setColdOctets(octets: number): number {
  const old = coldOctetsLeft;
  coldOctetsLeft = octets;
  return old;
}

/** Internal engine; not exported from the package. */
export class CrlfCore {
  /** The previous chunk ended with a CR, already emitted as CRLF: skip one leading LF. */
  private afterCR = false;
  /** The next input byte starts a line (true at the start of the body). */
  private lineStart = true;
  /** Octets of the current, unfinished line seen so far (after normalisation). */
  private lineLen = 0;
  /** Reused edit lists: insert `bytes[k]` before input position `at[k]`. */
  private readonly at: number[] = [];
  private readonly bytes: number[] = [];

  /** Longest line so far in octets, CRLF excluded, stuffed dots not counted. */
  maxLineLength = 0;
  /** Input octets consumed. */
  bytesIn = 0;
  /** Output octets produced (after normalisation and stuffing). */
  bytesOut = 0;
  /** Bare CRs and bare LFs that were turned into CRLF. */
  bareLineEndings = 0;
  /** Dots doubled at the start of a line. */
  stuffedDots = 0;

  /**
   * @param stuff double a dot at the start of a line (SMTP DATA); false for BDAT.
   * @param emit build output buffers; false when only the statistics are wanted.
   */
  constructor(
    private readonly stuff: boolean,
    private readonly emit: boolean,
  ) {}

  /** Whether the output so far ends at the start of a line (empty, or ends with CRLF). */
  get atLineStart(): boolean {
    return this.lineStart;
  }

  /** The last (unfinished) line's length, for callers that close the body themselves. */
  get pendingLineLength(): number {
    return this.lineLen;
  }

  /** Normalises one chunk. The result may be a view of `chunk` when nothing changed. */
  push(chunk: Uint8Array): Buffer {
    const buf = asBuffer(chunk);
    const from = this.scan(buf);
    if (!this.emit) return buf;
    return withInsertions(buf, from, this.at, this.bytes);
  }

  /**
   * Like {@link push}, but returns the output as views of `chunk` when the only edits are
   * stuffed dots: each doubled dot is the chunk's own dot, ending one view and starting the
   * next, so nothing is copied or allocated. A chunk that needs a CR or LF inserted is
   * returned as one new buffer, as from `push`.
   */
  pushParts(chunk: Uint8Array): Buffer[] {
    const buf = asBuffer(chunk);
    const from = this.scan(buf);
    const at = this.at;
    const bytes = this.bytes;
    const count = at.length;
    if (count === 0) return from === buf.length ? [] : [from === 0 ? buf : buf.subarray(from)];
    for (let k = 0; k < count; k++) {
      if (bytes[k] !== DOT) return [withInsertions(buf, from, at, bytes)];
    }
    const parts: Buffer[] = [];
    let s = from;
    for (let k = 0; k < count; k++) {
      // at[k] holds a dot at the start of a line: this view ends with it, the next starts with it.
      const p = at[k]!;
      parts.push(buf.subarray(s, p + 1));
      s = p;
    }
    parts.push(buf.subarray(s));
    return parts;
  }

  /**
   * Walks one chunk: updates the statistics and the line state, and fills `at`/`bytes` with
   * the insertions. Returns where the output starts (1 when a leading LF completes a CR that
   * ended the previous chunk).
   */
  private scan(buf: Buffer): number {
    const n = buf.length;
    this.bytesIn += n;
    this.at.length = 0;
    this.bytes.length = 0;
    if (n === 0) return 0;
    const at = this.at;
    const bytes = this.bytes;

    let from = 0;
    if (this.afterCR) {
      this.afterCR = false;
      // The CRLF for the previous chunk's trailing CR was already emitted.
      if (buf[0] === LF) from = 1;
      else this.bareLineEndings++;
    }
    let lineBegin = from;
    if (this.lineStart && from < n) this.checkDot(buf, from);
    this.lineStart = from === n && this.lineStart;

    let carried = this.lineLen;
    let maxLine = this.maxLineLength;
    const cold = coldOctetsLeft > 0;
    if (cold) coldOctetsLeft -= n;
    let cr = cold ? typedIndexOf.call(buf, CR, from) : buf.indexOf(CR, from);
    let lf = cold ? typedIndexOf.call(buf, LF, from) : buf.indexOf(LF, from);
    while (cr !== -1 || lf !== -1) {
      let lineEnd: number;
      let next: number;
      if (lf !== -1 && (cr === -1 || lf < cr)) {
        // Bare LF: insert the CR it lacks.
        lineEnd = lf;
        next = lf + 1;
        at.push(lf);
        bytes.push(CR);
        this.bareLineEndings++;
        lf = cold ? typedIndexOf.call(buf, LF, next) : buf.indexOf(LF, next);
      } else {
        lineEnd = cr;
        if (lf === cr + 1) {
          next = cr + 2;
          lf = cold ? typedIndexOf.call(buf, LF, next) : buf.indexOf(LF, next);
        } else {
          // Bare CR, or a CR ending the chunk: emit CRLF now; a following LF is skipped.
          next = cr + 1;
          at.push(next);
          bytes.push(LF);
          if (next === n) this.afterCR = true;
          else this.bareLineEndings++;
        }
        cr = cold ? typedIndexOf.call(buf, CR, next) : buf.indexOf(CR, next);
      }
      const len = carried + lineEnd - lineBegin;
      if (len > maxLine) maxLine = len;
      carried = 0;
      lineBegin = next;
      if (next === n) this.lineStart = true;
      else if (buf[next] === DOT && this.stuff) this.checkDot(buf, next);
    }
    this.lineLen = carried + n - lineBegin;
    this.maxLineLength = maxLine;

    this.bytesOut += n - from + at.length;
    return from;
  }

  /**
   * Accounts for a CR that ended the stream: it was emitted as CRLF and counted as a line
   * ending; when the stream ends it was bare after all.
   */
  finish(): void {
    if (this.afterCR) {
      this.afterCR = false;
      this.bareLineEndings++;
    }
    if (this.lineLen > this.maxLineLength) this.maxLineLength = this.lineLen;
  }

  private checkDot(buf: Buffer, p: number): void {
    if (this.stuff && buf[p] === DOT) {
      this.at.push(p);
      this.bytes.push(DOT);
      this.stuffedDots++;
    }
  }
}
