/**
 * The fetch loop (SECURITY.md promise 6). Per window of messages:
 *   1. RETR the window (pipelined) and stage each message in the sink;
 *   2. record the staged batch as `pending` in the state file (atomic write);
 *   3. commit the batch (one grouped fsync; the fsyncs may start during step 2);
 *   4. record the UIDs as seen, clear `pending` (atomic write);
 *   5. DELE the window (pipelined), if deleting.
 * QUIT comes last; only its +OK makes deletions happen (RFC 1939 §6). Killed anywhere, every
 * message is on the server or on disk; with UIDL state, the next run recovers the pending
 * batch and neither loses nor duplicates a message.
 */
import { CliError } from '../errors.js';
import { EX } from '../exit-codes.js';
import type { Sink, SinkBatch } from './sink.js';
import type { UidState } from './state.js';

/** The POP3 operations the fetch loop needs (an adapter over `@mail/pop3`). */
export interface FetchSession {
  /** LIST: message numbers and sizes. */
  list(): Promise<Array<{ n: number; size: number }>>;
  /** UIDL, or undefined when the server does not support it. */
  uidl(): Promise<Array<{ n: number; uid: string }> | undefined>;
  /** RETR the messages (pipelined), yielding them in the order asked. */
  retrieve(ns: number[]): AsyncIterable<{ n: number; message: Buffer }>;
  /** DELE the messages (pipelined). */
  dele(ns: number[]): Promise<void>;
  /** QUIT: the server applies deletions when it answers +OK. */
  quit(): Promise<void>;
}

/** What to fetch and what to do with it. */
export interface FetchPlan {
  delete: boolean;
  onlyNew: boolean;
  maxSize?: number;
  oversize: 'skip' | 'delete';
  /** Messages per durable batch. */
  batchSize: number;
  /** Bytes per durable batch (a window closes at whichever limit comes first). */
  batchBytes: number;
}

/** The outcome of one message. */
export interface MessageOutcome {
  n: number;
  uid: string | undefined;
  size: number;
  action: 'stored' | 'stored-deleted' | 'skipped-seen' | 'deleted-seen' | 'skipped-oversize' | 'deleted-oversize';
}

/** What a fetch did. */
export interface FetchReport {
  total: number;
  stored: number;
  deleted: number;
  skipped: number;
  bytes: number;
  recovered: number;
  messages: MessageOutcome[];
}

/** Progress callbacks (progress bar or log lines). */
export interface FetchProgress {
  start(count: number, bytes: number): void;
  message(outcome: MessageOutcome): void;
  batch(stored: number, total: number): void;
}

/** Splits the candidates into windows by count and bytes. */
export function windows<T extends { size: number }>(items: T[], maxCount: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxCount || bytes + item.size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Runs one fetch session to completion (QUIT included). */
export async function runFetch(
  session: FetchSession,
  sink: Sink,
  state: UidState | undefined,
  plan: FetchPlan,
  progress?: FetchProgress,
): Promise<FetchReport> {
  const listing = await session.list();
  const uidList = state || plan.onlyNew ? await session.uidl() : undefined;
  if (plan.onlyNew && uidList === undefined) {
    throw new CliError(EX.UNAVAILABLE, '--only-new needs UIDL, which this server does not support');
  }
  const uidOf = new Map((uidList ?? []).map((e) => [e.n, e.uid]));
  const tracked = state !== undefined && uidList !== undefined ? state : undefined;

  const report: FetchReport = { total: listing.length, stored: 0, deleted: 0, skipped: 0, bytes: 0, recovered: 0, messages: [] };
  if (tracked) {
    if (tracked.pending) {
      const reached = await sink.recover(tracked.pending);
      for (const uid of reached) tracked.seen.add(uid);
      report.recovered = reached.length;
      tracked.pending = undefined;
    }
    tracked.prune(new Set(uidOf.values()));
    await tracked.save();
  }

  const toFetch: Array<{ n: number; size: number; uid: string | undefined }> = [];
  const deleteNow: MessageOutcome[] = [];
  for (const { n, size } of listing) {
    const uid = uidOf.get(n);
    const seen = uid !== undefined && tracked?.seen.has(uid) === true;
    if (seen && plan.delete) {
      // Already stored durably by an earlier run that died before QUIT: delete, do not refetch.
      deleteNow.push({ n, uid, size, action: 'deleted-seen' });
    } else if (seen && plan.onlyNew) {
      report.messages.push({ n, uid, size, action: 'skipped-seen' });
    } else if (plan.maxSize !== undefined && size > plan.maxSize) {
      if (plan.oversize === 'delete') deleteNow.push({ n, uid, size, action: 'deleted-oversize' });
      else report.messages.push({ n, uid, size, action: 'skipped-oversize' });
    } else {
      toFetch.push({ n, size, uid });
    }
  }
  report.skipped = report.messages.length;
  progress?.start(toFetch.length, toFetch.reduce((s, m) => s + m.size, 0));

  if (deleteNow.length > 0) {
    await session.dele(deleteNow.map((m) => m.n));
    report.deleted += deleteNow.length;
    report.messages.push(...deleteNow);
  }

  // Pipeline: while batch N is made durable (fsyncs, renames, new/ fsync: disk work in the
  // background), batch N+1 is retrieved (connection work). Commits stay strictly in order, so
  // the state file has at most one pending batch, and one atomic state write per batch records
  // both the previous batch as seen and this batch as pending. DELE of a batch is sent only
  // after its files are durable in new/ and that write recorded its UIDs (promise 6).
  let inflight: { window: typeof toFetch; done: Promise<void> } | undefined;
  const commitBatch = async (batch: SinkBatch): Promise<void> => {
    try {
      await batch.commit();
    } catch (error) {
      await batch.abort().catch(() => undefined);
      throw error;
    }
  };
  /** Deletes (when asked) and reports a window that is durable and recorded. */
  const acknowledge = async (window: typeof toFetch): Promise<void> => {
    if (plan.delete) {
      await session.dele(window.map((m) => m.n));
      report.deleted += window.length;
    }
    for (const m of window) {
      const outcome: MessageOutcome = { n: m.n, uid: m.uid, size: m.size, action: plan.delete ? 'stored-deleted' : 'stored' };
      report.messages.push(outcome);
      progress?.message(outcome);
    }
    report.stored += window.length;
    progress?.batch(report.stored, toFetch.length);
  };
  /** Records `seen` (and the next pending batch, if any) in one atomic state write. */
  const record = async (seen: typeof toFetch | undefined, pending: SinkBatch | undefined): Promise<void> => {
    if (!tracked) return;
    for (const m of seen ?? []) if (m.uid !== undefined) tracked.seen.add(m.uid);
    tracked.pending = pending === undefined ? undefined : await pending.pending();
    if (seen !== undefined || tracked.pending !== undefined) await tracked.save();
  };

  for (const window of windows(toFetch, plan.batchSize, plan.batchBytes)) {
    const batch = sink.begin();
    let previous: typeof toFetch | undefined;
    try {
      let i = 0;
      for await (const { n, message } of session.retrieve(window.map((m) => m.n))) {
        const expected = window[i++];
        if (expected?.n !== n) throw new CliError(EX.PROTOCOL, `retrieval out of order: got ${n}, expected ${expected?.n ?? 'none'}`);
        await batch.add(message, expected.uid);
        report.bytes += message.length;
      }
      if (i !== window.length) throw new CliError(EX.PROTOCOL, `retrieval ended after ${i} of ${window.length} messages`);
      // The staged data can go to disk now, while the previous commit finishes and the state
      // write below records this batch as pending; only commit() makes it visible.
      batch.prepare?.().catch(() => undefined);
      // The previous batch's commit must have finished: its files are durable in new/.
      await inflight?.done;
      previous = inflight?.window;
      inflight = undefined;
      await record(previous, batch);
    } catch (error) {
      await batch.abort().catch(() => undefined);
      // A commit may still be running: let it finish (or fail) first, so the state file is
      // left as that commit leaves it.
      await inflight?.done.catch(() => undefined);
      throw error;
    }
    const done = commitBatch(batch);
    // Keep a failure from being reported as unhandled before it is awaited.
    done.catch(() => undefined);
    inflight = { window, done };
    if (previous !== undefined) {
      try {
        await acknowledge(previous);
      } catch (error) {
        await done.catch(() => undefined);
        throw error;
      }
    }
  }
  if (inflight !== undefined) {
    await inflight.done;
    await record(inflight.window, undefined);
    await acknowledge(inflight.window);
  }

  await session.quit();
  report.messages.sort((a, b) => a.n - b.n);
  return report;
}
