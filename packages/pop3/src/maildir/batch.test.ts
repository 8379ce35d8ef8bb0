import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Maildir } from './maildir.js';
import { nodeIO, type MaildirFile, type MaildirIO } from './io.js';
import { uniqueName } from './name.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maildir-batch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * The real file system, logging `fsync NAME`, `rename NAME`, `reopen NAME` and `fsync new/`
 * in order (NAME = the file's base name), including fsyncs through descriptors kept open by
 * writeNew.
 */
function logged(log: string[]): MaildirIO {
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  const watch = (file: MaildirFile, label: string): MaildirFile => ({
    write: (d) => file.write(d),
    sync: async () => {
      await file.sync();
      log.push(`fsync ${label}`);
    },
    close: () => file.close(),
  });
  return {
    ...nodeIO,
    writeNew: async (p, d, keepOpen) => {
      const file = await nodeIO.writeNew!(p, d, keepOpen);
      return file ? watch(file, base(p)) : undefined;
    },
    openForSync: async (p) => {
      const isDir = p.endsWith('/new');
      if (!isDir) log.push(`reopen ${base(p)}`);
      return watch(await nodeIO.openForSync(p), isDir ? 'new/' : base(p));
    },
    rename: async (a, b) => {
      await nodeIO.rename(a, b);
      log.push(`rename ${base(a)}`);
    },
  };
}

describe('MaildirBatch with descriptors kept open from write to fsync', () => {
  it('fsyncs each file through its open descriptor (no second open), all before any rename, new/ last', async () => {
    const log: string[] = [];
    const md = await Maildir.open(dir, { create: true, io: logged(log) });
    const batch = md.batch();
    const added = [await batch.add('one'), await batch.add('two'), await batch.add('three')];
    const names = await batch.commit();
    expect(names).toEqual(added);
    expect(log.filter((l) => l.startsWith('reopen'))).toEqual([]);
    expect(log.filter((l) => l.startsWith('fsync ') && l !== 'fsync new/').sort()).toEqual(added.map((n) => `fsync ${n}`).sort());
    const lastFsync = Math.max(...added.map((n) => log.indexOf(`fsync ${n}`)));
    expect(lastFsync).toBeLessThan(Math.min(...added.map((n) => log.indexOf(`rename ${n}`))));
    expect(log.at(-1)).toBe('fsync new/');
    expect((await md.list()).map((e) => e.uid)).toEqual(added);
    expect(await readFile(join(dir, 'new', added[1]!), 'utf8')).toBe('two');
  });

  it('sync() fsyncs without delivering; a file added after it is still fsynced before commit renames it', async () => {
    const log: string[] = [];
    const md = await Maildir.open(dir, { create: true, io: logged(log) });
    const batch = md.batch();
    const first = await batch.add('early');
    const syncing = batch.sync();
    const late = await batch.add('late');
    await syncing;
    expect(log).toContain(`fsync ${first}`);
    expect(await md.list()).toEqual([]);
    expect((await readdir(join(dir, 'tmp'))).sort()).toEqual([first, late].sort());
    await batch.commit();
    expect(log.indexOf(`fsync ${late}`)).toBeGreaterThan(-1);
    expect(log.indexOf(`fsync ${late}`)).toBeLessThan(log.indexOf(`rename ${late}`));
    // The early file is not fsynced twice.
    expect(log.filter((l) => l === `fsync ${first}`)).toHaveLength(1);
    expect((await md.list()).map((e) => e.uid)).toEqual([first, late]);
  });

  it('abort while an early sync() runs closes the descriptors and leaves nothing behind', async () => {
    const md = await Maildir.open(dir, { create: true });
    const batch = md.batch();
    for (let i = 0; i < 20; i++) await batch.add(`m${i}`);
    const syncing = batch.sync();
    await batch.abort();
    await syncing.catch(() => undefined);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await md.list()).toEqual([]);
  });

  it('beyond 256 open descriptors, files are closed after writing and reopened for their fsync', async () => {
    const log: string[] = [];
    const md = await Maildir.open(dir, { create: true, io: logged(log) });
    const batch = md.batch();
    for (let i = 0; i < 300; i++) await batch.add(`message ${i}`);
    const names = await batch.commit();
    expect(log.filter((l) => l.startsWith('reopen'))).toHaveLength(44);
    expect(log.filter((l) => l.startsWith('fsync ') && l !== 'fsync new/')).toHaveLength(300);
    expect(await readdir(join(dir, 'new'))).toHaveLength(300);
    expect(new Set(names).size).toBe(300);
  });

  it('a failed fsync rejects the commit; the retry reopens the file and delivers each message once', async () => {
    let failures = 1;
    const io: MaildirIO = {
      ...nodeIO,
      writeNew: async (p, d, keepOpen) => {
        const file = await nodeIO.writeNew!(p, d, keepOpen);
        if (!file) return undefined;
        return {
          ...file,
          sync: async () => {
            if (failures-- > 0) throw Object.assign(new Error('EIO'), { code: 'EIO' });
            await file.sync();
          },
        };
      },
    };
    const md = await Maildir.open(dir, { create: true, io });
    const batch = md.batch();
    await batch.add('a');
    await batch.add('b');
    await expect(batch.commit()).rejects.toThrow('EIO');
    expect(await md.list()).toEqual([]);
    const names = await batch.commit();
    expect((await md.list()).map((e) => e.uid)).toEqual(names);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });
});

describe('uniqueName', () => {
  it('stays unique and well-formed over many names (cached host and pid, pooled randomness)', () => {
    const names = Array.from({ length: 5000 }, () => uniqueName());
    expect(new Set(names).size).toBe(names.length);
    for (const n of names.slice(0, 300)) expect(n).toMatch(new RegExp(`^\\d+\\.M\\d+P${process.pid}Q\\d+R[0-9a-f]{8}\\.[^/:]+$`));
    const randoms = new Set(names.map((n) => /R([0-9a-f]{8})\./.exec(n)![1]));
    expect(randoms.size).toBeGreaterThan(4900);
  });
});
