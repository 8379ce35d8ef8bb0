/**
 * The UIDL state file: which messages of one POP3 mailbox are already stored locally, and
 * the facts of a batch that was being committed when the last run died (so the next run can
 * tell whether that batch reached the disk, for exactly-once delivery).
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ioError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

/** A batch whose commit started but was not recorded as finished. */
export type PendingBatch =
  | { kind: 'maildir'; dir: string; entries: Array<{ uid: string; name: string }> }
  | { kind: 'mbox'; path: string; offset: number; length: number; sha256: string; uids: string[] }
  | { kind: 'mda'; uids: string[] };

interface StateDocument {
  version: 1;
  mailbox: string;
  /** Where the seen messages were stored (`Maildir /path`, `mbox /path`, `MDA cmd`). */
  destination?: string;
  seen: string[];
  pending?: PendingBatch;
}

/** The state of one mailbox, loaded from and saved atomically to one JSON file. */
export class UidState {
  readonly path: string;
  readonly mailbox: string;
  /** The destination the seen messages went to; set on first save. */
  destination: string | undefined;
  readonly seen: Set<string>;
  pending: PendingBatch | undefined;

  private constructor(path: string, mailbox: string, seen: Iterable<string>, pending?: PendingBatch) {
    this.path = path;
    this.mailbox = mailbox;
    this.seen = new Set(seen);
    this.pending = pending;
  }

  /** Loads the state file; a missing file is an empty state. */
  static async load(path: string, mailbox: string): Promise<UidState> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return new UidState(path, mailbox, []);
      throw ioError(`cannot read state file ${path}: ${(e as Error).message}`, e);
    }
    let doc: StateDocument;
    try {
      doc = JSON.parse(text) as StateDocument;
    } catch (e) {
      throw ioError(`state file ${path} is corrupt (not JSON); move it away to fetch everything again`, e);
    }
    if (doc.version !== 1 || !Array.isArray(doc.seen)) throw ioError(`state file ${path} has an unknown format`);
    const state = new UidState(path, doc.mailbox ?? mailbox, doc.seen, doc.pending);
    state.destination = doc.destination;
    return state;
  }

  /** Drops UIDs the server no longer has (deleted), so the file does not grow forever. */
  prune(present: ReadonlySet<string>): number {
    let removed = 0;
    for (const uid of this.seen) {
      if (!present.has(uid)) {
        this.seen.delete(uid);
        removed++;
      }
    }
    return removed;
  }

  /** Writes the state durably (tmp file, fsync, rename, fsync directory). */
  async save(): Promise<void> {
    const doc: StateDocument = { version: 1, mailbox: this.mailbox, seen: [...this.seen] };
    if (this.destination !== undefined) doc.destination = this.destination;
    if (this.pending) doc.pending = this.pending;
    try {
      await writeFileAtomic(this.path, `${JSON.stringify(doc)}\n`);
    } catch (e) {
      throw ioError(`cannot write state file ${this.path}: ${(e as Error).message}`, e);
    }
  }
}

/** A file-name-safe form of a mailbox name like `user@host:110`. */
export function stateFileName(mailbox: string): string {
  return `${mailbox.replace(/[^A-Za-z0-9@._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}.json`;
}

/**
 * The default state file of a mailbox and destination under the XDG state directory: one
 * file per pair, so fetching the same mailbox into a second place starts from scratch there.
 */
export function defaultStatePath(stateDir: string, mailbox: string, destination?: string): string {
  const suffix = destination === undefined ? '' : `-${createHash('sha256').update(destination).digest('hex').slice(0, 12)}`;
  return join(stateDir, 'mailctl', 'uidl', stateFileName(`${mailbox}${suffix}`));
}
