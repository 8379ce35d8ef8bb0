/**
 * The storage interface the POP3 server serves from. Implement it over anything
 * (a Maildir, a database, an array in a test); the server never touches files itself.
 */

/** One message of a maildrop: a stable unique id (RFC 1939 §7 UIDL) and its size in octets. */
export interface MailboxEntry {
  /** Stable across sessions, 1-70 printable ASCII characters 0x21-0x7E (RFC 1939 §7). */
  uid: string;
  /** Exact size in octets as RETR would send it before dot-stuffing (RFC 1939 §5 LIST). */
  size: number;
}

/**
 * A user's maildrop, opened for one POP3 session. The server calls `list()` once, when the
 * session enters the TRANSACTION state, and `delete()` once, in the UPDATE state after QUIT
 * (RFC 1939 §6), with every message marked deleted.
 */
export interface Mailbox {
  /** The messages, in the order they get message numbers 1..n. */
  list(): Promise<MailboxEntry[]>;
  /** The message bytes with CRLF line ends; the server dot-stuffs on the way out. */
  read(uid: string): AsyncIterable<Uint8Array>;
  /** Removes messages; called only in the UPDATE state. */
  delete(uids: string[]): Promise<void>;
  /** Releases the mailbox (called when the session ends, also after errors). */
  close?(): Promise<void>;
}
