/**
 * Fetching many messages (RFC 2449 §6.6 PIPELINING): a window of RETR (and DELE) commands
 * in flight, written together, replies read in order. One at a time without PIPELINING.
 */
import { MailError } from '@mail/transport';
import type { Core } from './core.js';
import { FetchIterator, type Wanted } from './fetch-iterator.js';
import { listAll } from './listings.js';
import type { CallOptions } from './options.js';
import { parseListLine, parseUidlLine, type ListEntry } from './protocol/index.js';
import { checkMsg } from './retrieve.js';

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
export function retrMany(core: Core, msgs: readonly number[], options: RetrManyOptions): AsyncIterableIterator<FetchedMessage> {
  const wanted = msgs.map((msg) => ({ msg: checkMsg(msg) }));
  if (options.delete === true && new Set(msgs).size !== msgs.length) {
    throw new MailError('MAIL_INVALID_ARGUMENT', 'retrMany with delete: a message number is listed twice');
  }
  return fetchAll(core, wanted, options);
}

function fetchAll(core: Core, wanted: readonly Wanted[], options: RetrManyOptions): AsyncIterableIterator<FetchedMessage> {
  return new FetchIterator(core, wanted, options);
}
