// The same suite against real Dovecot over POP3S, STLS and plaintext.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { POP3AuthenticationError, type POP3 } from '../src/index.js';
import { connectDovecot, crlf, deliver, dovecotMissing, emptyMailbox, MODES, stored, useDovecot } from './dovecot-helpers.js';

const dovecot = useDovecot();

const ONE = 'From: a@example.test\nTo: b@example.test\nSubject: one\nMessage-ID: <one@example.test>\n\nHello one\n.leading dot line\n..two dots\n.\nlast\n';
const TWO = 'From: b@example.test\nSubject: two\n\nbody two\nsecond line\nthird line\n';
const THREE = 'Subject: three\n\n' + 'y'.repeat(5000) + '\n';

describe.skipIf(dovecotMissing !== undefined).each(MODES)('Dovecot over %s', (mode) => {
  let pop: POP3 | undefined;
  const open = async (): Promise<POP3> => (pop = await connectDovecot(dovecot.peer, mode));
  const user = (): string => dovecot.peer.user!;
  const pass = (): string => dovecot.peer.pass!;

  beforeEach(async () => {
    emptyMailbox(dovecot.peer);
    deliver(dovecot.peer, [ONE, TWO, THREE]);
    return async () => {
      await pop?.close();
      pop = undefined;
    };
  });

  it('connects with the expected security', async () => {
    const p = await open();
    expect(p.secure).toBe(mode !== 'none');
    expect(p.greeting).toMatch(/ready/i);
    expect(p.capabilities?.has('UIDL')).toBe(true);
    expect(p.capabilities?.has('STLS')).toBe(mode === 'none');
  });

  it.each([
    ['USER/PASS', (p: POP3, u: string, w: string) => p.user(u).then(() => p.pass(w))],
    ['APOP', (p: POP3, u: string, w: string) => p.apop(u, w)],
    ['AUTH PLAIN', (p: POP3, u: string, w: string) => p.auth('PLAIN', { username: u, password: w })],
    ['AUTH LOGIN', (p: POP3, u: string, w: string) => p.auth('LOGIN', { username: u, password: w })],
    ['AUTH CRAM-MD5', (p: POP3, u: string, w: string) => p.auth('CRAM-MD5', { username: u, password: w })],
    ['AUTH SCRAM-SHA-1', (p: POP3, u: string, w: string) => p.auth('SCRAM-SHA-1', { username: u, password: w })],
    ['AUTH SCRAM-SHA-256', (p: POP3, u: string, w: string) => p.auth('SCRAM-SHA-256', { username: u, password: w })],
    ['login()', (p: POP3, u: string, w: string) => p.login(u, w)],
  ])('%s logs in; a wrong password is POP3AuthenticationError', async (_name, method) => {
    const p = await open();
    expect(POP3AuthenticationError.is(await method(p, user(), 'wrong').catch((e: unknown) => e))).toBe(true);
    expect(p.state).toBe('AUTHORIZATION');
    await method(p, user(), pass());
    expect(p.state).toBe('TRANSACTION');
    expect(await p.stat()).toEqual({ count: 3, size: crlf(ONE).length + crlf(TWO).length + crlf(THREE).length });
  });

  it('STAT, LIST, UIDL, TOP, RETR (dot-leading lines unstuffed), NOOP', async () => {
    const p = await open();
    await p.login(user(), pass());
    const sizes = [ONE, TWO, THREE].map((m) => crlf(m).length);
    expect(await p.list()).toEqual(sizes.map((size, i) => ({ msg: i + 1, size })));
    expect(await p.list(2)).toEqual({ msg: 2, size: sizes[1] });
    const uids = await p.uidl();
    expect(uids.map((u) => u.msg)).toEqual([1, 2, 3]);
    expect(new Set(uids.map((u) => u.uid)).size).toBe(3);
    expect(await p.uidl(3)).toEqual(uids[2]);
    expect((await p.retr(1)).toString()).toBe(crlf(ONE));
    expect((await p.retr(3)).toString()).toBe(crlf(THREE));
    expect((await p.top(2, 1)).toString()).toBe(crlf('From: b@example.test\nSubject: two\n\nbody two\n'));
    expect((await p.top(1, 0)).toString()).toBe(crlf(ONE.slice(0, ONE.indexOf('\n\n') + 2)));
    expect(typeof (await p.noop())).toBe('string');
  });

  it('DELE then QUIT removes; DELE then close() keeps; RSET undoes', async () => {
    let p = await open();
    await p.login(user(), pass());
    await p.dele(1);
    await p.close();
    expect(stored(dovecot.peer)).toBe(3);

    p = await open();
    await p.login(user(), pass());
    await p.dele(1);
    await p.dele(2);
    await p.rset();
    expect((await p.stat()).count).toBe(3);
    await p.dele(2);
    expect((await p.stat()).count).toBe(2);
    await p.quit();
    expect(p.state).toBe('UPDATE');
    expect(stored(dovecot.peer)).toBe(2);

    p = await open();
    await p.login(user(), pass());
    expect((await p.retr(2)).toString()).toBe(crlf(THREE));
  });

  it('streams a 10 MB message through retrStream with memory staying flat', async () => {
    const line = `${'z'.repeat(998)}\n`;
    const big = `Subject: big\n\n${line.repeat(10 * 1024)}.dot at the end\n`;
    const expected = createHash('sha256').update(crlf(big)).digest('hex');
    deliver(dovecot.peer, [big]);
    const p = await open();
    await p.login(user(), pass());
    const hash = createHash('sha256');
    let received = 0;
    let grewDuringPause = -1;
    for await (const chunk of p.retrStream(4)) {
      hash.update(chunk);
      received += chunk.length;
      if (grewDuringPause === -1 && received > 1024 * 1024) {
        // A slow consumer: without backpressure the remaining ~9 MB would pile up in memory now.
        const before = process.memoryUsage().arrayBuffers;
        await sleep(300);
        grewDuringPause = process.memoryUsage().arrayBuffers - before;
      }
    }
    expect(received).toBe(Buffer.byteLength(crlf(big)));
    expect(hash.digest('hex')).toBe(expected);
    expect(grewDuringPause).not.toBe(-1);
    expect(grewDuringPause).toBeLessThan(4 * 1024 * 1024);
    expect(typeof (await p.noop())).toBe('string');
  });

  it('pipelined messages() fetches and deletes everything in order', async () => {
    emptyMailbox(dovecot.peer);
    const mails = Array.from({ length: 500 }, (_, i) => `Subject: ${i}\n\n.line ${i}\n`);
    deliver(dovecot.peer, mails);
    const p = await open();
    await p.login(user(), pass());
    expect(p.capabilities?.pipelining).toBe(true);
    let n = 0;
    for await (const m of p.messages({ delete: true, uids: true })) {
      expect(m.data.toString()).toBe(crlf(mails[n]!));
      expect(m.uid).toMatch(/^[0-9a-f]{16}$/i);
      n++;
    }
    expect(n).toBe(500);
    await p.quit();
    expect(stored(dovecot.peer)).toBe(0);
  });
});

describe.skipIf(dovecotMissing !== undefined)('Dovecot capabilities', () => {
  it('CAPA after STLS differs from before', async () => {
    const p = await connectDovecot(dovecot.peer, 'none');
    try {
      const before = p.capabilities!;
      expect(before.stls).toBe(true);
      await p.stls();
      expect(p.secure).toBe(true);
      const after = p.capabilities!;
      expect(after.stls).toBe(false);
      expect(after.names).not.toEqual(before.names);
      expect(await p.capa()).toBeDefined();
    } finally {
      await p.close();
    }
  });

  it('CAPA is asked again after login', async () => {
    const p = await connectDovecot(dovecot.peer, 'tls');
    try {
      const before = p.capabilities!;
      await p.login(dovecot.peer.user!, dovecot.peer.pass!);
      expect(p.capabilities).not.toBe(before);
      expect(p.capabilities?.has('UIDL')).toBe(true);
    } finally {
      await p.close();
    }
  });
});
