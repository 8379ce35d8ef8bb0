/**
 * Maildir sink on `@mail/pop3/maildir`: messages go to `tmp/`, one commit fsyncs them all,
 * renames them into `new/` and fsyncs `new/` once (grouped durability). `prepare()` starts
 * the fsyncs early; nothing reaches `new/` before `commit()`.
 */
import { Maildir, uidOf } from '@mail/pop3/maildir';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ioError } from '../errors.js';
import type { Sink, SinkBatch } from './sink.js';
import type { PendingBatch } from './state.js';

/** The Maildir spec: a file in tmp/ untouched for 36 hours is debris of a crashed delivery. */
const TMP_MAX_AGE_MS = 36 * 3600 * 1000;

/** Removes tmp/ files older than 36 hours (https://cr.yp.to/proto/maildir.html). */
async function sweepTmp(root: string): Promise<void> {
  const dir = join(root, 'tmp');
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile() && now - info.mtimeMs > TMP_MAX_AGE_MS) await unlink(path).catch(() => undefined);
  }
}

/** Opens (creating if needed) the Maildir at `dir` as a sink. */
export async function openMaildirSink(dir: string): Promise<Sink> {
  const root = resolve(dir);
  let maildir: Maildir;
  try {
    maildir = await Maildir.open(root, { create: true });
  } catch (e) {
    throw ioError(`cannot open Maildir ${root}: ${(e as Error).message}`, e);
  }
  await sweepTmp(root);
  return {
    description: `Maildir ${root}`,
    verifiable: true,
    begin(): SinkBatch {
      const batch = maildir.batch();
      const entries: Array<{ uid: string; name: string }> = [];
      return {
        add: async (message, uid) => {
          let name: string;
          try {
            name = await batch.add(message);
          } catch (e) {
            throw ioError(`cannot write to Maildir ${root}: ${(e as Error).message}`, e);
          }
          if (uid !== undefined) entries.push({ uid, name });
        },
        prepare: async () => {
          try {
            await batch.sync();
          } catch (e) {
            throw ioError(`cannot commit to Maildir ${root}: ${(e as Error).message}`, e);
          }
        },
        pending: async () => (entries.length > 0 ? { kind: 'maildir', dir: root, entries: [...entries] } : undefined),
        commit: async () => {
          try {
            await batch.commit();
          } catch (e) {
            throw ioError(`cannot commit to Maildir ${root}: ${(e as Error).message}`, e);
          }
        },
        abort: () => batch.abort(),
      };
    },
    async recover(pending: PendingBatch): Promise<string[]> {
      if (pending.kind !== 'maildir') return [];
      const present = new Set<string>();
      for (const folder of ['new', 'cur']) {
        for (const name of await readdir(join(pending.dir, folder)).catch(() => [] as string[])) present.add(uidOf(name));
      }
      // Files of the batch that never reached new/ are left in tmp/: remove them now.
      for (const e of pending.entries) if (!present.has(e.name)) await unlink(join(pending.dir, 'tmp', e.name)).catch(() => undefined);
      return pending.entries.filter((e) => present.has(e.name)).map((e) => e.uid);
    },
    close: async () => undefined,
  };
}
