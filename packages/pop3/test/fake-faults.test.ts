// Hostile and broken servers: every failure is a typed error, never a hang, a truncated
// message returned as complete, or a credential sent in plaintext.
import { describe, expect, it } from 'vitest';
import { act, stuffMultiline } from '@mail/test-servers';
import { MailError } from '@mail/transport';
import { POP3, POP3AuthenticationError, POP3MailboxInUseError, POP3ReplyError } from '../src/index.js';
import { connectTo, fakeServer, MAIL1, MAIL2, rejection } from './helpers.js';

const body = (content: string): Buffer => Buffer.concat([Buffer.from('+OK\r\n'), stuffMultiline(Buffer.from(content))]);

describe('framing', () => {
  it('reassembles a RETR reply split at every byte position', async () => {
    const server = await fakeServer({ mailbox: [MAIL1] });
    const wire = body(MAIL1);
    let cut = 1;
    server.on('RETR', () => act.split(wire, [cut++], 1));
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    for (let i = 1; i < wire.length; i++) {
      expect((await pop.retr(1)).toString()).toBe(MAIL1);
    }
    expect(cut).toBe(wire.length);
  });

  it('reassembles the terminator split at every pair of positions in its last bytes', async () => {
    const server = await fakeServer({ mailbox: [MAIL2] });
    const wire = body(MAIL2);
    const cuts: number[][] = [];
    for (let a = wire.length - 7; a < wire.length; a++) for (let b = a + 1; b < wire.length; b++) cuts.push([a, b]);
    let n = 0;
    server.on('RETR', () => act.split(wire, cuts[n++]!, 1));
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    for (let i = 0; i < cuts.length; i++) expect((await pop.retr(1)).toString()).toBe(MAIL2);
  });

  it('unstuffs dot-leading lines and keeps bare LF and long lines as received', async () => {
    const long = 'x'.repeat(100_000);
    const odd = `Subject: odd\r\n\r\n.\r\n..\r\n...x\r\nbare\nlf\r\n${long}\r\n.end\r\n`;
    const server = await fakeServer({ mailbox: [odd] });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    expect((await pop.retr(1)).toString()).toBe(odd);
    const chunks: Buffer[] = [];
    for await (const chunk of pop.retrStream(1)) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe(odd);
    expect(await pop.noop()).toBeDefined();
  });
});

describe('response codes', () => {
  it.each([
    ['-ERR [IN-USE] Mailbox is locked\r\n', POP3MailboxInUseError, 'IN-USE', true],
    ['-ERR [LOGIN-DELAY] Wait 900 seconds\r\n', POP3ReplyError, 'LOGIN-DELAY', true],
    ['-ERR [SYS/TEMP] Try later\r\n', POP3ReplyError, 'SYS/TEMP', true],
    ['-ERR [SYS/PERM] Account disabled\r\n', POP3ReplyError, 'SYS/PERM', false],
    ['-ERR [AUTH] Authentication failed.\r\n', POP3AuthenticationError, 'AUTH', false],
    ['-ERR Bad password\r\n', POP3AuthenticationError, undefined, false],
  ])('PASS answered %j', async (reply, cls, code, transient) => {
    const server = await fakeServer({ extensions: ['USER', 'RESP-CODES'] });
    server.once('PASS', reply);
    const pop = await connectTo(server);
    const error = await rejection(pop.login('alice', 'hunter2'));
    expect(cls.is(error)).toBe(true);
    expect(error).toBeInstanceOf(cls);
    const e = error as POP3ReplyError;
    expect(e.code).toBe('POP3_REPLY');
    expect(e.responseCode).toBe(code);
    expect(e.transient).toBe(transient);
    expect(e.command).toBe('PASS ****');
    expect(e.message).not.toContain('hunter2');
    expect(POP3AuthenticationError.is(error)).toBe(cls === POP3AuthenticationError);
    expect(POP3MailboxInUseError.is(error)).toBe(cls === POP3MailboxInUseError);
    // The session survives a -ERR.
    expect(pop.state).toBe('AUTHORIZATION');
    await pop.login('alice', 'hunter2');
    expect(pop.state).toBe('TRANSACTION');
  });

  it('a -ERR greeting fails connect with the code', async () => {
    const server = await fakeServer();
    server.once('GREETING', act.closeWith('-ERR [SYS/TEMP] overloaded\r\n'));
    const error = await rejection(connectTo(server));
    expect(POP3ReplyError.is(error) && error.responseCode).toBe('SYS/TEMP');
  });

  it('a -ERR to RETR leaves the session usable', async () => {
    const server = await fakeServer({ mailbox: [MAIL2] });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const error = await rejection(pop.retr(7));
    expect(POP3ReplyError.is(error) && error.command).toBe('RETR 7');
    expect((await pop.retr(1)).toString()).toBe(MAIL2);
  });
});

describe('STLS (no plaintext fallback)', () => {
  const noCredentials = (lines: string[]): void => {
    expect(lines.filter((l) => /^(USER|PASS|APOP|AUTH)\b/i.test(l))).toEqual([]);
  };

  it('hidden STLS fails connect with MAIL_TLS_REQUIRED', async () => {
    const server = await fakeServer({ security: 'starttls', hideStartTls: true });
    const error = await rejection(connectTo(server));
    expect(MailError.hasCode(error, 'MAIL_TLS_REQUIRED')).toBe(true);
    await server.idle();
    expect(server.commands()).toEqual(['CAPA']);
  });

  it('a server without CAPA fails connect with MAIL_TLS_REQUIRED', async () => {
    const server = await fakeServer({ security: 'starttls' });
    server.on('CAPA', () => '-ERR unknown command\r\n');
    expect(MailError.hasCode(await rejection(connectTo(server)), 'MAIL_TLS_REQUIRED')).toBe(true);
    await server.idle();
    expect(server.commands()).toEqual(['CAPA']);
  });

  it('refused STLS fails connect with MAIL_TLS_REQUIRED', async () => {
    const server = await fakeServer({ security: 'starttls' });
    server.once('STLS', '-ERR [SYS/TEMP] TLS unavailable\r\n');
    const error = await rejection(connectTo(server));
    expect(MailError.hasCode(error, 'MAIL_TLS_REQUIRED')).toBe(true);
    expect((error as MailError).cause).toBeInstanceOf(POP3ReplyError);
    await server.idle();
    expect(server.commands()).toEqual(['CAPA', 'STLS']);
  });

  it.each([
    ['a whole injected line', '+OK Begin TLS\r\n+OK Logged in.\r\n'],
    ['a partial injected line', '+OK Begin TLS\r\n-ER'],
  ])('data after the STLS go-ahead (%s) is MAIL_STARTTLS_INJECTION', async (_name, reply) => {
    const server = await fakeServer({ security: 'starttls' });
    server.once('STLS', [act.write(reply), act.upgrade()]);
    const error = await rejection(connectTo(server));
    expect(MailError.hasCode(error, 'MAIL_STARTTLS_INJECTION')).toBe(true);
    await server.idle();
    noCredentials(server.commands());
    expect(server.commands()).toEqual(['CAPA', 'STLS']);
  });

  it('capabilities learned in plaintext are discarded after STLS', async () => {
    const server = await fakeServer({ security: 'starttls' });
    server.on('CAPA', (_cmd, ctx) => (ctx.tls ? '+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n' : '+OK\r\nSTLS\r\nSASL EVIL\r\n.\r\n'));
    const pop = await connectTo(server);
    expect(pop.capabilities?.names).toEqual(['USER', 'SASL']);
    expect(pop.capabilities?.sasl).toEqual(['PLAIN']);
    expect(server.commands({ tls: false })).toEqual(['CAPA', 'STLS']);
  });

  it("plaintext credentials need allowPlaintextAuth with security 'none'", async () => {
    const server = await fakeServer();
    const pop = await connectTo(server, { allowPlaintextAuth: false });
    for (const attempt of [pop.login('a', 'b'), pop.user('a'), pop.pass('b'), pop.apop('a', 'b'), pop.auth('PLAIN', { username: 'a', password: 'b' })]) {
      expect(MailError.hasCode(await rejection(attempt), 'MAIL_TLS_REQUIRED')).toBe(true);
    }
    noCredentials(server.commands());
  });
});

describe('limits and broken replies', () => {
  it('a status line over the limit is MAIL_LINE_TOO_LONG and closes the session', async () => {
    const server = await fakeServer();
    server.once('NOOP', `+OK ${'x'.repeat(5000)}\r\n`);
    const pop = await connectTo(server);
    expect(MailError.hasCode(await rejection(pop.noop()), 'MAIL_LINE_TOO_LONG')).toBe(true);
    expect(pop.state).toBe('CLOSED');
    expect(MailError.hasCode(await rejection(pop.noop()), 'MAIL_CONNECTION_CLOSED')).toBe(true);
  });

  it('a greeting over the limit fails connect', async () => {
    const server = await fakeServer();
    server.once('GREETING', `+OK ${'x'.repeat(3000)}\r\n`);
    expect(MailError.hasCode(await rejection(connectTo(server)), 'MAIL_LINE_TOO_LONG')).toBe(true);
  });

  it.each([
    ['STAT', '+OK two 320\r\n'],
    ['STAT', 'OK 2 320\r\n'],
    ['LIST', '+OK\r\n1 120\r\nbogus\r\n.\r\n'],
    ['UIDL', '+OK\r\n1 a\r\n2 a\r\n.\r\n'],
    ['UIDL', '+OK\r\n1 has space\r\n.\r\n'],
  ])('%s answered %j is MAIL_PROTOCOL', async (verb, reply) => {
    const server = await fakeServer({ mailbox: [MAIL2] });
    server.once(verb, reply);
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const call = verb === 'STAT' ? pop.stat() : verb === 'LIST' ? pop.list() : pop.uidl();
    expect(MailError.hasCode(await rejection(call), 'MAIL_PROTOCOL')).toBe(true);
    expect(pop.state).toBe('CLOSED');
  });

  it('an extra reply is never taken as the answer to the next command', async () => {
    const server = await fakeServer({ mailbox: [MAIL2] });
    server.once('NOOP', '+OK\r\n+OK 9 999\r\n');
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    await pop.noop();
    expect(MailError.hasCode(await rejection(pop.stat()), 'MAIL_PROTOCOL')).toBe(true);
    expect(server.commands()).not.toContain('STAT');
  });

  it('a connection closed mid-RETR is an error, never a truncated message', async () => {
    const server = await fakeServer({ mailbox: [MAIL1] });
    server.on('RETR', () => [act.write('+OK\r\nSubject: one\r\n\r\npartial line\r\n'), act.close()]);
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    expect(MailError.hasCode(await rejection(pop.retr(1)), 'MAIL_CONNECTION_CLOSED')).toBe(true);
  });

  it('a connection closed mid-retrStream throws after the chunks received', async () => {
    const server = await fakeServer({ mailbox: [MAIL1] });
    server.on('RETR', () => [act.write('+OK\r\nSubject: one\r\n\r\npartial\r\n.'), act.close()]);
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    const got: Buffer[] = [];
    const error = await rejection((async () => {
      for await (const chunk of pop.retrStream(1)) got.push(chunk);
    })());
    expect(MailError.hasCode(error, 'MAIL_CONNECTION_CLOSED')).toBe(true);
    expect(Buffer.concat(got).toString()).not.toContain('.');
  });

  it('stopping a retrStream early closes the session instead of leaving it out of sync', async () => {
    const server = await fakeServer({ mailbox: [`Subject: big\r\n\r\n${'line\r\n'.repeat(50_000)}`] });
    const pop = await connectTo(server);
    await pop.login('alice', 'secret');
    for await (const chunk of pop.retrStream(1)) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect(pop.state).toBe('CLOSED');
    expect(MailError.hasCode(await rejection(pop.noop()), 'MAIL_CONNECTION_CLOSED')).toBe(true);
  });

  it('a stall mid-RETR is MAIL_TIMEOUT in the data phase', async () => {
    const server = await fakeServer({ mailbox: [MAIL1] });
    server.on('RETR', () => [act.write('+OK\r\nSubject: one\r\n\r\nhalf'), act.stall()]);
    const pop = await connectTo(server, { timeouts: { data: 300 } });
    await pop.login('alice', 'secret');
    const started = Date.now();
    const error = await rejection(pop.retr(1));
    expect(MailError.hasCode(error, 'MAIL_TIMEOUT')).toBe(true);
    expect((error as MailError).phase).toBe('data');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(pop.state).toBe('CLOSED');
  });

  it('a stalled reply is MAIL_TIMEOUT in the command phase', async () => {
    const server = await fakeServer();
    server.once('NOOP', act.stall());
    const pop = await connectTo(server, { timeouts: { command: 200 } });
    const error = await rejection(pop.noop());
    expect(MailError.hasCode(error, 'MAIL_TIMEOUT') && error.phase).toBe('command');
  });

  it('a message over maxMessageSize is MAIL_RESPONSE_TOO_LARGE', async () => {
    const server = await fakeServer({ mailbox: ['x'.repeat(5000) + '\r\n'] });
    const pop = await connectTo(server, { maxMessageSize: 1000 });
    await pop.login('alice', 'secret');
    expect(MailError.hasCode(await rejection(pop.retr(1)), 'MAIL_RESPONSE_TOO_LARGE')).toBe(true);
    expect(pop.state).toBe('CLOSED');
  });
});

describe('arguments', () => {
  it('CR, LF and NUL in arguments are refused before any I/O', async () => {
    const server = await fakeServer();
    const pop = await connectTo(server);
    const before = server.commands().length;
    for (const attempt of [pop.user('a\r\nDELE 1'), pop.pass('x\ny'), pop.apop('a\0', 'b'), pop.lang('en\r\nQUIT')]) {
      expect(MailError.hasCode(await rejection(attempt), 'MAIL_INVALID_ARGUMENT')).toBe(true);
    }
    expect(() => pop.retr(0)).toThrow(MailError);
    expect(() => pop.top(1.5, 1)).toThrow(MailError);
    expect(() => pop.retrMany([1, 0])).toThrow(MailError);
    expect(() => pop.retrMany([2, 2], { delete: true })).toThrow(MailError);
    expect(server.commands().length).toBe(before);
  });
});

describe('POP3.connect defaults', () => {
  it('validates maxMessageSize before connecting', async () => {
    const error = await rejection(POP3.connect({ host: '127.0.0.1', port: 1, maxMessageSize: 0 }));
    expect(MailError.hasCode(error, 'MAIL_INVALID_ARGUMENT')).toBe(true);
  });

  it('refuses a plaintext server on an implicit-TLS port', async () => {
    const server = await fakeServer();
    const error = await rejection(POP3.connect({ host: '127.0.0.1', port: server.port, tls: { ca: server.ca }, timeout: 3000 }));
    expect(MailError.is(error)).toBe(true);
    expect(server.commands()).toEqual([]);
  });
});
