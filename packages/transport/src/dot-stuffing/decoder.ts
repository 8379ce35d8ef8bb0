/**
 * Streaming decoder for dot-terminated data: POP3 multi-line responses (RFC 1939 §3) and
 * the server side of SMTP DATA (RFC 5321 §4.5.2). Removes the transparency dot, finds the
 * terminating `CRLF.CRLF` wherever the network splits it, and hands back the bytes after
 * the terminator (a pipelined next response) untouched.
 *
 * Speed: the lenient mode finds candidate line starts with `Buffer.indexOf('\n.')` and looks
 * only at the bytes right after a match, so the body is passed on as views of the input at
 * memory-scan speed (a stuffed dot splits a chunk into two views instead of copying it).
 * The strict mode must see every line ending, so it walks CR and LF with `indexOf` (still
 * native scans, no per-byte JavaScript loop).
 */
import { MailError } from '../errors.js';
import { CR, DOT, EMPTY, LF, asBuffer, splitAround } from './bytes.js';

/** A line that starts with a dot, in lenient mode (an LF ends a line). */
const LF_DOT = Buffer.from('\n.', 'latin1');

/** Options of {@link DotUnstuffer}. */
export interface DotUnstufferOptions {
  /**
   * Server side of SMTP DATA: only CRLF ends a line, and a bare CR or bare LF anywhere in
   * the data throws `MAIL_PROTOCOL` at once (RFC 5321 §2.3.8; the SMTP smuggling shapes
   * `\n.\n`, `\r.\r`, `\r\n.\n`, `\n.\r\n` and `\r.\r\n` all contain one). The decoder is
   * unusable after that and the session is out of sync: reply 5xx and close, as Postfix's
   * `smtpd_forbid_bare_newline` does.
   *
   * Lenient (default, a client reading POP3): an LF ends a line whether or not a CR precedes
   * it, so a line `.` ended by CRLF or by a bare LF terminates and a leading dot after a bare
   * LF is removed (the behaviour of Python's poplib); a bare CR is ordinary data. Nothing throws.
   */
  strict?: boolean;
}

/** What one {@link DotUnstuffer.push} produced. */
export interface UnstuffResult {
  /** Body bytes, unstuffed, otherwise exactly as received (may be views of the pushed chunk). */
  chunks: Buffer[];
  /** The terminator has been seen; nothing more belongs to this body. */
  done: boolean;
  /** Bytes after the terminator (the next pipelined response); empty until `done`. */
  rest: Buffer;
}

/** What one {@link DotUnstuffer.pushInPlace} produced. */
export interface InPlaceResult {
  /** Body bytes of this push, unstuffed: one view of the pushed chunk (empty when none). */
  body: Buffer;
  /** The terminator has been seen; nothing more belongs to this body. */
  done: boolean;
  /** Bytes after the terminator (the next pipelined response); empty until `done`. */
  rest: Buffer;
}

/**
 * Incremental dot-unstuffing decoder. Push network chunks until `done`; the body is the
 * concatenation of all `chunks` (CRLFs kept, including the one ending the last line; the
 * terminating `.\r\n` excluded). The result is the same for every chunking of the input.
 * An empty body is the single line `.\r\n`.
 *
 * @example
 * ```ts
 * const dec = new DotUnstuffer();
 * for await (const data of socket) {
 *   const { chunks, done, rest } = dec.push(data);
 *   for (const c of chunks) sink.write(c);
 *   if (done) { unread(rest); break; }
 * }
 * ```
 */
export class DotUnstuffer {
  private readonly strict: boolean;
  /** The next byte starts a line. */
  private lineStart = true;
  /** Strict mode: the last byte passed on was a CR whose LF has not been seen yet. */
  private pendingCR = false;
  /** A `.` or `.\r` at a line start, held back until the next byte decides what it is. */
  private held: Buffer | undefined;
  private finished = false;
  private failure: MailError | undefined;
  private total = 0;

  // Per-push scratch, set by lineAt() when it stops the scan.
  private readonly del: number[] = [];
  private stopAt = -1;
  private restFrom = -1;

  constructor(options: DotUnstufferOptions = {}) {
    this.strict = options.strict ?? false;
  }

  /** Whether the terminator has been seen. */
  get done(): boolean {
    return this.finished;
  }

  /** Body octets produced so far (for a response size limit). */
  get size(): number {
    return this.total;
  }

  /**
   * Decodes the next chunk. After `done`, every pushed chunk comes back whole as `rest`.
   * @throws MailError `MAIL_PROTOCOL` in strict mode on a bare CR or bare LF (and on every
   * later push).
   */
  push(chunk: Uint8Array): UnstuffResult {
    const buf = this.scan(asBuffer(chunk));
    if (buf === undefined) return { chunks: [], done: this.finished, rest: this.finished ? asBuffer(chunk) : EMPTY };
    const chunks = splitAround(buf, this.stopAt, this.del);
    return { chunks, done: this.restFrom !== -1, rest: this.restFrom === -1 ? EMPTY : buf.subarray(this.restFrom) };
  }

  /**
   * Like {@link push}, for a caller that owns `chunk` and never reads its bytes again (a
   * network read handed over whole): the body bytes are moved down in place over the
   * removed dots, so the body of the push comes back as one view (`body`, possibly empty)
   * instead of one view per stuffed line. Bytes of `chunk` before `rest` may be overwritten;
   * `rest` is untouched. Same bytes as `push` for every chunking, and the same errors.
   */
  pushInPlace(chunk: Buffer): InPlaceResult {
    const buf = this.scan(chunk);
    if (buf === undefined) return { body: EMPTY, done: this.finished, rest: this.finished ? chunk : EMPTY };
    const del = this.del;
    const end = this.stopAt;
    let w = end;
    if (del.length > 0) {
      // Close each one-byte gap: the bytes between two deleted dots move down by the number
      // of dots before them (one native memmove per stuffed line).
      w = del[0]!;
      for (let k = 0; k < del.length; k++) {
        const from = del[k]! + 1;
        const to = k + 1 < del.length ? del[k + 1]! : end;
        if (to > from) buf.copyWithin(w, from, to);
        w += to - from;
      }
    }
    const body = w === 0 ? EMPTY : w === buf.length ? buf : buf.subarray(0, w);
    return { body, done: this.restFrom !== -1, rest: this.restFrom === -1 ? EMPTY : buf.subarray(this.restFrom) };
  }

  /**
   * The scan shared by both pushes: returns the buffer scanned (the chunk, or the held bytes
   * joined with it) with `del`, `stopAt` (end of the body bytes) and `restFrom` set, or
   * undefined when there is nothing to scan (empty chunk, or already finished).
   */
  private scan(chunk: Buffer): Buffer | undefined {
    if (this.failure) throw this.failure;
    if (this.finished) return undefined;
    let buf = chunk;
    if (this.held) {
      buf = Buffer.concat([this.held, buf]);
      this.held = undefined;
    }
    const n = buf.length;
    if (n === 0) return undefined;
    this.del.length = 0;
    this.stopAt = -1;
    this.restFrom = -1;
    try {
      if (this.strict) this.scanStrict(buf);
      else this.scanLenient(buf);
    } catch (error) {
      if (MailError.is(error)) this.failure = error;
      throw error;
    }
    if (this.stopAt === -1) this.stopAt = n;
    this.total += this.stopAt - this.del.length;
    if (this.restFrom !== -1) this.finished = true;
    return buf;
  }

  private scanLenient(buf: Buffer): void {
    let pos = 0;
    if (this.lineStart) {
      pos = this.lineAt(buf, 0);
      if (pos < 0) return;
    }
    for (;;) {
      const p = buf.indexOf(LF_DOT, pos);
      if (p === -1) break;
      pos = this.lineAt(buf, p + 1);
      if (pos < 0) return;
    }
    this.lineStart = buf[buf.length - 1] === LF;
  }

  private scanStrict(buf: Buffer): void {
    const n = buf.length;
    let pos = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (buf[0] !== LF) throw bare('CR');
      this.lineStart = true;
      pos = 1;
    }
    if (this.lineStart) {
      pos = this.lineAt(buf, pos);
      if (pos < 0) return;
    }
    let cr = buf.indexOf(CR, pos);
    let lf = buf.indexOf(LF, pos);
    while (cr !== -1 || lf !== -1) {
      if (lf !== -1 && (cr === -1 || lf < cr)) throw bare('LF');
      if (cr + 1 === n) {
        this.pendingCR = true;
        break;
      }
      if (lf !== cr + 1) throw bare('CR');
      pos = cr + 2;
      // Most lines do not start with a dot: skip the call (lineStart is already false).
      if (pos === n || buf[pos] === DOT) {
        pos = this.lineAt(buf, pos);
        if (pos < 0) return;
      }
      cr = buf.indexOf(CR, pos);
      lf = buf.indexOf(LF, pos);
    }
    // lineStart is now right: lineAt() set it, true only when a CRLF ended the chunk.
  }

  /**
   * Handles the line that starts at `p`. Returns where scanning goes on, or -1 when this
   * chunk is finished (terminator found, or a dot held back for the next chunk).
   */
  private lineAt(buf: Buffer, p: number): number {
    const n = buf.length;
    this.lineStart = p === n;
    if (p === n || buf[p] !== DOT) return p;
    if (p + 1 === n) return this.hold(buf, p);
    const next = buf[p + 1];
    if (next === CR) {
      if (p + 2 === n) return this.hold(buf, p);
      if (buf[p + 2] === LF) return this.terminate(p, p + 3);
      if (this.strict) throw bare('CR');
    } else if (next === LF) {
      if (this.strict) throw bare('LF');
      return this.terminate(p, p + 2);
    }
    // A stuffed dot: the first character is deleted (RFC 5321 §4.5.2).
    this.del.push(p);
    return p + 1;
  }

  private hold(buf: Buffer, p: number): number {
    this.held = Buffer.from(buf.subarray(p));
    this.stopAt = p;
    this.lineStart = true;
    return -1;
  }

  private terminate(p: number, restFrom: number): number {
    this.stopAt = p;
    this.restFrom = restFrom;
    return -1;
  }
}

function bare(what: 'CR' | 'LF'): MailError {
  return new MailError(
    'MAIL_PROTOCOL',
    `bare ${what} in message data; only CRLF may end a line (RFC 5321 §2.3.8)`,
  );
}
