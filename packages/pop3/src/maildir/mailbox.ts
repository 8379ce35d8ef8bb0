/**
 * Serves a Maildir through the POP3 server's {@link Mailbox} interface.
 */
import type { Mailbox, MailboxEntry } from '../server/mailbox.js';
import type { Maildir } from './maildir.js';

/** Messages up to this size are read ahead whole. */
const SMALL = 64 * 1024;
/** How many messages after the one asked for are read ahead (clients RETR in order). */
const AHEAD = 16;

/**
 * A POP3 {@link Mailbox} over one Maildir: uids are Maildir base names. Small messages after
 * the one being read are read ahead in parallel, which makes a pipelined retrieval of many
 * small messages several times faster than one file read after another.
 */
export class MaildirMailbox implements Mailbox {
  /** The Maildir served. */
  readonly maildir: Maildir;
  #entries: MailboxEntry[] = [];
  #index = new Map<string, number>();
  #ahead = new Map<string, Promise<Buffer | undefined>>();

  constructor(maildir: Maildir) {
    this.maildir = maildir;
  }

  /** Messages of `new/` and `cur/` in delivery order. */
  async list(): Promise<MailboxEntry[]> {
    this.#entries = (await this.maildir.list()).map(({ uid, size }) => ({ uid, size }));
    this.#index = new Map(this.#entries.map((e, i) => [e.uid, i]));
    this.#ahead.clear();
    return this.#entries.map((e) => ({ ...e }));
  }

  /** The message bytes as stored. */
  read(uid: string): AsyncIterable<Uint8Array> {
    const early = this.#ahead.get(uid);
    this.#ahead.delete(uid);
    this.#readAhead(uid);
    if (!early) return this.maildir.chunks(uid);
    const maildir = this.maildir;
    return (async function* () {
      const whole = await early;
      if (whole) yield whole;
      else yield* maildir.chunks(uid); // failed ahead of time: read again for the real error
    })();
  }

  /** Removes the messages, then fsyncs the directories once. */
  async delete(uids: string[]): Promise<void> {
    for (const uid of uids) this.#ahead.delete(uid);
    await this.maildir.removeMany(uids);
    if (uids.length > 0) await this.maildir.syncDirectories();
  }

  /** Drops read-ahead buffers. */
  async close(): Promise<void> {
    this.#ahead.clear();
  }

  #readAhead(uid: string): void {
    const at = this.#index.get(uid);
    if (at === undefined) return;
    for (let i = at + 1; i <= at + AHEAD && i < this.#entries.length; i++) {
      const next = this.#entries[i]!;
      if (next.size > SMALL || this.#ahead.has(next.uid)) continue;
      const whole = (async () => {
        const parts: Buffer[] = [];
        for await (const chunk of this.maildir.chunks(next.uid)) parts.push(chunk);
        return Buffer.concat(parts);
      })().catch(() => undefined);
      this.#ahead.set(next.uid, whole);
    }
  }
}
