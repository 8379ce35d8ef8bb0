/**
 * Fetching many messages (RFC 2449 §6.6 PIPELINING): a window of RETR (and DELE) commands
 * in flight, written together, replies read in order. One at a time without PIPELINING.
 */
import { MailError } from '@mail/transport';
import type { Core } from './core.js';
import { POP3ReplyError } from './errors.js';
import { listAll } from './listings.js';
import { DEFAULT_PIPELINE_WINDOW, type CallOptions } from './options.js';
import { parseListLine, parseStatusLine, parseUidlLine, type ListEntry } from './protocol/index.js';
import { checkMsg, readBody, readBodyNow } from './retrieve.js';

/** One fetched message. */
export interface FetchedMessage {
  /** Message number in this session. */
  readonly msg: number;
  /** Size from LIST (the server's count, which may differ from `data.length`), when known. */
  readonly size?: number;
  /** Unique id from UIDL, when asked for. */
  readonly uid?: string;
  /** The message octets as the server stores them (see `retr`). */
  readonly data: Buffer;
}

/** Options of `retrMany`. */
export interface RetrManyOptions extends CallOptions {
  /**
   * Mark each message deleted once the consumer asks for the next one (so a message is
   * never marked before the loop body that stored it finished; the last one when the loop
   * completes). Deletions are final only when QUIT succeeds.
   */
  delete?: boolean;
  /**
   * Most RETR commands in flight (PIPELINING only). Default 256, at most 1024. Stopping the
   * iteration early still reads (and discards) the replies in flight, so a large window makes
   * an early exit cost more.
   */
  window?: number;
}

/** Options of `messages`. */
export interface MessagesOptions extends RetrManyOptions {
  /** First message number (inclusive). Default 1. */
  from?: number;
  /** Last message number (inclusive). Default the last. */
  to?: number;
  /** Ask UIDL first and report each message's `uid`. */
  uids?: boolean;
  /** Fetch only the entries for which this returns true (e.g. skip known UIDs). */
  select?: (entry: { msg: number; size: number; uid?: string }) => boolean;
}

/** Upper bound of `window`. */
const MAX_PIPELINE_WINDOW = 1024;

interface Wanted {
  msg: number;
  size?: number;
  uid?: string;
}

interface Expected {
  kind: 'RETR' | 'DELE';
  item: Wanted;
}

/** `messages`: LIST (and UIDL), filter, then fetch in order. */
export async function* messages(core: Core, options: MessagesOptions): AsyncGenerator<FetchedMessage> {
  const { from = 1, to = Number.MAX_SAFE_INTEGER, select } = options;
  const list: ListEntry[] = await listAll(core, 'LIST', parseListLine, options);
  let uids: Map<number, string> | undefined;
  if (options.uids === true) {
    uids = new Map((await listAll(core, 'UIDL', parseUidlLine, options)).map((e) => [e.msg, e.uid]));
  }
  const wanted: Wanted[] = [];
  for (const { msg, size } of list) {
    if (msg < from || msg > to) continue;
    const uid = uids?.get(msg);
    const entry = uid === undefined ? { msg, size } : { msg, size, uid };
    if (select === undefined || select(entry)) wanted.push(entry);
  }
  yield* fetchAll(core, wanted, options);
}

/** `retrMany`: fetch the given message numbers in order. */
export function retrMany(core: Core, msgs: readonly number[], options: RetrManyOptions): AsyncGenerator<FetchedMessage> {
  const wanted = msgs.map((msg) => ({ msg: checkMsg(msg) }));
  if (options.delete === true && new Set(msgs).size !== msgs.length) {
    throw new MailError('MAIL_INVALID_ARGUMENT', 'retrMany with delete: a message number is listed twice');
  }
  return fetchAll(core, wanted, options);
}

function result(item: Wanted, data: Buffer): FetchedMessage {
  return { ...item, data };
}

async function* fetchAll(core: Core, wanted: readonly Wanted[], options: RetrManyOptions): AsyncGenerator<FetchedMessage> {
  const { signal } = options;
  if (wanted.length === 0) return;
  const release = await core.queue.acquire(signal);
  const expected: Expected[] = [];
  // Consumed messages whose DELE is not written yet (see RetrManyOptions.delete).
  const deletes: Wanted[] = [];
  let pipelined = false;
  try {
    core.assertReady();
    pipelined = core.capabilities?.pipelining === true;
    // Capped so a window's commands (~12 octets each) always fit in the socket buffers: a write
    // that waits for the server to read while the server waits for us to read would deadlock.
    const window = pipelined ? Math.min(MAX_PIPELINE_WINDOW, Math.max(1, Math.floor(options.window ?? DEFAULT_PIPELINE_WINDOW))) : 1;
    // Refill when half the window is used up: fewer, larger writes.
    const refillAt = Math.floor(window / 2);
    let next = 0;
    let retrInFlight = 0;
    for (;;) {
      const lines: string[] = [];
      if (retrInFlight <= refillAt) {
        // DELEs wait for the next refill (or the end), so they share its write.
        for (const item of deletes) {
          lines.push(`DELE ${item.msg}`);
          expected.push({ kind: 'DELE', item });
        }
        deletes.length = 0;
        while (next < wanted.length && retrInFlight < window) {
          const item = wanted[next++]!;
          lines.push(`RETR ${item.msg}`);
          expected.push({ kind: 'RETR', item });
          retrInFlight++;
        }
      }
      if (pipelined) {
        if (lines.length > 0) await core.conn.writeCommands(lines, { signal });
      } else {
        // One command at a time: DELE n is answered before RETR n+1 is sent.
        for (const line of lines) {
          await core.conn.writeCommand(line, { signal });
          if (line.startsWith('DELE')) await readDele(core, expected.shift()!, signal);
        }
      }
      const head = expected.shift();
      if (head === undefined) return;
      if (head.kind === 'DELE') {
        await readDele(core, head, signal);
        continue;
      }
      retrInFlight--;
      // Pipelined replies arrive several per network read: take a buffered one synchronously
      // (an aborted signal takes the awaited path, which reports it).
      const now = signal?.aborted !== true;
      const line = now ? core.conn.readLineNow() : undefined;
      const reply = line === undefined ? await core.readStatus(signal) : core.unwrap(parseStatusLine(line));
      if (!reply.ok) throw new POP3ReplyError(`RETR ${head.item.msg}`, reply);
      const data = (now ? readBodyNow(core) : undefined) ?? (await readBody(core, signal));
      yield result(head.item, data);
      if (options.delete === true) deletes.push(head.item);
    }
  } finally {
    try {
      await drain(core, expected, signal);
      await flushDeletes(core, deletes, pipelined, signal);
    } finally {
      release();
    }
  }
}

/** After an early exit: marks the messages the consumer already finished with. */
async function flushDeletes(core: Core, deletes: Wanted[], pipelined: boolean, signal: AbortSignal | undefined): Promise<void> {
  if (deletes.length === 0 || core.conn.closed) return;
  const pending = deletes.map((item): Expected => ({ kind: 'DELE', item }));
  if (pipelined) {
    await core.conn.writeCommands(pending.map((e) => `DELE ${e.item.msg}`), { signal });
    for (const e of pending) await readDele(core, e, signal);
  } else {
    for (const e of pending) {
      await core.conn.writeCommand(`DELE ${e.item.msg}`, { signal });
      await readDele(core, e, signal);
    }
  }
}

async function readDele(core: Core, head: Expected, signal: AbortSignal | undefined): Promise<void> {
  const reply = await core.readStatus(signal);
  if (!reply.ok) throw new POP3ReplyError(`DELE ${head.item.msg}`, reply);
}

/**
 * Reads the replies still in flight after an early exit, so the session stays in sync and
 * QUIT can still commit earlier deletions. Fetched bodies are discarded.
 */
async function drain(core: Core, expected: Expected[], signal: AbortSignal | undefined): Promise<void> {
  if (expected.length === 0 || core.conn.closed) return;
  try {
    while (expected.length > 0) {
      const head = expected.shift()!;
      const reply = await core.readStatus(signal);
      if (head.kind === 'RETR' && reply.ok) {
        for await (const _chunk of core.conn.readDotBody({ signal, phase: 'data' })) {
          // discarded
        }
      }
    }
  } catch (error) {
    // Cannot resynchronise: the connection goes (deletions not committed, nothing lost).
    core.fail(MailError.is(error) ? error : new MailError('MAIL_PROTOCOL', 'POP3 pipeline drain failed', { cause: error }));
  }
}
