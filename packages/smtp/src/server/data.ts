/**
 * Message content readers for DATA (dot-terminated, RFC 5321 §4.1.1.4) and BDAT (counted,
 * RFC 3030). Both stream: the message is never held whole in memory.
 *
 * DATA is strict about line ends (RFC 5321 §2.3.8): only CRLF ends a line and only
 * CRLF "." CRLF ends the data. A bare LF or a bare CR anywhere — the shapes SMTP smuggling
 * (CVE-2023-51764 and friends) relies on — taints the message: the reader keeps consuming up
 * to the real end so the session stays in sync, but the stream fails and the message is
 * refused with a 5xx reply, never delivered.
 */
import type { ServerChannel } from '@mail/transport';

/** Why a message was refused while it was read. */
export type DataProblem = 'bare-line-ending' | 'too-large';

/** Thrown into the message stream when the content must not be delivered. */
export class MessageRejectedError extends Error {
  constructor(readonly problem: DataProblem) {
    super(problem === 'too-large' ? 'message exceeds the size limit' : 'message contains a bare CR or LF');
  }
}

/** Largest piece taken from the input at once (also the piece size of very long lines). */
const PIECE = 64 * 1024;

/** Common state of the two readers: output batching, size limit, draining. */
abstract class ContentReader {
  protected problem: DataProblem | undefined;
  protected finished = false;
  /** Message octets received (after unstuffing). */
  size = 0;

  constructor(
    protected readonly channel: ServerChannel,
    protected readonly maxSize: number,
    protected readonly deadline: number,
  ) {}

  /** The first problem found, once the content has been read to its end. */
  get rejected(): DataProblem | undefined {
    return this.problem;
  }

  /** Next batch of message bytes; null at the end. Throws {@link MessageRejectedError}. */
  async next(): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let total = 0;
    while (!this.finished && this.problem === undefined && (parts.length === 0 || (this.channel.hasBufferedData() && total < PIECE))) {
      const piece = await this.piece();
      if (piece === null || piece.length === 0) continue;
      this.size += piece.length;
      if (this.size > this.maxSize) this.problem = 'too-large';
      else {
        parts.push(piece);
        total += piece.length;
      }
    }
    if (this.problem !== undefined) throw new MessageRejectedError(this.problem);
    if (parts.length === 0) return null;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
  }

  /** Reads and discards the rest, so that the next command is read in sync. */
  async drain(): Promise<void> {
    while (!this.finished) await this.piece();
  }

  /** The message as an async iterable (one consumer). */
  async *stream(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = await this.next();
      if (chunk === null) return;
      yield chunk;
    }
  }

  /** Next unstuffed piece, null for a piece with no content; sets `finished` at the end. */
  protected abstract piece(): Promise<Buffer | null>;
}

/** DATA: dot-terminated, dot-stuffed, CRLF only. */
export class DotDataReader extends ContentReader {
  #atLineStart = true;
  #pendingCR = false;

  protected async piece(): Promise<Buffer | null> {
    let piece = await this.channel.readRawLine(PIECE, this.deadline);
    const endsLine = piece[piece.length - 1] === 0x0a;
    if (this.#atLineStart && piece[0] === 0x2e) {
      if (piece.length === 3 && piece[1] === 0x0d && piece[2] === 0x0a) {
        this.finished = true;
        return null;
      }
      piece = piece.subarray(1); // RFC 5321 §4.5.2: remove one leading dot
    }
    // Only CRLF starts a new line: after a bare LF, ".\r\n" is content, never the end (§2.3.8),
    // or a smuggled message would follow as commands.
    this.#atLineStart = this.#check(piece, endsLine);
    return this.problem === undefined ? piece : null;
  }

  /** Flags bare CR/LF; returns whether the piece ends with CRLF. */
  #check(piece: Buffer, endsLine: boolean): boolean {
    if (this.#pendingCR && piece[0] !== 0x0a) this.problem ??= 'bare-line-ending';
    const body = endsLine ? piece.length - 1 : piece.length;
    const crlf = endsLine && (body === 0 ? this.#pendingCR : piece[body - 1] === 0x0d);
    if (endsLine && !crlf) this.problem ??= 'bare-line-ending';
    // A CR anywhere but right before the LF (or as the very last byte of a piece, to be
    // checked against the next piece) is a bare CR.
    const cr = piece.indexOf(0x0d);
    if (cr !== -1 && cr < body - 1) this.problem ??= 'bare-line-ending';
    this.#pendingCR = !endsLine && piece[piece.length - 1] === 0x0d;
    return crlf;
  }
}

/**
 * BDAT: exactly `length` octets, no stuffing (RFC 3030 §2). Bare CR/LF are refused as in
 * DATA, since the content may be relayed as DATA later.
 */
export class ChunkReader extends ContentReader {
  #left: number;
  #lastByte: number;
  #pendingCR: boolean;

  /** `previousEndedWithCR`: the previous chunk of the same message ended with CR. */
  constructor(channel: ServerChannel, maxSize: number, deadline: number, length: number, previousEndedWithCR: boolean, alreadyReceived: number) {
    super(channel, maxSize, deadline);
    this.#left = length;
    this.#lastByte = -1;
    this.#pendingCR = previousEndedWithCR;
    this.size = alreadyReceived;
    if (length === 0) this.finished = true;
  }

  /** Whether the chunk's last octet was a CR (a CRLF may straddle two BDAT chunks). */
  get endedWithCR(): boolean {
    return this.#lastByte === 0x0d;
  }

  protected async piece(): Promise<Buffer | null> {
    const piece = await this.channel.readChunk(Math.min(this.#left, PIECE), this.deadline);
    this.#left -= piece.length;
    if (this.#left === 0) this.finished = true;
    this.#check(piece);
    return this.problem === undefined ? piece : null;
  }

  #check(piece: Buffer): void {
    let i = 0;
    if (this.#pendingCR) {
      if (piece[0] !== 0x0a) this.problem ??= 'bare-line-ending';
      i = piece[0] === 0x0a ? 1 : 0;
    }
    for (;;) {
      const lf = piece.indexOf(0x0a, i);
      const cr = piece.indexOf(0x0d, i);
      if (cr !== -1 && (lf === -1 || cr < lf - 1) && cr !== piece.length - 1) this.problem ??= 'bare-line-ending';
      if (lf === -1) break;
      if (lf === 0 ? !this.#pendingCR : piece[lf - 1] !== 0x0d) this.problem ??= 'bare-line-ending';
      i = lf + 1;
    }
    this.#pendingCR = piece[piece.length - 1] === 0x0d;
    this.#lastByte = piece[piece.length - 1] ?? this.#lastByte;
  }
}
