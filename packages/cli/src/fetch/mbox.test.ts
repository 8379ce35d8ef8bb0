import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asctime, decodeMboxrd, encodeMboxrd } from './mbox.js';
import { acquireLock } from './lock.js';
import { UidState, stateFileName } from './state.js';

describe('mboxrd', () => {
  it('quotes From lines reversibly and writes the separator', () => {
    const msg = Buffer.from('Return-Path: <s@x.org>\r\nSubject: t\r\n\r\nFrom me\r\n>From you\r\nok\r\n');
    const enc = encodeMboxrd(msg, new Date(Date.UTC(2024, 0, 5, 3, 4, 5))).toString();
    expect(enc).toBe('From s@x.org Fri Jan  5 03:04:05 2024\nReturn-Path: <s@x.org>\nSubject: t\n\n>From me\n>>From you\nok\n\n');
    expect(decodeMboxrd(Buffer.from(enc + enc))).toEqual([msg, msg].map((m) => Buffer.from(m.toString().replace(/\r\n/g, '\n'))));
  });

  it('round-trips any sequence of LF-terminated lines (property)', () => {
    const line = fc.oneof(fc.constantFrom('From x', '>From y', '>>From', 'From', ''), fc.string({ unit: 'grapheme-ascii' }).map((s) => s.replace(/[\r\n]/g, '')));
    fc.assert(
      fc.property(fc.array(fc.array(line), { minLength: 1, maxLength: 4 }), (messages) => {
        const bodies = messages.map((lines) => Buffer.from(`Subject: x\n\n${lines.map((l) => `${l}\n`).join('')}`, 'latin1'));
        const mbox = Buffer.concat(bodies.map((b) => encodeMboxrd(b)));
        expect(decodeMboxrd(mbox)).toEqual(bodies);
      }),
    );
  });

  it('formats asctime like ctime(3)', () => {
    expect(asctime(new Date(Date.UTC(2026, 10, 26, 16, 5, 0)))).toBe('Thu Nov 26 16:05:00 2026');
  });
});

describe('lock', () => {
  it('is exclusive, times out with exit 75 and takes over a stale lock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailctl-lock-'));
    try {
      const target = join(dir, 'box');
      const lock = await acquireLock(target);
      await expect(acquireLock(target, 150)).rejects.toMatchObject({ exitCode: 75 });
      await lock.release();
      const again = await acquireLock(target, 150);
      await again.release();
      // A dead pid: a process that exited.
      await writeFile(`${target}.lock`, '999999999\n');
      const taken = await acquireLock(target, 150);
      await taken.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('UidState', () => {
  it('saves atomically and loads back, with pending batches', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailctl-state-'));
    try {
      const path = join(dir, 'sub', 'st.json');
      const s = await UidState.load(path, 'u@h:110');
      s.seen.add('a');
      s.seen.add('b');
      s.pending = { kind: 'mda', uids: ['c'] };
      await s.save();
      const t = await UidState.load(path, 'u@h:110');
      expect([...t.seen]).toEqual(['a', 'b']);
      expect(t.pending).toEqual({ kind: 'mda', uids: ['c'] });
      expect(t.prune(new Set(['b']))).toBe(1);
      await writeFile(path, '{bad');
      await expect(UidState.load(path, 'x')).rejects.toMatchObject({ exitCode: 74 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('makes safe file names', () => {
    expect(stateFileName('me@host:110')).toBe('me@host%3a110.json');
    expect(stateFileName('../x/y')).toBe('..%2fx%2fy.json');
  });
});
