/**
 * mbox sink: mboxrd entries appended under a dot-lock, one write and one fsync per batch.
 * The state file records the offset, length and SHA-256 of the append before it starts, so
 * a later run can tell a complete append from a torn one (and truncate the torn tail).
 */
import { createHash } from 'node:crypto';
import { open, stat, truncate, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ioError } from '../errors.js';
import { acquireLock, type Lock } from './lock.js';
import { encodeMboxrd } from './mbox.js';
import type { Sink, SinkBatch } from './sink.js';
import type { PendingBatch } from './state.js';

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return 0;
    throw e;
  }
}

/** Locks and opens the mbox at `file` as a sink; `close()` releases the lock. */
export async function openMboxSink(file: string, lockWaitMs?: number): Promise<Sink> {
  const path = resolve(file);
  let lock: Lock;
  try {
    lock = await acquireLock(path, lockWaitMs);
  } catch (e) {
    if ((e as { exitCode?: number }).exitCode !== undefined) throw e;
    throw ioError(`cannot lock mbox ${path}: ${(e as Error).message}`, e);
  }
  return {
    description: `mbox ${path}`,
    verifiable: true,
    begin(): SinkBatch {
      const parts: Buffer[] = [];
      const uids: string[] = [];
      let chunk: Buffer | undefined;
      return {
        add: async (message, uid) => {
          parts.push(encodeMboxrd(message));
          if (uid !== undefined) uids.push(uid);
          chunk = undefined;
        },
        pending: async () => {
          if (parts.length === 0) return undefined;
          chunk = Buffer.concat(parts);
          // We hold the lock, so the size now is where the append will start.
          const offset = await sizeOf(path);
          return { kind: 'mbox', path, offset, length: chunk.length, sha256: createHash('sha256').update(chunk).digest('hex'), uids: [...uids] };
        },
        commit: async () => {
          if (parts.length === 0) return;
          chunk ??= Buffer.concat(parts);
          try {
            const handle = await open(path, 'a', 0o600);
            try {
              await handle.writeFile(chunk);
              await handle.sync();
            } finally {
              await handle.close();
            }
          } catch (e) {
            throw ioError(`cannot append to mbox ${path}: ${(e as Error).message}`, e);
          }
          parts.length = 0;
          chunk = undefined;
        },
        abort: async () => {
          parts.length = 0;
        },
      };
    },
    async recover(pending: PendingBatch): Promise<string[]> {
      if (pending.kind !== 'mbox' || pending.path !== path) return [];
      const size = await sizeOf(path);
      if (size === pending.offset) return [];
      if (size > pending.offset && size < pending.offset + pending.length) {
        // A torn append: only our batch can have written past the offset while we held the lock.
        await truncate(path, pending.offset);
        return [];
      }
      if (size >= pending.offset + pending.length) {
        const data = await readFile(path);
        const written = data.subarray(pending.offset, pending.offset + pending.length);
        if (createHash('sha256').update(written).digest('hex') === pending.sha256) return pending.uids;
      }
      return [];
    },
    close: () => lock.release(),
  };
}
