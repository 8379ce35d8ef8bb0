/**
 * Where the dev server puts a message: the Maildir of the recipient's local part when that is
 * a configured user, otherwise the catch-all box.
 */
import { join } from 'node:path';
import { Maildir } from '@mail/pop3/maildir';

/** The box that collects mail for unknown recipients. */
export const CATCHALL = 'catchall';

/** Mailbox names must be safe directory names. */
const SAFE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The box name for a recipient address. */
export function boxFor(address: string, users: ReadonlySet<string>): string {
  const at = address.lastIndexOf('@');
  const local = (at === -1 ? address : address.slice(0, at)).toLowerCase();
  return SAFE.test(local) && users.has(local) ? local : CATCHALL;
}

/** Opens Maildirs under `root/<box>` on demand (created on first use), one instance per box. */
export class MailStore {
  readonly #root: string;
  readonly #open = new Map<string, Promise<Maildir>>();

  constructor(root: string) {
    this.#root = root;
  }

  /** The Maildir directory of `box`. */
  path(box: string): string {
    if (!SAFE.test(box)) throw new Error(`Invalid mailbox name: ${JSON.stringify(box)}`);
    return join(this.#root, box);
  }

  /** The Maildir of `box`, created when missing. */
  maildir(box: string): Promise<Maildir> {
    let md = this.#open.get(box);
    if (!md) {
      md = Maildir.open(this.path(box), { create: true });
      this.#open.set(box, md);
      md.catch(() => this.#open.delete(box));
    }
    return md;
  }

  /**
   * Stores one message in every box in `boxes`: streamed durably into the first, then copied
   * from there. Resolves when every copy is durable; returns the uids per box.
   */
  async deliver(message: AsyncIterable<Uint8Array>, boxes: readonly string[]): Promise<Map<string, string>> {
    const uids = new Map<string, string>();
    const [first, ...rest] = [...new Set(boxes)];
    if (first === undefined) return uids;
    const firstDir = await this.maildir(first);
    const uid = await firstDir.deliver(message);
    uids.set(first, uid);
    for (const box of rest) uids.set(box, await (await this.maildir(box)).deliver(firstDir.read(uid)));
    return uids;
  }
}
