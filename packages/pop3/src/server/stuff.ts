/**
 * Outgoing message bodies for RETR and TOP (RFC 1939 §3): every line ends with CRLF (a bare
 * LF from storage becomes CRLF), a leading "." is doubled, and the body ends with CRLF "."
 * CRLF. Streaming: chunks in, pieces out, no copy of the message.
 */

const CRLF = Buffer.from('\r\n');
const DOT = Buffer.from('.');

/** Incremental dot-stuffer with LF normalisation. */
export class BodyStuffer {
  #atLineStart = true;
  #lastCR = false;

  /** Stuffs one chunk; returns the pieces to write in order. */
  push(input: Uint8Array): Buffer[] {
    const chunk = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const out: Buffer[] = [];
    if (chunk.length === 0) return out;
    let pos = 0;
    if (this.#atLineStart && chunk[0] === 0x2e) out.push(DOT);
    for (;;) {
      const lf = chunk.indexOf(0x0a, pos);
      if (lf === -1) break;
      const prevCR = lf > pos ? chunk[lf - 1] === 0x0d : lf === 0 ? this.#lastCR : false;
      if (prevCR || (lf > pos && chunk[lf - 1] === 0x0d)) out.push(chunk.subarray(pos, lf + 1));
      else {
        if (lf > pos) out.push(chunk.subarray(pos, lf));
        out.push(CRLF);
      }
      pos = lf + 1;
      if (pos < chunk.length && chunk[pos] === 0x2e) out.push(DOT);
    }
    if (pos < chunk.length) {
      out.push(chunk.subarray(pos));
      this.#atLineStart = false;
    } else {
      this.#atLineStart = true;
    }
    this.#lastCR = chunk[chunk.length - 1] === 0x0d;
    return out;
  }

  /** The terminator: CRLF first when the last line had none (RFC 1939 §3). */
  end(): Buffer {
    return Buffer.from(this.#atLineStart ? '.\r\n' : '\r\n.\r\n');
  }
}

/**
 * Cuts a message for TOP msg n (RFC 1939 §7): the headers, the blank line, and the first `n`
 * body lines.
 */
export class TopLimiter {
  #inHeaders = true;
  #lineBytes = 0;
  #bodyLines = 0;
  #lastCR = false;
  #done = false;

  constructor(private readonly lines: number) {}

  /** Whether everything wanted has been passed on. */
  get done(): boolean {
    return this.#done;
  }

  /** The part of `chunk` that belongs to the TOP output. */
  push(chunk: Uint8Array): Uint8Array {
    if (this.#done) return chunk.subarray(0, 0);
    let pos = 0;
    for (;;) {
      const lf = chunk.indexOf(0x0a, pos);
      if (lf === -1) {
        this.#lineBytes += chunk.length - pos;
        this.#lastCR = chunk[chunk.length - 1] === 0x0d;
        return chunk;
      }
      const cr = lf > pos ? chunk[lf - 1] === 0x0d : this.#lastCR;
      const content = this.#lineBytes + (lf - pos) - (cr ? 1 : 0);
      this.#lastCR = false;
      this.#lineBytes = 0;
      pos = lf + 1;
      if (this.#inHeaders) {
        if (content === 0) {
          this.#inHeaders = false;
          if (this.lines === 0) return this.#finish(chunk, pos);
        }
      } else if (++this.#bodyLines >= this.lines) {
        return this.#finish(chunk, pos);
      }
    }
  }

  #finish(chunk: Uint8Array, end: number): Uint8Array {
    this.#done = true;
    return chunk.subarray(0, end);
  }
}
