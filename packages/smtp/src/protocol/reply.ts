/**
 * SMTP replies (RFC 5321 §4.2): incremental assembly of single- and multi-line replies and
 * enhanced status codes (RFC 3463, announced by ENHANCEDSTATUSCODES, RFC 2034).
 *
 * Sans-I/O: the client feeds lines (`ReplyAssembler`) or raw bytes (`ReplyParser`); both
 * throw only {@link SMTPProtocolError}.
 */
import { SMTPProtocolError, printable } from './errors.js';

/** One complete reply. */
export interface Reply {
  /** The three-digit code, e.g. 250. */
  readonly code: number;
  /** RFC 3463 `class.subject.detail`, e.g. `5.1.1`, when the server sent one. */
  readonly enhancedStatus: string | undefined;
  /** Text of every line after `NNN-`/`NNN `, exactly as received (enhanced code included). */
  readonly lines: readonly string[];
  /** The lines joined with `\n`, the enhanced status code removed from each. */
  readonly text: string;
}

/** Limits on one reply (SECURITY.md promise 4). */
export interface ReplyLimits {
  /** Most lines in one reply; default 512 (an EHLO reply has a few dozen). */
  maxLines?: number;
  /** Most characters over all lines of one reply; default 1 MiB. */
  maxSize?: number;
  /** For {@link ReplyParser}: longest line including CRLF; default 64 KiB. */
  maxLineLength?: number;
}

// RFC 5321 §4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF,
// i.e. /^([2-5]\d\d)(?:([ -])([\s\S]*))?$/ (checked by hand in ReplyAssembler.push).
// The first digit is 2-5 in SMTP (§4.2.1); the other two are not checked so that
// non-standard but well-formed codes still reach the caller.
// RFC 3463 §2: class "." subject "." detail; subject 1-3 digits, detail 1-3 digits, i.e.
// /^([245])\.(\d{1,3})\.(\d{1,3})(?= |$)/ (checked by hand in enhancedEnd).

/** True for 2yz replies (positive completion). */
export const isPositive = (reply: Reply): boolean => reply.code >= 200 && reply.code < 300;
/** True for 3yz replies (positive intermediate, e.g. 354 and 334). */
export const isIntermediate = (reply: Reply): boolean => reply.code >= 300 && reply.code < 400;
/** True for 4yz replies (transient negative: a retry may succeed). */
export const isTransient = (reply: Reply): boolean => reply.code >= 400 && reply.code < 500;

/**
 * The enhanced status code at the start of `text` when its class matches the reply code's
 * first digit (RFC 2034 §4: "the class sub-code MUST match the first digit").
 */
export function parseEnhancedStatus(code: number, text: string): string | undefined {
  const end = enhancedEnd(code, text);
  return end === 0 ? undefined : formatStatus(text, end);
}

/**
 * Where the enhanced status code at the start of `text` ends (0: there is none, or its class
 * does not match the reply code): the grammar of RFC 3463 §2 quoted above, without a regular
 * expression, because every reply of a pipelined session passes here.
 */
function enhancedEnd(code: number, text: string): number {
  const cls = text.charCodeAt(0);
  if (cls - 48 !== Math.floor(code / 100) || (cls !== 0x32 && cls !== 0x34 && cls !== 0x35) || text.charCodeAt(1) !== 0x2e) return 0;
  const afterSubject = digitsEnd(text, 2);
  if (afterSubject === 0 || text.charCodeAt(afterSubject) !== 0x2e) return 0;
  const end = digitsEnd(text, afterSubject + 1);
  // Followed by a space or the end of the text (RFC 2034 §4: the code is followed by SP).
  return end !== 0 && (end === text.length || text.charCodeAt(end) === 0x20) ? end : 0;
}

/** End of 1-3 ASCII digits starting at `from`, or 0 when there are none or more than 3. */
function digitsEnd(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); i - from < 4 && c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i));
  return i === from || i - from > 3 ? 0 : i;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** `class.subject.detail` with leading zeros dropped, as `Number()` would. */
function formatStatus(text: string, end: number): string {
  const first = text.indexOf('.', 2);
  return `${text[0]}.${Number(text.slice(2, first))}.${Number(text.slice(first + 1, end))}`;
}

/** The text of one line with its enhanced status code (and the space after it) removed. */
function stripStatus(line: string, end: number): string {
  return line.charCodeAt(end) === 0x20 ? line.slice(end + 1) : line.slice(end);
}

/** Builds a {@link Reply} from its code and line texts (as received). */
export function makeReply(code: number, lines: readonly string[]): Reply {
  return buildReply(code, [...lines]);
}

/** {@link makeReply} on an array the reply may keep. */
function buildReply(code: number, lines: string[]): Reply {
  let enhancedStatus: string | undefined;
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const end = enhancedEnd(code, line);
    if (i > 0) text += '\n';
    if (end === 0) {
      text += line;
      continue;
    }
    enhancedStatus ??= formatStatus(line, end);
    text += stripStatus(line, end);
  }
  return { code, enhancedStatus, lines, text };
}

/** `550 5.1.1 User unknown`: the reply as one line for messages (escaped, bounded). */
export function describeReply(reply: Reply): string {
  const status = reply.enhancedStatus === undefined ? '' : ` ${reply.enhancedStatus}`;
  const text = reply.text.replace(/\n/g, ' / ');
  return printable(`${reply.code}${status}${text === '' ? '' : ' '}${text}`);
}

/**
 * Formats a reply for the wire (the server half): `250-a\r\n250 b\r\n`. An enhanced status
 * code, when given, prefixes every line (RFC 2034 §4). Throws on CR/LF/NUL in the text.
 */
export function formatReply(code: number, text: string | readonly string[], enhancedStatus?: string): string {
  if (!Number.isInteger(code) || code < 200 || code > 599) {
    throw new SMTPProtocolError('MAIL_INVALID_ARGUMENT', `reply code ${code} is not 2xx-5xx`);
  }
  const lines = typeof text === 'string' ? [text] : text.length === 0 ? [''] : text;
  const prefix = enhancedStatus === undefined ? '' : `${enhancedStatus} `;
  return lines
    .map((line, i) => {
      if (/[\r\n\0]/.test(line)) throw new SMTPProtocolError('MAIL_INVALID_ARGUMENT', 'reply text contains CR, LF or NUL');
      const sep = i === lines.length - 1 ? ' ' : '-';
      const body = `${prefix}${line}`;
      return body === '' && sep === ' ' ? `${code}\r\n` : `${code}${sep}${body}\r\n`;
    })
    .join('');
}

/**
 * Assembles replies from lines (CRLF already stripped), e.g. from `Connection.readLine()`.
 * `push` returns the reply once its last line arrives.
 */
export class ReplyAssembler {
  readonly #maxLines: number;
  readonly #maxSize: number;
  #code = 0;
  #lines: string[] = [];
  #size = 0;

  constructor(limits: ReplyLimits = {}) {
    this.#maxLines = limits.maxLines ?? 512;
    this.#maxSize = limits.maxSize ?? 1024 * 1024;
  }

  /** True while a multi-line reply is incomplete. */
  get pending(): boolean {
    return this.#lines.length > 0;
  }

  /** Adds one line; returns the complete reply after its last line. */
  push(line: string): Reply | undefined {
    // The Reply-line grammar quoted above, checked by hand (every reply line of a session passes here).
    const n = line.length;
    const sep = n > 3 ? line.charCodeAt(3) : 0;
    const c0 = line.charCodeAt(0);
    if (n < 3 || c0 < 0x32 || c0 > 0x35 || !isDigit(line.charCodeAt(1)) || !isDigit(line.charCodeAt(2)) || (n > 3 && sep !== 0x20 && sep !== 0x2d)) {
      throw new SMTPProtocolError('MAIL_PROTOCOL', `malformed reply line: ${printable(line, 120)}`);
    }
    const code = (c0 - 48) * 100 + (line.charCodeAt(1) - 48) * 10 + (line.charCodeAt(2) - 48);
    if (this.#lines.length > 0 && code !== this.#code) {
      // RFC 5321 §4.2.1: every line of a multi-line reply carries the same code.
      const first = this.#code;
      this.#reset();
      throw new SMTPProtocolError('MAIL_PROTOCOL', `multi-line reply changed code from ${first} to ${code}`);
    }
    const text = n > 4 ? line.slice(4) : '';
    if (sep !== 0x2d && this.#lines.length === 0) {
      // A single-line reply (most of them): no line list to keep between calls.
      if (this.#maxLines < 1 || line.length > this.#maxSize) throw new SMTPProtocolError('MAIL_RESPONSE_TOO_LARGE', 'multi-line reply exceeds the configured limits');
      return buildReply(code, [text]);
    }
    this.#code = code;
    this.#size += line.length;
    this.#lines.push(text);
    if (this.#lines.length > this.#maxLines || this.#size > this.#maxSize) {
      this.#reset();
      throw new SMTPProtocolError('MAIL_RESPONSE_TOO_LARGE', 'multi-line reply exceeds the configured limits');
    }
    if (sep === 0x2d) return undefined;
    const reply = buildReply(code, this.#lines);
    this.#reset();
    return reply;
  }

  #reset(): void {
    this.#lines = [];
    this.#size = 0;
    this.#code = 0;
  }
}

/**
 * Assembles replies from raw bytes in any chunking (CRLF or a lone LF ends a line). Used by
 * tests and tools; the client reads lines through the transport and uses
 * {@link ReplyAssembler} directly.
 */
export class ReplyParser {
  readonly #assembler: ReplyAssembler;
  readonly #maxLineLength: number;
  readonly #decoder = new TextDecoder('utf-8');
  #buffer: Uint8Array = new Uint8Array(0);

  constructor(limits: ReplyLimits = {}) {
    this.#assembler = new ReplyAssembler(limits);
    this.#maxLineLength = limits.maxLineLength ?? 64 * 1024;
  }

  /** Adds bytes (or a string, as UTF-8); returns every reply they complete, in order. */
  push(chunk: Uint8Array | string): Reply[] {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    const data = new Uint8Array(this.#buffer.length + bytes.length);
    data.set(this.#buffer);
    data.set(bytes, this.#buffer.length);
    const replies: Reply[] = [];
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== 0x0a) continue;
      const end = i > start && data[i - 1] === 0x0d ? i - 1 : i;
      if (i + 1 - start > this.#maxLineLength) throw this.#tooLong();
      const reply = this.#assembler.push(this.#decoder.decode(data.subarray(start, end)));
      start = i + 1;
      if (reply) replies.push(reply);
    }
    this.#buffer = data.slice(start);
    if (this.#buffer.length > this.#maxLineLength) throw this.#tooLong();
    return replies;
  }

  /** True when a partial line or an incomplete multi-line reply is buffered. */
  get pending(): boolean {
    return this.#buffer.length > 0 || this.#assembler.pending;
  }

  #tooLong(): SMTPProtocolError {
    this.#buffer = new Uint8Array(0);
    return new SMTPProtocolError('MAIL_PROTOCOL', `reply line longer than ${this.#maxLineLength} bytes`);
  }
}

const QUEUE_ID_PATTERNS = [
  /queued as ([A-Za-z0-9._-]+)/i,
  /\bid=([A-Za-z0-9._-]+)/,
  /^([A-Za-z0-9]{6,}) Message accepted/i,
  /^OK\s+\d+\s+(\S+)\s+-\s+gsmtp/i,
  /\bQueued(?: mail)?(?: for delivery)?\s*(?:as|:)\s*([A-Za-z0-9._-]+)/i,
];

/**
 * The queue id from a final reply after the message, when the server names one: Postfix
 * (`queued as 4Xk…`), Exim (`id=1r…`), Sendmail (`<id> Message accepted`), Gmail
 * (`OK 1700000000 <id> - gsmtp`). Undefined when the text has none.
 */
export function parseQueueId(reply: Reply): string | undefined {
  const text = reply.text;
  for (const re of QUEUE_ID_PATTERNS) {
    const m = re.exec(text);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}
