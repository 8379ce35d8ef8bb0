/**
 * Durable file replacement: write a temporary file in the same directory, fsync it, rename
 * it over the target, fsync the directory. A crash leaves either the old or the new file,
 * never a torn one.
 *
 * The state file is small and written once per fetch batch, on the fetch loop's critical
 * path, at a point where the loop has nothing else to do but wait for it. So it is written
 * with blocking calls, the two fsyncs included: through the libuv threadpool (4 threads) its
 * fsyncs queued behind the batch's own message fsyncs and the write took 10-40 ms instead of
 * the few ms of two journal commits; through `fs/promises` it also took nine thread
 * hand-offs.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Fsyncs a directory so that a rename or create in it survives a crash. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // best effort: the original error is what matters
  }
}

/** Atomically replaces `path` with `data` (mode 0600: state files name mailboxes). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o600);
  } catch (error) {
    // The directory is created on first use only (no mkdir per write).
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    fd = openSync(tmp, 'wx', 0o600);
  }
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    removeQuietly(tmp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (error) {
    removeQuietly(tmp);
    throw error;
  }
  fsyncDir(dir);
}
