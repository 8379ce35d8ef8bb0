import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Maildir, MaildirMailbox, type MaildirIO } from '@mail/pop3/maildir';
import { nodeIO } from '../../src/maildir/io.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maildir-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

/** Records every file operation, in order, with paths relative to the Maildir. */
function recorder(log: string[]): MaildirIO {
  const rel = (p: string) => p.slice(dir.length + 1);
  return {
    ...nodeIO,
    create: async (p) => {
      const file = await nodeIO.create(p);
      log.push(`create ${rel(p).split('/')[0]}`);
      return {
        write: (d) => (log.push('write'), file.write(d)),
        sync: () => (log.push(`fsync ${rel(p).split('/')[0]}-file`), file.sync()),
        close: () => file.close(),
      };
    },
    writeNew: async (p, d) => {
      log.push(`create ${rel(p).split('/')[0]}`, 'write');
      await nodeIO.writeNew!(p, d);
    },
    openForSync: async (p) => {
      const file = await nodeIO.openForSync(p);
      const name = rel(p);
      return { ...file, sync: () => (log.push(name.includes('/') ? `fsync ${name.split('/')[0]}-file` : `fsync ${name}/`), file.sync()), close: () => file.close() };
    },
    rename: (a, b) => (log.push(`rename ${rel(a).split('/')[0]}->${rel(b).split('/')[0]}`), nodeIO.rename(a, b)),
  };
}

describe('Maildir', () => {
  it('refuses a missing Maildir unless create is set', async () => {
    await expect(Maildir.open(join(dir, 'box'))).rejects.toThrow();
    const md = await Maildir.open(join(dir, 'box'), { create: true });
    expect((await readdir(md.dir)).sort()).toEqual(['cur', 'new', 'tmp']);
  });

  it('delivers durably: write in tmp, fsync file, rename into new, fsync new/', async () => {
    const log: string[] = [];
    const md = await Maildir.open(dir, { create: true, io: recorder(log) });
    const uid = await md.deliver(Buffer.from('Subject: a\r\n\r\nbody\r\n'));
    expect(log).toEqual(['create tmp', 'write', 'fsync tmp-file', 'rename tmp->new', 'fsync new/']);
    expect(await readdir(join(dir, 'new'))).toEqual([uid]);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await readFile(join(dir, 'new', uid), 'utf8')).toBe('Subject: a\r\n\r\nbody\r\n');
  });

  it('writeNew writes bytes exclusively with mode 0600 and never overwrites', async () => {
    const path = join(dir, 'f');
    await nodeIO.writeNew!(path, Buffer.from('first'));
    expect(await readFile(path, 'utf8')).toBe('first');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await expect(nodeIO.writeNew!(path, Buffer.from('second'))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('first');
  });

  it('names follow time.unique.host and are unique', async () => {
    const md = await Maildir.open(dir, { create: true });
    const uids = await Promise.all(Array.from({ length: 50 }, (_, i) => md.deliver(`m${i}`)));
    expect(new Set(uids).size).toBe(50);
    for (const uid of uids) expect(uid).toMatch(new RegExp(`^\\d+\\.M\\d+P${process.pid}Q\\d+R[0-9a-f]{8}\\.[^/:]+$`));
  });

  it('delivers a stream and lists in delivery order with sizes', async () => {
    const md = await Maildir.open(dir, { create: true });
    async function* gen() {
      yield Buffer.from('part1 ');
      yield Buffer.from('part2');
    }
    const a = await md.deliver(gen());
    const b = await md.deliver('second');
    const c = await md.deliver(new Uint8Array([0x41, 0x42]));
    const list = await md.list();
    expect(list.map((e) => e.uid)).toEqual([a, b, c]);
    expect(list.map((e) => e.size)).toEqual([11, 6, 2]);
    expect(await text(md.read(a))).toBe('part1 part2');
  });

  it('batch commit: files wait in tmp until commit, then one fsync of new/', async () => {
    const log: string[] = [];
    const md = await Maildir.open(dir, { create: true, io: recorder(log) });
    const batch = md.batch();
    await batch.add('one');
    await batch.add('two');
    await batch.add('three');
    expect(await md.list()).toEqual([]);
    expect((await readdir(join(dir, 'tmp'))).length).toBe(3);
    expect(log.filter((l) => l.startsWith('fsync'))).toEqual([]);
    log.length = 0;
    const names = await batch.commit();
    expect(names.length).toBe(3);
    expect(log.filter((l) => l === 'fsync tmp-file').length).toBe(3);
    expect(log.filter((l) => l === 'fsync new/').length).toBe(1);
    // Every file is fsynced before any rename, and new/ is fsynced after the last rename.
    expect(log.lastIndexOf('fsync tmp-file')).toBeLessThan(log.indexOf('rename tmp->new'));
    expect(log.at(-1)).toBe('fsync new/');
    expect((await md.list()).map((e) => e.uid)).toEqual(names);
    await expect(batch.add('late')).rejects.toThrow(/committed/);
  });

  it('batch abort unlinks the tmp files and delivers nothing', async () => {
    const md = await Maildir.open(dir, { create: true });
    const batch = md.batch();
    await batch.add('one');
    await batch.add('two');
    await batch.abort();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await md.list()).toEqual([]);
  });

  it('a failing source leaves nothing behind and rejects', async () => {
    const md = await Maildir.open(dir, { create: true });
    async function* broken() {
      yield Buffer.from('partial');
      throw new Error('connection lost');
    }
    await expect(md.deliver(broken())).rejects.toThrow('connection lost');
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await md.list()).toEqual([]);
  });

  it('a crash before commit leaves only tmp files, which list() ignores', async () => {
    const md = await Maildir.open(dir, { create: true });
    const batch = md.batch();
    await batch.add('never committed'); // the process "dies" here: no commit, no abort
    await writeFile(join(dir, 'tmp', '123.crashed.host'), 'half a messa');
    const reopened = await Maildir.open(dir);
    expect(await reopened.list()).toEqual([]);
    expect((await readdir(join(dir, 'tmp'))).length).toBe(2);
  });

  it('lists cur/ messages with flags under their base uid and removes them', async () => {
    const md = await Maildir.open(dir, { create: true });
    const uid = await md.deliver('x');
    await writeFile(join(dir, 'cur', '1.Mold.host:2,S'), 'seen');
    await writeFile(join(dir, 'new', '.hidden'), 'skip');
    const list = await md.list();
    expect(list.map((e) => [e.uid, e.folder])).toEqual([
      ['1.Mold.host', 'cur'],
      [uid, 'new'],
    ]);
    await md.remove('1.Mold.host');
    await md.remove('1.Mold.host'); // already gone: quiet
    expect((await md.list()).map((e) => e.uid)).toEqual([uid]);
    await expect(text(md.read('nope'))).rejects.toThrow(/No message/);
    await expect(text(md.read('../x'))).rejects.toThrow(/No message/);
  });

  it('MaildirMailbox serves list/read/delete', async () => {
    const md = await Maildir.open(dir, { create: true });
    const a = await md.deliver('hello\r\n');
    const b = await md.deliver('world\r\n');
    const box = new MaildirMailbox(md);
    expect(await box.list()).toEqual([
      { uid: a, size: 7 },
      { uid: b, size: 7 },
    ]);
    expect(await text(box.read(b))).toBe('world\r\n');
    await box.delete([a]);
    expect(await box.list()).toEqual([{ uid: b, size: 7 }]);
  });
});

describe('Maildir batch failures', () => {
  it('a commit that fails at the directory fsync can be retried and delivers each message once', async () => {
    let failOnce = true;
    const io: MaildirIO = {
      ...nodeIO,
      openForSync: async (p) => {
        if (p.endsWith('/new') && failOnce) {
          failOnce = false;
          throw Object.assign(new Error('EIO'), { code: 'EIO' });
        }
        return nodeIO.openForSync(p);
      },
    };
    const md = await Maildir.open(dir, { create: true, io });
    const batch = md.batch();
    await batch.add('one');
    await batch.add('two');
    await expect(batch.commit()).rejects.toThrow('EIO');
    const names = await batch.commit();
    expect(names).toHaveLength(2);
    expect((await md.list()).map((e) => e.uid)).toEqual(names);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });
});
