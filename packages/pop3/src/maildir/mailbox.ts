/**
 * Serves a Maildir through the POP3 server's {@link Mailbox} interface.
 */
import type { Mailbox, MailboxEntry } from '../server/mailbox.js';
import type { Maildir } from './maildir.js';

/** A POP3 {@link Mailbox} over one Maildir: uids are Maildir base names. */
export class MaildirMailbox implements Mailbox {
  /** The Maildir served. */
  readonly maildir: Maildir;

  constructor(maildir: Maildir) {
    this.maildir = maildir;
  }

  /** Messages of `new/` and `cur/` in delivery order. */
  async list(): Promise<MailboxEntry[]> {
    return (await this.maildir.list()).map(({ uid, size }) => ({ uid, size }));
  }

  /** The message bytes as stored. */
  read(uid: string): AsyncIterable<Uint8Array> {
    return this.maildir.chunks(uid);
  }

  /** Removes the messages, then fsyncs the directories once. */
  async delete(uids: string[]): Promise<void> {
    await this.maildir.removeMany(uids);
    if (uids.length > 0) await this.maildir.syncDirectories();
  }
}
