import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFetch, windows, type FetchPlan } from './engine.js';
import { FakeMaildrop, type FakeMessage } from './fake-session.test-util.js';
import { openMaildirSink } from './maildir-sink.js';
import { openMboxSink } from './mbox-sink.js';
import { decodeMboxrd } from './mbox.js';
import { UidState } from './state.js';

const plan = (over: Partial<FetchPlan> = {}): FetchPlan => ({
  delete: true,
  onlyNew: false,
  oversize: 'skip',
  batchSize: 3,
  batchBytes: 1 << 20,
  ...over,
});

function makeMessages(count: number): FakeMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    uid: `uid-${i}`,
    body: Buffer.from(`Subject: m${i}\r\nMessage-ID: <${i}@test>\r\n\r\nFrom here, body ${i}\r\n`),
  }));
}

async function maildirBodies(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const folder of ['new', 'cur']) {
    for (const name of await readdir(join(dir, folder))) out.push((await readFile(join(dir, folder, name))).toString());
  }
  return out.sort();
}

describe('windows', () => {
  it('splits by count and by bytes', () => {
    const items = [5, 5, 5, 20, 1].map((size) => ({ size }));
    expect(windows(items, 2, 100).map((w) => w.length)).toEqual([2, 2, 1]);
    expect(windows(items, 10, 12).map((w) => w.length)).toEqual([2, 1, 1, 1]);
  });
});

describe('runFetch durability under injected failures', () => {
  it('with --delete and UIDL state: a failure at every operation, then re-runs, gives each message exactly once', async () => {
    const base = await mkdtemp(join(tmpdir(), 'mailctl-engine-'));
    try {
      const originals = makeMessages(7);
      // Count the operations of a clean run to know every point a failure can hit.
      const probe = new FakeMaildrop(originals).session();
      const probeDir = join(base, 'probe');
      await runFetch(probe, await openMaildirSink(probeDir), await UidState.load(join(base, 'probe.json'), 'x'), plan());
      const totalOps = probe.ops;
      expect(totalOps).toBeGreaterThan(10);

      for (let failAt = 0; failAt < totalOps; failAt++) {
        const drop = new FakeMaildrop(makeMessages(7));
        const dir = join(base, `md-${failAt}`);
        const statePath = join(base, `state-${failAt}.json`);
        await expect(
          runFetch(drop.session({ failAt }), await openMaildirSink(dir), await UidState.load(statePath, 'x'), plan()),
        ).rejects.toThrow('injected');
        // Re-run until the server is empty (bounded).
        for (let round = 0; round < 3 && drop.messages.length > 0; round++) {
          await runFetch(drop.session(), await openMaildirSink(dir), await UidState.load(statePath, 'x'), plan());
        }
        expect(drop.messages).toEqual([]);
        const stored = await maildirBodies(dir);
        expect(stored, `failure at op ${failAt}`).toEqual(originals.map((m) => m.body.toString()).sort());
      }
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('into an mbox: failures at every operation never lose or duplicate a message', async () => {
    const base = await mkdtemp(join(tmpdir(), 'mailctl-engine-mbox-'));
    try {
      const originals = makeMessages(5);
      const probe = new FakeMaildrop(originals).session();
      const probeSink = await openMboxSink(join(base, 'probe.mbox'));
      await runFetch(probe, probeSink, await UidState.load(join(base, 'probe.json'), 'x'), plan({ batchSize: 2 }));
      await probeSink.close();
      for (let failAt = 0; failAt < probe.ops; failAt++) {
        const drop = new FakeMaildrop(makeMessages(5));
        const file = join(base, `m-${failAt}.mbox`);
        const statePath = join(base, `s-${failAt}.json`);
        const sink = await openMboxSink(file);
        await expect(runFetch(drop.session({ failAt }), sink, await UidState.load(statePath, 'x'), plan({ batchSize: 2 }))).rejects.toThrow();
        await sink.close();
        const again = await openMboxSink(file);
        await runFetch(drop.session(), again, await UidState.load(statePath, 'x'), plan({ batchSize: 2 }));
        await again.close();
        expect(drop.messages).toEqual([]);
        const got = decodeMboxrd(await readFile(file)).map((b) => b.toString());
        expect(got.sort()).toEqual(originals.map((m) => m.body.toString().replace(/\r\n/g, '\n')).sort());
      }
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('a crash right after a commit (before the state records it) is recovered without duplicates', async () => {
    const base = await mkdtemp(join(tmpdir(), 'mailctl-engine-recover-'));
    try {
      for (const kind of ['maildir', 'mbox'] as const) {
        for (let crashAtCommit = 0; crashAtCommit < 3; crashAtCommit++) {
          const originals = makeMessages(7);
          const drop = new FakeMaildrop(makeMessages(7));
          const where = join(base, `${kind}-${crashAtCommit}`);
          const statePath = `${where}.json`;
          const open = () => (kind === 'maildir' ? openMaildirSink(where) : openMboxSink(where));
          const real = await open();
          let commits = 0;
          // The commit happens, then the process "dies" before the state file is updated.
          const crashing = {
            ...real,
            begin: () => {
              const b = real.begin();
              return {
                ...b,
                commit: async () => {
                  await b.commit();
                  if (commits++ === crashAtCommit) throw new Error('killed after commit');
                },
              };
            },
          };
          await expect(runFetch(drop.session(), crashing, await UidState.load(statePath, 'x'), plan())).rejects.toThrow('killed');
          await real.close();
          const leftover = await UidState.load(statePath, 'x');
          expect(leftover.pending).toBeDefined();
          const again = await open();
          const report = await runFetch(drop.session(), again, await UidState.load(statePath, 'x'), plan());
          await again.close();
          expect(report.recovered).toBeGreaterThan(0);
          expect(drop.messages).toEqual([]);
          const got = kind === 'maildir' ? await maildirBodies(where) : decodeMboxrd(await readFile(where)).map((b) => b.toString().replace(/\n/g, '\r\n'));
          expect(got.sort()).toEqual(originals.map((m) => m.body.toString()).sort());
        }
      }
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('a kill between recording the pending batch and its commit: tmp files are cleaned, nothing duplicated', async () => {
    const base = await mkdtemp(join(tmpdir(), 'mailctl-engine-precommit-'));
    try {
      const dir = join(base, 'md');
      const statePath = join(base, 's.json');
      const drop = new FakeMaildrop(makeMessages(4));
      const real = await openMaildirSink(dir);
      // "Killed": commit never runs and nothing is aborted (a dead process cleans nothing up).
      const half = { ...real, begin: () => {
        const b = real.begin();
        return { ...b, commit: async () => Promise.reject(new Error('killed before commit')), abort: async () => undefined };
      } };
      await expect(runFetch(drop.session(), half, await UidState.load(statePath, 'x'), plan())).rejects.toThrow('killed');
      // The pipeline had already staged the next window (1 message) while the first (3) committed.
      const staged = await readdir(join(dir, 'tmp'));
      expect(staged.length).toBe(4);
      const pending = (await UidState.load(statePath, 'x')).pending;
      expect(pending?.kind).toBe('maildir');
      const pendingNames = pending?.kind === 'maildir' ? pending.entries.map((e) => e.name) : [];
      expect(pendingNames.length).toBe(3);
      const report = await runFetch(drop.session(), await openMaildirSink(dir), await UidState.load(statePath, 'x'), plan());
      expect(report.recovered).toBe(0);
      // The pending batch's files are cleaned; the never-recorded window's file stays in tmp/
      // (invisible to readers) until the 36-hour sweep, as after any kill while staging.
      expect(await readdir(join(dir, 'tmp'))).toEqual(staged.filter((name) => !pendingNames.includes(name)));
      expect(await maildirBodies(dir)).toEqual(makeMessages(4).map((m) => m.body.toString()).sort());
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('a torn mbox append (partial write before the crash) is truncated and fetched again', async () => {
    const base = await mkdtemp(join(tmpdir(), 'mailctl-engine-torn-'));
    try {
      const file = join(base, 'box');
      const statePath = join(base, 's.json');
      const drop = new FakeMaildrop(makeMessages(2));
      const { appendFile } = await import('node:fs/promises');
      const real = await openMboxSink(file);
      const tearing = {
        ...real,
        begin: () => {
          const b = real.begin();
          return { ...b, commit: async () => { await appendFile(file, 'From someone Thu Jan  1 00:00:00 1970\nSubj'); throw new Error('killed mid-write'); } };
        },
      };
      await expect(runFetch(drop.session(), tearing, await UidState.load(statePath, 'x'), plan())).rejects.toThrow('killed');
      await real.close();
      const again = await openMboxSink(file);
      await runFetch(drop.session(), again, await UidState.load(statePath, 'x'), plan());
      await again.close();
      const got = decodeMboxrd(await readFile(file)).map((b) => b.toString());
      expect(got).toEqual(makeMessages(2).map((m) => m.body.toString().replace(/\r\n/g, '\n')));
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('--only-new skips messages fetched before and fetches new ones', async () => {
    const base = await mkdtemp(join(tmpdir(), 'mailctl-engine-new-'));
    try {
      const drop = new FakeMaildrop(makeMessages(3));
      const dir = join(base, 'md');
      const statePath = join(base, 's.json');
      const first = await runFetch(drop.session(), await openMaildirSink(dir), await UidState.load(statePath, 'x'), plan({ delete: false, onlyNew: true }));
      expect(first.stored).toBe(3);
      drop.messages.push({ uid: 'uid-new', body: Buffer.from('Subject: new\r\n\r\nnew\r\n') });
      const second = await runFetch(drop.session(), await openMaildirSink(dir), await UidState.load(statePath, 'x'), plan({ delete: false, onlyNew: true }));
      expect(second.stored).toBe(1);
      expect(second.skipped).toBe(3);
      expect(second.messages.find((m) => m.action === 'stored')?.uid).toBe('uid-new');
      expect(drop.messages).toHaveLength(4);
      expect(await maildirBodies(dir)).toHaveLength(4);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('size limits: oversized messages are skipped, or deleted without download', async () => {
    const base = await mkdtemp(join(tmpdir(), 'mailctl-engine-size-'));
    try {
      const msgs = [...makeMessages(2), { uid: 'big', body: Buffer.alloc(5000, 'x') }];
      const drop = new FakeMaildrop(msgs);
      const dir = join(base, 'md');
      const r1 = await runFetch(drop.session(), await openMaildirSink(dir), undefined, plan({ delete: false, maxSize: 1000 }));
      expect(r1.messages.map((m) => m.action)).toEqual(['stored', 'stored', 'skipped-oversize']);
      const r2 = await runFetch(drop.session(), await openMaildirSink(join(base, 'md2')), undefined, plan({ delete: false, maxSize: 1000, oversize: 'delete' }));
      expect(r2.messages.at(-1)?.action).toBe('deleted-oversize');
      expect(drop.messages.map((m) => m.uid)).toEqual(['uid-0', 'uid-1']);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('--only-new refuses a server without UIDL', async () => {
    const drop = new FakeMaildrop(makeMessages(1));
    const base = await mkdtemp(join(tmpdir(), 'mailctl-engine-nouidl-'));
    try {
      await expect(
        runFetch(drop.session({ uidl: false }), await openMaildirSink(join(base, 'md')), await UidState.load(join(base, 's.json'), 'x'), plan({ onlyNew: true })),
      ).rejects.toThrow(/UIDL/);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
