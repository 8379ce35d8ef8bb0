/**
 * Writing a message: DATA with dot-stuffing (RFC 5321 §4.5.2) or BDAT chunks (RFC 3030),
 * streamed with backpressure in big writes, and the read of the reply after the end of data,
 * where a lost connection means the outcome is unknown (RFC 1047).
 */
import { DotStuffer, LineEndingNormalizer, type BodyInfo } from '@mail/transport';
import type { ReplyChannel } from './channel.js';
import { SMTPDataError, SMTPMessageError, SMTPOutcomeUnknownError, SMTPServerDisconnectedError, guard } from './errors.js';
import { prepareBody, rawChunks, streamViolation, type BodyInput, type BodyPlan, type PreparedBody } from './body.js';
import { formatBdat } from './protocol/commands.js';
import { stuffNormalized } from './stuff-normalized.js';
import { isPositive, type Reply } from './protocol/reply.js';

export type { BodyInput };

/** BDAT chunks are about this big (the source's pieces are not split); bounds memory in flight. */
const BDAT_CHUNK = 256 * 1024;
/** Unanswered pipelined BDAT chunks before we wait for a reply. */
const BDAT_WINDOW = 8;

/** Where a body write goes and what it may append (the next transaction's prewritten commands). */
export interface BodyWrite {
  channel: ReplyChannel;
  body: PreparedBody;
  plan: BodyPlan;
  maxSize: number | undefined;
  signal: AbortSignal | undefined;
  /** Called right after the end of data is queued; returns bytes to append to that write. */
  after?: (() => Buffer | undefined) | undefined;
}

/**
 * The streamed part of a message went wrong in a way that must not be delivered: abandon the
 * transaction, then refuse.
 */
async function refuse(info: BodyInfo, plan: BodyPlan, maxSize: number | undefined, onAbandon: () => Promise<void>): Promise<void> {
  const problem = streamViolation(info, plan, maxSize);
  if (problem === undefined) return;
  await onAbandon();
  throw new SMTPMessageError(`the message has ${problem}; the transaction was abandoned before its end, nothing was delivered`);
}

/**
 * Source chunks handed to the socket but maybe still referenced by it, given back to a
 * recycling source (a file) once the socket holds no unwritten byte: only then is every one
 * of them passed on to the operating system.
 */
export class Recycler {
  readonly #recycle: ((chunk: Buffer) => void) | undefined;
  readonly #held: Buffer[] = [];

  constructor(body: PreparedBody) {
    this.#recycle = body.recycle;
  }

  /** `chunk` was just written (its bytes, or a copy of them, went to `conn.write`). */
  written(chunk: Buffer | undefined, unflushed: number): void {
    const recycle = this.#recycle;
    if (recycle === undefined || chunk === undefined) return;
    this.#held.push(chunk);
    if (unflushed > 0) return;
    for (const held of this.#held) recycle(held);
    this.#held.length = 0;
  }
}

/**
 * Streams the body after a 354 reply, dot-stuffed, ending with CRLF.CRLF. Returns octets
 * written. A streamed message is normalised, dot-stuffed and inspected in one pass over each
 * chunk, and the inspection of a chunk is checked before any of it is written.
 */
export async function writeDataBody(w: BodyWrite): Promise<number> {
  if (w.body.rest === undefined) return writeWholeDataBody(w);
  const conn = w.channel.conn;
  const stuffer = new DotStuffer({ inspect: true });
  const recycler = new Recycler(w.body);
  let written = 0;
  // DATA cannot be withdrawn: closing the connection before the final dot is the only way
  // to make the server discard the transaction (RFC 5321 §3.8).
  const abandon = async (): Promise<void> => conn.destroy();
  // The stuffer hands back views of each chunk (no copy of a chunk whose only edits are
  // doubled dots); they go out as one gathered write per chunk.
  let pending: Buffer[] | undefined;
  let pendingBytes = 0;
  let pendingChunk: Buffer | undefined;
  try {
    for await (const chunk of rawChunks(w.body)) {
      const out = stuffer.pushParts(chunk);
      await refuse(stuffer.info!, w.plan, w.maxSize, abandon);
      if (pending !== undefined) {
        await conn.write(pending, { signal: w.signal });
        written += pendingBytes;
        recycler.written(pendingChunk, conn.unflushedBytes);
      }
      // Held back one round so the last piece, the end of data and `after` go in one write.
      pending = out;
      pendingBytes = byteLength(out);
      pendingChunk = chunk;
    }
  } catch (error) {
    // The source failed (or the write did) in the middle of DATA: the server is still reading
    // message content, so the session cannot continue; closing discards the transaction.
    conn.destroy();
    throw error;
  }
  const end = stuffer.end();
  const extra = w.after?.();
  const last = [...(pending ?? []), end, ...(extra ? [extra] : [])];
  const lastBytes = pendingBytes + end.length + (extra?.length ?? 0);
  await conn.write(last, { signal: w.signal, trace: `<${written + lastBytes - (extra?.length ?? 0)} bytes of message>` });
  return written + lastBytes;
}

/**
 * A message already read whole (string, bytes, or a stream that ended within the look-ahead):
 * stuffed and sent synchronously in one write with the end of data and `after`. Small
 * messages are joined into one buffer: one socket write costs more than copying a few KiB.
 */
async function writeWholeDataBody(w: BodyWrite): Promise<number> {
  const parts: Buffer[] = [];
  let messageBytes: number;
  if (w.body.complete) {
    // Normalised when it was prepared: the dots are found without walking the lines again.
    messageBytes = stuffNormalized(w.body.head, parts);
  } else {
    const stuffer = new DotStuffer();
    for (const chunk of w.body.head) for (const part of stuffer.pushParts(chunk)) parts.push(part);
    parts.push(stuffer.end());
    messageBytes = byteLength(parts);
  }
  const extra = w.after?.();
  if (extra) parts.push(extra);
  const total = messageBytes + (extra?.length ?? 0);
  const out = total <= JOIN_LIMIT ? Buffer.concat(parts, total) : parts;
  await w.channel.conn.write(out, { signal: w.signal, trace: `<${messageBytes} bytes of message>` });
  return total;
}

/** Gathered writes of at most this many octets are joined into one buffer first. */
const JOIN_LIMIT = 64 * 1024;

function byteLength(parts: readonly Buffer[]): number {
  let n = 0;
  for (const part of parts) n += part.length;
  return n;
}

/**
 * Streams the body as BDAT chunks (the last one `BDAT n LAST`), pipelined when the server
 * allows. `prefix` (the pipelined envelope) goes in the same write as the first chunk.
 * Returns octets written and the replies to the non-last chunks.
 */
export async function writeBdatBody(w: BodyWrite & { pipelining: boolean; prefix?: Buffer | undefined }): Promise<{ bytes: number; failed: Reply | undefined }> {
  const conn = w.channel.conn;
  let outstanding = 0;
  let failed: Reply | undefined;
  let bytes = 0;
  let prefix = w.prefix;
  const collect = async (): Promise<void> => {
    const reply = await w.channel.read({ signal: w.signal, phase: 'data' });
    outstanding--;
    if (!isPositive(reply)) failed ??= reply;
  };
  let abandoned = false;
  // RFC 3030 §4.1 (via RFC 5321 §4.1.1.5): RSET discards the chunks sent so far.
  const abandon = async (): Promise<void> => {
    if (abandoned) return;
    abandoned = true;
    while (outstanding > 0) await collect().catch(() => undefined);
    await conn.writeCommand('RSET', { signal: w.signal });
    await w.channel.read({ signal: w.signal });
  };
  const send = async (pieces: Buffer[], size: number, last: boolean): Promise<void> => {
    const line = guard(() => formatBdat(size, last));
    conn.trace('c', line);
    const extra = last ? w.after?.() : undefined;
    // One allocation per chunk: command, data and whatever rides along, in one write.
    const out = Buffer.concat([...(prefix ? [prefix] : []), Buffer.from(`${line}\r\n`), ...pieces, ...(extra ? [extra] : [])]);
    prefix = undefined;
    await conn.write(out, { signal: w.signal, trace: `<${size} bytes of message>` });
    bytes += out.length;
    if (last) return;
    outstanding++;
    while (outstanding > (w.pipelining ? BDAT_WINDOW : 0)) await collect();
    if (failed !== undefined) throw new SMTPDataError('BDAT', failed);
  };
  let buffered: Buffer[] = [];
  let size = 0;
  const body = w.body;
  // A streamed message: normalised and inspected in one pass, each chunk checked before it is sent.
  const normalizer = body.complete ? undefined : new LineEndingNormalizer({ finalNewline: true, inspect: true });
  const recycler = new Recycler(body);
  let sources: Buffer[] = [];
  const flush = async (last: boolean): Promise<void> => {
    await send(buffered, size, last);
    // `send` joined the pieces into one new buffer: the source chunks are free.
    for (const chunk of sources) recycler.written(chunk, 0);
    buffered = [];
    sources = [];
    size = 0;
  };
  try {
    for await (const chunk of body.complete ? body.head : rawChunks(body)) {
      if (size >= BDAT_CHUNK) await flush(false);
      const piece = normalizer === undefined ? chunk : normalizer.push(chunk);
      if (normalizer !== undefined) await refuse(normalizer.info!, w.plan, w.maxSize, abandon);
      buffered.push(piece);
      sources.push(chunk);
      size += piece.length;
    }
    if (normalizer !== undefined) {
      const tail = normalizer.end();
      buffered.push(tail);
      size += tail.length;
    }
  } catch (error) {
    await abandon().catch(() => undefined);
    throw error;
  }
  await flush(true);
  while (outstanding > 0) await collect().catch((e: unknown) => { throw outcomeUnknown('BDAT LAST', e); });
  return { bytes, failed };
}

/** The reply after the end of data; a failure to get it means the outcome is unknown (RFC 1047). */
export async function readFinalReply(channel: ReplyChannel, command: string, signal?: AbortSignal): Promise<Reply> {
  try {
    return await channel.read({ phase: 'data', signal });
  } catch (error) {
    // A 421 is an answer: the message was not accepted, and retrying is safe.
    if (SMTPServerDisconnectedError.is(error) && error.reply !== undefined) throw error;
    throw outcomeUnknown(command, error);
  }
}

function outcomeUnknown(command: string, cause: unknown): SMTPOutcomeUnknownError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new SMTPOutcomeUnknownError(
    `no reply after the end of the message (${command}): ${why}. The server may or may not have accepted it (RFC 1047); it was not retried`,
    cause,
  );
}

/** The DATA verb: 354, the body, the final reply. Content that DATA cannot carry is refused. */
export async function sendData(channel: ReplyChannel, message: BodyInput, signal?: AbortSignal): Promise<Reply> {
  const body = await prepareBody(message);
  const plan: BodyPlan = { body: '8BITMIME', bdat: false };
  const problem = streamViolation(body.inspector.info, plan, undefined);
  if (problem !== undefined) throw new SMTPMessageError(`the message has ${problem}; DATA cannot carry it`);
  await channel.conn.writeCommand('DATA', { signal });
  const go = await channel.read({ signal });
  if (go.code !== 354) throw new SMTPDataError('DATA', go);
  await writeDataBody({ channel, body, plan, maxSize: undefined, signal });
  const reply = await readFinalReply(channel, 'DATA', signal);
  if (!isPositive(reply)) throw new SMTPDataError('DATA', reply);
  return reply;
}

/** The BDAT verb: one chunk with its line endings normalised. */
export async function sendBdat(channel: ReplyChannel, chunk: string | Uint8Array, last: boolean, signal?: AbortSignal): Promise<Reply> {
  const normalizer = new LineEndingNormalizer();
  const data = Buffer.concat([normalizer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk), normalizer.end()]);
  const line = guard(() => formatBdat(data.length, last));
  channel.conn.trace('c', line);
  await channel.conn.write(Buffer.concat([Buffer.from(`${line}\r\n`), data]), { signal, trace: `<${data.length} bytes>` });
  const reply = last ? await readFinalReply(channel, line, signal) : await channel.read({ signal });
  if (!isPositive(reply)) throw new SMTPDataError(line, reply);
  return reply;
}
