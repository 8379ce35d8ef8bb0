// Hostile and failing servers: 421, lost connections (RFC 1047), malformed replies, and
// arguments that would inject commands (refused before any write).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { act } from '@mail/test-servers';
import { SMTP, SMTPOutcomeUnknownError, SMTPServerDisconnectedError } from '../src/index.js';
import { client, failure, fake, noChunking } from './helpers.js';

const message = 'Subject: t\r\n\r\nbody\r\n';

describe('lost connections and 421', () => {
  it('421 in the middle of a transaction closes the session with a transient error', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('RCPT', '250 2.1.5 Ok\r\n', act.closeWith('421 4.3.2 Service shutting down\r\n'));
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'], message }));
    expect(SMTPServerDisconnectedError.is(error)).toBe(true);
    expect(error.transient).toBe(true);
    expect(error.message).toContain('421 4.3.2 Service shutting down');
    expect(smtp.closed).toBe(true);
    expect(server.messages).toHaveLength(0);
    const next = await failure(smtp.noop());
    expect(next.code).toMatch(/MAIL_CONNECTION_CLOSED|SMTP_SERVER_DISCONNECTED/);
  });

  it('421 as the greeting is a transient error', async () => {
    const server = await fake();
    server.once('GREETING', act.closeWith('421 4.7.0 Too many connections\r\n'));
    const error = await failure(client(server));
    expect(error.code).toBe('SMTP_SERVER_DISCONNECTED');
    expect(error.transient).toBe(true);
  });

  it.each([
    ['DATA', noChunking, 'DATA_END'],
    ['BDAT', undefined, 'BDAT'],
  ] as const)('a connection lost after the end of the message (%s) is SMTP_OUTCOME_UNKNOWN', async (_via, extensions, verb) => {
    const server = await fake(extensions ? { extensions } : {});
    server.once(verb, act.reset());
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message }));
    expect(SMTPOutcomeUnknownError.is(error)).toBe(true);
    expect(error.code).toBe('SMTP_OUTCOME_UNKNOWN');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('RFC 1047');
  });

  it('a deadline after the final dot is SMTP_OUTCOME_UNKNOWN too', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('DATA_END', act.stall());
    const smtp = await client(server, { timeouts: { data: 300 } });
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message }));
    expect(error.code).toBe('SMTP_OUTCOME_UNKNOWN');
    expect((error.cause as { code?: string }).code).toBe('MAIL_TIMEOUT');
  });

  it('a connection lost before the final dot is a transient disconnect, not outcome unknown', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('DATA', act.reset());
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message }));
    expect(error.code).toBe('SMTP_SERVER_DISCONNECTED');
    expect(error.transient).toBe(true);
  });
});

describe('malformed replies', () => {
  it('a multi-line reply with inconsistent codes is MAIL_PROTOCOL', async () => {
    const server = await fake();
    server.once('EHLO', '250-fake.example\r\n250-PIPELINING\r\n550 SIZE 100\r\n');
    const error = await failure(client(server));
    expect(error.code).toBe('MAIL_PROTOCOL');
    expect(error.message).toContain('changed code from 250 to 550');
  });

  it('a reply that is not SMTP is MAIL_PROTOCOL and closes the session', async () => {
    const server = await fake();
    const smtp = await client(server);
    server.once('NOOP', 'HTTP/1.1 400 Bad Request\r\n');
    const error = await failure(smtp.noop());
    expect(error.code).toBe('MAIL_PROTOCOL');
    expect(smtp.closed).toBe(true);
  });
});

describe('unsolicited replies (SECURITY.md promise 4)', () => {
  it('a reply nobody asked for is MAIL_PROTOCOL, never the answer to the next command', async () => {
    const server = await fake();
    const smtp = await client(server);
    await server.send('250 2.0.0 surprise\r\n');
    await new Promise((r) => setTimeout(r, 50));
    const error = await failure(smtp.noop());
    expect(error.code).toBe('MAIL_PROTOCOL');
    expect(error.message).toContain('unsolicited reply from the server: 250 2.0.0 surprise');
    expect(server.commands()).toEqual(['EHLO client.test']);
  });

  it('an unsolicited 421 (idle timeout) is the server closing the session', async () => {
    const server = await fake();
    const smtp = await client(server);
    await server.send('421 4.4.2 idle for too long\r\n');
    await new Promise((r) => setTimeout(r, 50));
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message }));
    expect(error.code).toBe('SMTP_SERVER_DISCONNECTED');
    expect(error.transient).toBe(true);
    expect(server.commands()).toEqual(['EHLO client.test']);
  });
});

describe('injection attempts are refused before any write', () => {
  const received = (server: Awaited<ReturnType<typeof fake>>): number => server.sessions[0]!.received.length;

  it.each([
    ['sender with CRLF', { from: 'a@x.test>\r\nRCPT TO:<evil@x.test', to: 'b@y.test' }],
    ['recipient with LF', { from: 'a@x.test', to: ['b@y.test', 'c@y.test\nDATA'] }],
    ['recipient with NUL', { from: 'a@x.test', to: 'b\0@y.test' }],
    ['ENVID with CRLF', { from: 'a@x.test', to: 'b@y.test', dsn: { envid: 'x\r\nRSET' } }],
    ['ORCPT with CR', { from: 'a@x.test', to: [{ address: 'b@y.test', orcpt: 'rfc822;b@y\rQUIT' }] }],
    ['NOTIFY not a condition', { from: 'a@x.test', to: [{ address: 'b@y.test', notify: ['SUCCESS\r\n' as 'SUCCESS'] }] }],
    ['extra MAIL parameter with CRLF', { from: 'a@x.test', to: 'b@y.test', mailParams: { X: 'y\r\nRSET' } }],
  ])('%s', async (_name, options) => {
    const server = await fake();
    const smtp = await client(server);
    const before = received(server);
    const error = await failure(smtp.sendMail({ message, ...options }));
    expect(error.code).toBe('MAIL_INVALID_ARGUMENT');
    await smtp.noop();
    expect(server.sessions[0]!.received.subarray(before).toString()).toBe('NOOP\r\n');
  });

  it.each([
    ['command', (s: SMTP) => s.command('NOOP\r\nRSET')],
    ['verify', (s: SMTP) => s.verify('a\nb')],
    ['mail', (s: SMTP) => s.mail('a@x.test', { envid: 'a\0' })],
    ['rcpt', (s: SMTP) => s.rcpt('b@y.test\r\n')],
    ['ehlo', (s: SMTP) => s.ehlo('x\r\nMAIL FROM:<a@b>')],
  ])('verb %s', async (_name, call) => {
    const server = await fake();
    const smtp = await client(server);
    const before = received(server);
    expect((await failure(call(smtp))).code).toBe('MAIL_INVALID_ARGUMENT');
    expect(received(server)).toBe(before);
  });

  it('an EHLO name with CRLF fails before EHLO is written', async () => {
    const server = await fake();
    const error = await failure(client(server, { localName: 'client\r\nMAIL FROM:<a@b.c>' }));
    expect(error.code).toBe('MAIL_INVALID_ARGUMENT');
    await server.idle();
    expect(server.sessions[0]!.received.length).toBe(0);
  });
});

describe('content that cannot be made safe is refused before MAIL FROM', () => {
  it.each([
    ['NUL in a text body', 'a\0b\r\n', noChunking, /NUL/],
    ['a line over 998 octets', `${'x'.repeat(999)}\r\n`, noChunking, /999 octets/],
    ['8-bit without 8BITMIME', 'caf\u00e9\r\n', ['PIPELINING'], /8-bit/],
    ['over the SIZE limit', 'x'.repeat(200), ['PIPELINING', 'SIZE 100'], /SIZE limit of 100/],
  ])('%s', async (_name, body, extensions, text) => {
    const server = await fake({ extensions });
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: body }));
    expect(error.code).toBe('SMTP_MESSAGE');
    expect(error.message).toMatch(text);
    expect(server.commands()).toEqual(['EHLO client.test']);
  });

  it('sends NUL and long lines as BINARYMIME through BDAT when offered', async () => {
    const server = await fake({ extensions: ['PIPELINING', 'CHUNKING', 'BINARYMIME', '8BITMIME'] });
    const smtp = await client(server);
    await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: Buffer.from('a\0b\r\n') });
    expect(server.commands()[1]).toBe('MAIL FROM:<a@x.test> BODY=BINARYMIME');
    expect(server.messages[0]!.content).toEqual(Buffer.from('a\0b\r\n'));
  });

  it('abandons a long stream that turns out unsafe: RSET with BDAT, nothing delivered', async () => {
    const server = await fake({ extensions: ['PIPELINING', 'CHUNKING', '8BITMIME'] });
    const smtp = await client(server);
    const chunks = [...Array.from({ length: 40 }, () => `${'y'.repeat(99)}\n`.repeat(1000)), 'bad\0\n'];
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: Readable.from(chunks) }));
    expect(error.code).toBe('SMTP_MESSAGE');
    expect(error.message).toContain('abandoned');
    expect(server.messages.filter((m) => m.accepted)).toHaveLength(0);
    expect(server.commands().at(-1)).toBe('RSET');
    expect((await smtp.noop()).code).toBe(250);
  });

  it('abandons a long DATA stream that turns out unsafe by closing before the final dot', async () => {
    const server = await fake({ extensions: noChunking });
    const smtp = await client(server);
    const chunks = [...Array.from({ length: 40 }, () => `${'y'.repeat(99)}\n`.repeat(1000)), 'bad\0\n'];
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: Readable.from(chunks) }));
    expect(error.code).toBe('SMTP_MESSAGE');
    await server.idle();
    expect(server.messages).toHaveLength(0);
    expect(smtp.closed).toBe(true);
  });
});

describe('a message source that fails midway', () => {
  async function* failing(): AsyncGenerator<string> {
    yield 'Subject: half\r\n\r\n';
    yield `${'z'.repeat(100)}\r\n`.repeat(20_000);
    throw new Error('disk read error');
  }

  it('over DATA: the connection is closed, nothing is delivered, the error is the source\'s', async () => {
    const server = await fake({ extensions: noChunking });
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: failing() }));
    expect(error.message).toBe('disk read error');
    expect(smtp.closed).toBe(true);
    await server.idle();
    expect(server.messages).toHaveLength(0);
  });

  it('over BDAT: RSET discards the chunks and the session goes on', async () => {
    const server = await fake();
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: failing() }));
    expect(error.message).toBe('disk read error');
    expect(server.commands().at(-1)).toBe('RSET');
    expect(server.messages.filter((m) => m.accepted)).toHaveLength(0);
    expect((await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: 'ok\r\n' })).accepted).toHaveLength(1);
  });
});

describe('cancellation', () => {
  it('an aborted signal rejects with MAIL_ABORTED before anything is written', async () => {
    const server = await fake();
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message, signal: AbortSignal.abort() }));
    expect(error.code).toBe('MAIL_ABORTED');
    expect(server.commands()).toEqual(['EHLO client.test']);
  });

  it('aborting a stalled command closes the connection', async () => {
    const server = await fake();
    server.once('NOOP', act.stall());
    const smtp = await client(server);
    const controller = new AbortController();
    const pending = smtp.noop({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).code).toBe('MAIL_ABORTED');
    expect(smtp.closed).toBe(true);
  });
});
