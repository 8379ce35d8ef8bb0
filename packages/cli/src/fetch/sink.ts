/**
 * Where fetched messages go. A sink stores messages in batches: `add()` each message,
 * `pending()` describes the batch before `commit()` so a later run can tell whether the
 * commit reached the disk, `commit()` makes the whole batch durable at once.
 */
import type { PendingBatch } from './state.js';

/** One batch of messages being stored. */
export interface SinkBatch {
  /** Stages a message (not yet durable). `uid` is its POP3 UIDL, when known. */
  add(message: Buffer, uid: string | undefined): Promise<void>;
  /** What to record in the state file before commit; undefined if nothing is staged. */
  pending(): Promise<PendingBatch | undefined>;
  /**
   * Optional: starts the slow part of {@link commit} (fsyncing the staged data) without
   * making anything visible, so it overlaps the state write that must precede the commit.
   * `commit()` still waits for it, and does the whole work itself when this is absent.
   */
  prepare?(): Promise<void>;
  /** Makes every staged message durable (grouped fsync). */
  commit(): Promise<void>;
  /** Drops staged messages (best effort). */
  abort(): Promise<void>;
}

/** A destination for fetched mail. */
export interface Sink {
  /** For messages: `Maildir ~/Mail`, `mbox ~/mbox`, `MDA procmail`. */
  readonly description: string;
  /** Whether a commit can be verified after a crash (Maildir, mbox: exactly once; MDA: no). */
  readonly verifiable: boolean;
  begin(): SinkBatch;
  /**
   * Given the pending batch of a run that died, returns the UIDs that did reach the disk.
   * Undoes a torn write where that is safe (a partial mbox append).
   */
  recover(pending: PendingBatch): Promise<string[]>;
  close(): Promise<void>;
}
