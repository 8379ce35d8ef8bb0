import { describe, expect, it } from 'vitest';
import { fakeServer, connectTo, MAIL1, MAIL2 } from './helpers.js';

describe.each(['none', 'tls', 'starttls'] as const)('against the fake server over %s', (security) => {
  it('logs in, lists, retrieves, deletes and quits', async () => {
    const server = await fakeServer({ security, mailbox: [MAIL1, { uid: 'u-two', content: MAIL2 }] });
    const pop = await connectTo(server);
    expect(pop.greeting).toMatch(/^fake POP3 server ready <.+@localhost>$/);
    expect(pop.secure).toBe(security !== 'none');
    await pop.login('alice', 'secret');
    expect(pop.state).toBe('TRANSACTION');
    expect(await pop.stat()).toEqual({ count: 2, size: MAIL1.length + MAIL2.length });
    expect(await pop.list()).toEqual([{ msg: 1, size: MAIL1.length }, { msg: 2, size: MAIL2.length }]);
    expect(await pop.list(2)).toEqual({ msg: 2, size: MAIL2.length });
    expect(await pop.uidl()).toEqual([{ msg: 1, uid: 'uid-1' }, { msg: 2, uid: 'u-two' }]);
    expect(await pop.uidl(1)).toEqual({ msg: 1, uid: 'uid-1' });
    expect((await pop.retr(1)).toString()).toBe(MAIL1);
    expect((await pop.top(1, 1)).toString()).toBe('Subject: one\r\n\r\nline 1\r\n');
    await pop.dele(1);
    expect(await pop.quit()).toBe('Logging out.');
    expect(pop.state).toBe('UPDATE');
    expect(server.mailbox.map((m) => m.uid)).toEqual(['u-two']);
    // Everything after the TLS decision went encrypted.
    const plain = server.transcript.filter((e) => !e.tls).map((e) => e.line);
    if (security === 'none') expect(plain[0]).toBe('CAPA');
    else expect(plain).toEqual(security === 'starttls' ? ['CAPA', 'STLS'] : []);
  });
});
