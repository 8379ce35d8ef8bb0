/**
 * The message on its way out: normalised (every bare CR and LF becomes CRLF, a final CRLF
 * added), inspected, and the decision what it needs from the server (SECURITY.md promise 3).
 *
 * Strategy for sources that cannot be rewound (streams): a bounded look-ahead. Up to
 * `lookAhead` octets (default 1 MiB) are read and inspected before `MAIL FROM`; a message that
 * ends within them is decided exactly like a string. For a longer one the rest is inspected
 * while it streams; if it turns out unsafe (NUL, a long line, 8-bit without 8BITMIME, over
 * SIZE), the transaction is abandoned before its end: with BDAT by RSET (RFC 3030 §4.1: the
 * chunks are discarded), with DATA by closing the connection before the final dot (RFC 5321
 * §3.8: a transaction without end-of-data is not delivered). Nothing unsafe is ever delivered.
 */
import { isAscii } from 'node:buffer';
import { LineEndingNormalizer, MAX_TEXT_LINE_OCTETS, chunksOf, type BodyInfo, type BodySource } from '@mail/transport';
import { SMTPMessageError, SMTPNotSupportedError } from './errors.js';
import { FileChunks, isMessageFile, type MessageFile } from './file-source.js';
import { hasKeyword, type Capabilities } from './protocol/ehlo.js';
import type { BodyType } from './protocol/commands.js';

export type { MessageFile } from './file-source.js';

/**
 * Anything a message can come from: string, bytes, Node stream, web ReadableStream, (async)
 * iterable, or a file (`{ path }`, read in place with bounded memory).
 */
export type BodyInput = BodySource | MessageFile;

/** Default look-ahead before MAIL FROM for streamed messages. */
export const DEFAULT_LOOK_AHEAD = 1024 * 1024;

/** What is known about a message before (and, for a streamed one, while) it is sent. */
export interface BodyFigures {
  readonly info: BodyInfo;
}

/** A message, partly or wholly read. */
export interface PreparedBody {
  /**
   * When `complete`: the whole message, normalised. Otherwise the chunks read so far as the
   * source gave them: the writer normalises them with the rest, in the same single pass that
   * dot-stuffs and inspects.
   */
  head: Buffer[];
  /** The rest of the message as the source gives it (not normalised), when not `complete`. */
  rest: AsyncIterator<Buffer, unknown> | undefined;
  /** Everything was read and inspected. */
  complete: boolean;
  /** The figures of what was read (for a streamed message, the writer measures the rest). */
  inspector: BodyFigures;
  /** 8-bit octets in the header section (RFC 6532 headers need SMTPUTF8). */
  headers8bit: boolean;
  /**
   * Hands a chunk of `head`/`rest` back to its source once nothing references it any more
   * (the socket wrote it): file sources read into the same few buffers again.
   */
  recycle?: ((chunk: Buffer) => void) | undefined;
  /**
   * Starts reading the rest now (a file reopens and reads ahead), so it is ready once the
   * head has been written; `rawChunks` calls it when the message starts to go out.
   */
  prefetch?: (() => void) | undefined;
}

function isWhole(source: BodyInput): source is string | Uint8Array {
  return typeof source === 'string' || source instanceof Uint8Array;
}

/** Normalises and inspects a string or bytes at once, in one pass (no awaiting). */
export function prepareWhole(source: string | Uint8Array): PreparedBody {
  const normalizer = new LineEndingNormalizer({ finalNewline: true, inspect: true });
  const input = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
  const first = normalizer.push(input);
  const tail = normalizer.end();
  // A view of the caller's bytes when nothing needed changing: do not modify them until sendMail settles.
  const whole = tail.length === 0 ? first : Buffer.concat([first, tail]);
  const info = normalizer.info!;
  return { head: [whole], rest: undefined, complete: true, inspector: { info }, headers8bit: info.has8bit && headers8bit([whole]) };
}

/**
 * Reads and inspects up to `lookAhead` octets of any source. A source that ends within them
 * is normalised whole; otherwise the chunks are kept as read, and only their figures (and
 * the header section's) are taken here.
 */
export async function prepareBody(source: BodyInput, lookAhead = DEFAULT_LOOK_AHEAD): Promise<PreparedBody> {
  if (isWhole(source)) return prepareWhole(source);
  let file: FileChunks | undefined;
  // A file reads no further ahead than the look-ahead: nothing to wait for before MAIL FROM.
  const iterator: AsyncIterator<Buffer, unknown> = isMessageFile(source) ? (file = new FileChunks(source, lookAhead)) : chunksOf(source)[Symbol.asyncIterator]();
  const normalizer = new LineEndingNormalizer({ finalNewline: true, inspect: true });
  const raw: Buffer[] = [];
  const normalized: Buffer[] = [];
  let size = 0;
  while (size < lookAhead) {
    const next = await iterator.next();
    if (next.done === true) {
      const tail = normalizer.end();
      if (tail.length > 0) normalized.push(tail);
      const info = normalizer.info!;
      return { head: normalized, rest: undefined, complete: true, inspector: { info }, headers8bit: info.has8bit && headers8bit(normalized) };
    }
    raw.push(next.value);
    normalized.push(normalizer.push(next.value));
    size += next.value.length;
  }
  // Nothing stays open while the envelope is negotiated (it may be refused).
  await file?.detach();
  const recycle = file === undefined ? undefined : (chunk: Buffer): void => file.recycle(chunk);
  const info = normalizer.info!;
  const prefetch = file === undefined ? undefined : (): void => file.prefetch();
  return { head: raw, rest: iterator, complete: false, inspector: { info }, headers8bit: info.has8bit && headers8bit(normalized), recycle, prefetch };
}

/** Raw chunks of a message that is not `complete`: the head, then the rest. */
export async function* rawChunks(body: PreparedBody): AsyncGenerator<Buffer, void, undefined> {
  const rest = body.rest;
  let done = false;
  body.prefetch?.();
  try {
    yield* body.head;
    if (rest !== undefined) {
      for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
    }
    done = true;
  } finally {
    // Stopped early (the write failed or the content was refused): release the source (a file).
    if (!done) await Promise.resolve(rest?.return?.()).catch(() => undefined);
  }
}

/**
 * 8-bit octets before the first empty line (the header section, RFC 5322 §2.1). Only asked
 * when the content read has 8-bit octets at all (`isAscii` already scanned every octet).
 */
function headers8bit(chunks: readonly Buffer[]): boolean {
  for (const chunk of chunks) {
    const end = chunk.indexOf('\r\n\r\n');
    const part = end === -1 ? chunk : chunk.subarray(0, end);
    if (!isAscii(part)) return true;
    if (end !== -1) return false;
  }
  return false;
}

/** How the message goes: BODY type and DATA or BDAT. */
export interface BodyPlan {
  body: BodyType;
  bdat: boolean;
}

/** What the caller asked for. */
export interface BodyChoice {
  /** Force a BODY type; default: the least the content needs. */
  body?: BodyType | undefined;
  /** Use BDAT when CHUNKING is offered (default true). */
  chunking?: boolean | undefined;
}

/** Chooses BODY and DATA/BDAT, refusing what cannot be sent safely (before MAIL FROM). */
export function planBody(body: PreparedBody, caps: Capabilities, choice: BodyChoice): BodyPlan {
  const info = body.inspector.info;
  const chunking = choice.chunking !== false && hasKeyword(caps, 'CHUNKING');
  const binaryOk = chunking && hasKeyword(caps, 'BINARYMIME');
  const eightOk = hasKeyword(caps, '8BITMIME');
  if (choice.body === 'BINARYMIME') {
    if (!binaryOk) throw new SMTPNotSupportedError('BODY=BINARYMIME needs CHUNKING and BINARYMIME (RFC 3030), which the server does not offer');
    return { body: 'BINARYMIME', bdat: true };
  }
  const problem = needsBinary(info);
  if (problem !== undefined) {
    if (binaryOk) return { body: 'BINARYMIME', bdat: true };
    throw new SMTPMessageError(`the message has ${problem}; refused before MAIL FROM (the server offers no BINARYMIME)`);
  }
  if (choice.body === '8BITMIME' && !eightOk) throw new SMTPNotSupportedError('the server does not offer 8BITMIME');
  if (info.has8bit && !eightOk && !hasKeyword(caps, 'SMTPUTF8')) {
    throw new SMTPMessageError('the message has 8-bit content and the server offers neither 8BITMIME nor SMTPUTF8 (RFC 6152); refused before MAIL FROM');
  }
  // A message not yet read to its end may still turn 8-bit: declaring 8BITMIME is harmless.
  const type: BodyType = choice.body ?? ((info.has8bit || !body.complete) && eightOk ? '8BITMIME' : '7BIT');
  return { body: type, bdat: chunking };
}

function needsBinary(info: BodyInfo): string | undefined {
  if (info.hasNul) return 'NUL bytes';
  // RFC 5321 §4.5.3.1.6: a text line is at most 998 octets plus CRLF.
  if (info.maxLineLength > MAX_TEXT_LINE_OCTETS) return `a line of ${info.maxLineLength} octets (over 998, RFC 5321 §4.5.3.1.6)`;
  return undefined;
}

/** Checks the figures of a partly streamed message against the plan; the reason to abandon it, if any. */
export function streamViolation(info: BodyInfo, plan: BodyPlan, maxSize: number | undefined): string | undefined {
  if (plan.body !== 'BINARYMIME') {
    const problem = needsBinary(info);
    if (problem !== undefined) return problem;
    if (info.has8bit && plan.body === '7BIT') return '8-bit content and the server offers no 8BITMIME';
  }
  if (maxSize !== undefined && info.size > maxSize) return `more than the server's SIZE limit of ${maxSize} octets`;
  return undefined;
}
