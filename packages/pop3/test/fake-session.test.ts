// Session behaviour against the fake server: the command queue, abort, pipelined fetches,
// deletion semantics, RFC 6856 verbs and debug output.
import { describe, expect, it } from 'vitest';
import { act } from '@mail/test-servers';
import { MailError } from '@mail/transport';
import { POP3ReplyError } from '../src/index.js';
import { connectTo, fakeServer, MAIL1, MAIL2, rejection } from './helpers.js';

const many = (n: number): string[] => Array.from({ length: n }, (_, i) => `Subject: ${i + 1}\r\n\r\n.body ${i + 1}\r\n`);

describe('command queue and abort', () => {
  it('concurrent calls never interleave on the wire', async () => {
    const server = await fakeServer({ mailbox: [MAIL1, MAIL2] });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const [stat, list, m1, uidl, m2, noop] = await Promise.all([
      pop.stat(), pop.list(), pop.retr(1), pop.uidl(), pop.retr(2), pop.noop(),
    ]);
    expect(stat.count).toBe(2);
    expect(list).toHaveLength(2);
    expect(m1.toString()).toBe(MAIL1);
    expect(uidl).toHaveLength(2);
    expect(m2.toString()).toBe(MAIL2);
    expect(typeof noop).toBe('string');
    expect(server.commands().slice(-6)).toEqual(['STAT', 'LIST', 'RETR 1', 'UIDL', 'RETR 2', 'NOOP']);
  });

  it('a call aborted while queued is MAIL_ABORTED and the session stays usable', async () => {
    const server = await fakeServer();
    server.once('NOOP', [act.delay(150), act.write('+OK slow\r\n')]);
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const controller = new AbortController();
    const slow = pop.noop();
    const queued = pop.stat({ signal: controller.signal });
    controller.abort();
    expect(MailError.hasCode(await rejection(queued), 'MAIL_ABORTED')).toBe(true);
    expect(await slow).toBe('slow');
    expect(await pop.noop()).toBeDefined();
    expect(server.commands()).not.toContain('STAT');
  });

  it('aborting a call on the wire closes the session', async () => {
    const server = await fakeServer();
    server.once('NOOP', act.stall());
    const pop = await connectTo(server);
    const controller = new AbortController();
    const pending = pop.noop({ signal: controller.signal });
    await server.waitFor(() => server.commands().includes('NOOP'));
    controller.abort();
    expect(MailError.hasCode(await rejection(pending), 'MAIL_ABORTED')).toBe(true);
    expect(pop.state).toBe('CLOSED');
  });
});

describe('deletion semantics', () => {
  it('DELE then close() keeps the message; DELE then QUIT removes it; RSET undoes', async () => {
    const server = await fakeServer({ mailbox: [MAIL1, MAIL2] });
    const a = await connectTo(server);
    await a.login('alice', 'secret');
    await a.dele(1);
    await a.close();
    expect(a.state).toBe('CLOSED');
    await server.idle();
    expect(server.mailbox).toHaveLength(2);
    const b = await connectTo(server);
    await b.login('alice', 'secret');
    await b.dele(1);
    await b.rset();
    await b.dele(2);
    expect(await b.stat()).toEqual({ count: 1, size: MAIL1.length });
    await b.quit();
    expect(server.mailbox.map((m) => m.content.toString())).toEqual([MAIL1]);
  });

  it('await using sends QUIT', async () => {
    const server = await fakeServer({ mailbox: [MAIL1, MAIL2] });
    {
      await using pop = await connectTo(server);
      await pop.login('alice', 'secret');
      await pop.dele(2);
    }
    expect(server.commands().at(-1)).toBe('QUIT');
    expect(server.mailbox).toHaveLength(1);
  });

  it('a -ERR to QUIT is an error and the connection is closed', async () => {
    const server = await fakeServer({ mailbox: [MAIL1] });
    server.once('QUIT', act.closeWith('-ERR [SYS/TEMP] some deleted messages not removed\r\n'));
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    await pop.dele(1);
    const error = await rejection(pop.quit());
    expect(POP3ReplyError.is(error) && error.transient).toBe(true);
    expect(pop.state).toBe('CLOSED');
  });
});

describe('pipelined fetch', () => {
  it('messages() keeps RETRs in flight, yields in order and deletes what was consumed', async () => {
    const mails = many(300);
    const server = await fakeServer({ mailbox: mails });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const got: string[] = [];
    for await (const m of pop.messages({ delete: true, uids: true, window: 32 })) {
      expect(m.uid).toBe(`uid-${m.msg}`);
      expect(m.size).toBe(mails[m.msg - 1]!.length);
      got.push(m.data.toString());
    }
    expect(got).toEqual(mails);
    // Many commands per read on the server side: they were pipelined.
    const reads = server.sessions.at(-1)!.chunks.map((c) => c.data.toString().split('\r\n').length - 1);
    expect(Math.max(...reads)).toBeGreaterThanOrEqual(16);
    expect(server.commands().filter((c) => c.startsWith('DELE'))).toHaveLength(300);
    await pop.quit();
    expect(server.mailbox).toHaveLength(0);
  });

  it('falls back to one command at a time without PIPELINING', async () => {
    const mails = many(20);
    const server = await fakeServer({ mailbox: mails, extensions: ['USER', 'UIDL', 'TOP'] });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const got: string[] = [];
    for await (const m of pop.retrMany([3, 1, 2], { delete: true })) got.push(m.data.toString());
    expect(got).toEqual([mails[2], mails[0], mails[1]]);
    const reads = server.sessions.at(-1)!.chunks.map((c) => c.data.toString().split('\r\n').length - 1);
    expect(Math.max(...reads)).toBe(1);
    expect(server.commands().slice(-6)).toEqual(['RETR 3', 'DELE 3', 'RETR 1', 'DELE 1', 'RETR 2', 'DELE 2']);
  });

  it('breaking out early deletes only what was consumed and keeps the session in sync', async () => {
    const mails = many(50);
    const server = await fakeServer({ mailbox: mails });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    let seen = 0;
    for await (const m of pop.messages({ delete: true, from: 11, to: 40, window: 8 })) {
      seen = m.msg;
      if (m.msg === 13) break;
    }
    expect(seen).toBe(13);
    expect(await pop.noop()).toBeDefined();
    await pop.quit();
    // 11 and 12 were consumed (the loop asked for the next one); 13 was not.
    expect(server.mailbox).toHaveLength(48);
    expect(server.mailbox.map((m) => m.uid)).not.toContain('uid-11');
    expect(server.mailbox.map((m) => m.uid)).toContain('uid-13');
  });

  it('select() skips messages, e.g. by known UID', async () => {
    const server = await fakeServer({ mailbox: many(5) });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const msgs: number[] = [];
    for await (const m of pop.messages({ uids: true, select: (e) => e.uid !== 'uid-2' && e.msg !== 4 })) msgs.push(m.msg);
    expect(msgs).toEqual([1, 3, 5]);
  });

  it('a -ERR in the middle of the pipeline is an error and the session stays usable', async () => {
    const server = await fakeServer({ mailbox: many(10) });
    server.on('RETR', (cmd) => (cmd.args === '4' ? '-ERR [SYS/TEMP] cannot read\r\n' : undefined));
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const got: number[] = [];
    const error = await rejection((async () => {
      for await (const m of pop.messages({ window: 8 })) got.push(m.msg);
    })());
    expect(POP3ReplyError.is(error) && error.command).toBe('RETR 4');
    expect(got).toEqual([1, 2, 3]);
    expect((await pop.stat()).count).toBe(10);
  });
});

describe('RFC 6856 and debug output', () => {
  it('UTF8 and LANG', async () => {
    const server = await fakeServer();
    server.once('UTF8', '+OK UTF8 enabled\r\n');
    server.once('LANG', '+OK Language listing follows\r\nen English\r\nde Deutsch\r\n.\r\n', '+OK Sprache ist Deutsch\r\n');
    const pop = await connectTo(server);
    expect(await pop.utf8()).toBe('UTF8 enabled');
    expect(await pop.lang()).toEqual([{ tag: 'en', description: 'English' }, { tag: 'de', description: 'Deutsch' }]);
    expect(await pop.lang('de')).toBe('Sprache ist Deutsch');
    expect(server.commands().slice(-3)).toEqual(['UTF8', 'LANG', 'LANG de']);
  });

  it('the debug logger shows the session with secrets redacted (poplib set_debuglevel)', async () => {
    const lines: string[] = [];
    const server = await fakeServer({ users: { alice: 'top-secret' } });
    const pop = await connectTo(server, { debug: 1, logger: (l) => lines.push(l) });
    await pop.user('alice');
    await pop.pass('top-secret');
    await pop.stat();
    const text = lines.join('\n');
    expect(text).toContain('USER alice');
    expect(text).toContain('PASS ****');
    expect(text).toContain('STAT');
    expect(text).not.toContain('top-secret');
  });
});
