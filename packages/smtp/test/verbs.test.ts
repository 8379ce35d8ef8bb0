// The smtplib-named verbs one by one against the fake server: each resolves with the parsed
// reply and throws a typed error on a negative one; REQUIRETLS.
import { describe, expect, it } from 'vitest';
import { act } from '@mail/test-servers';
import { SMTPDataError, SMTPRecipientRefusedError, SMTPReplyError, SMTPSenderRefusedError } from '../src/index.js';
import { client, failure, fake } from './helpers.js';

describe('verbs', () => {
  it('MAIL, RCPT, DATA step by step, with parameters and the dot-stuffed body', async () => {
    const server = await fake();
    const smtp = await client(server);
    expect((await smtp.mail('a@x.test', { size: 12, body: '8BITMIME' })).code).toBe(250);
    const rcpt = await smtp.rcpt('b@y.test', { notify: ['FAILURE'] });
    expect([rcpt.code, rcpt.enhancedStatus]).toEqual([250, '2.1.5']);
    const final = await smtp.data('.dot\nline\n');
    expect(final.text).toMatch(/queued as/);
    expect(server.commands()).toEqual(['EHLO client.test', 'MAIL FROM:<a@x.test> SIZE=12 BODY=8BITMIME', 'RCPT TO:<b@y.test> NOTIFY=FAILURE', 'DATA']);
    expect(server.messages[0]!.raw.toString()).toBe('..dot\r\nline\r\n');
  });

  it('BDAT chunks, the last one ending the message', async () => {
    const server = await fake();
    const smtp = await client(server);
    await smtp.mail('a@x.test');
    await smtp.rcpt('b@y.test');
    expect((await smtp.bdat('part one\n')).code).toBe(250);
    expect((await smtp.bdat('part two\r', { last: true })).text).toMatch(/queued as/);
    expect(server.messages[0]!.content.toString()).toBe('part one\r\npart two\r\n');
    expect(server.commands().filter((c) => c.startsWith('BDAT'))).toEqual(['BDAT 10', 'BDAT 10 LAST']);
  });

  it('negative replies become typed errors and the session stays usable', async () => {
    const server = await fake();
    const smtp = await client(server);
    server.once('MAIL', '451 4.3.0 try later\r\n');
    const mail = await failure(smtp.mail('a@x.test'));
    expect(SMTPSenderRefusedError.is(mail) && mail.transient).toBe(true);
    await smtp.mail('a@x.test');
    server.once('RCPT', '550 5.1.1 unknown\r\n');
    expect(SMTPRecipientRefusedError.is(await failure(smtp.rcpt('b@y.test')))).toBe(true);
    await smtp.rcpt('c@y.test');
    server.once('DATA', '554 5.5.1 no\r\n');
    expect(SMTPDataError.is(await failure(smtp.data('x')))).toBe(true);
    expect((await smtp.rset()).code).toBe(250);
  });

  it('VRFY, EXPN, HELP, NOOP and the command() escape hatch', async () => {
    const server = await fake();
    const smtp = await client(server);
    expect((await smtp.verify('postmaster')).code).toBe(252);
    server.once('EXPN', '250-a@x.test\r\n250 b@x.test\r\n');
    expect((await smtp.expn('list')).lines).toEqual(['a@x.test', 'b@x.test']);
    server.once('HELP', '214 2.0.0 see RFC 5321\r\n');
    expect((await smtp.help()).text).toBe('see RFC 5321');
    expect((await smtp.noop()).code).toBe(250);
    server.once('XCLIENT', '220 ok\r\n');
    expect((await smtp.command('XCLIENT NAME=x')).code).toBe(220);
    const err = await failure(smtp.command('XFOO'));
    expect(SMTPReplyError.is(err) && (err).command).toBe('XFOO');
    expect(server.commands().slice(1)).toEqual(['VRFY postmaster', 'EXPN list', 'HELP', 'NOOP', 'XCLIENT NAME=x', 'XFOO']);
  });

  it('calls made at once never interleave on the wire', async () => {
    const server = await fake();
    server.on('NOOP', () => [act.delay(5), act.write('250 2.0.0 Ok\r\n')]);
    const smtp = await client(server);
    const replies = await Promise.all([smtp.noop(), smtp.verify('x'), smtp.noop(), smtp.rset()]);
    expect(replies.map((r) => r.code)).toEqual([250, 252, 250, 250]);
    expect(server.commands().slice(1)).toEqual(['NOOP', 'VRFY x', 'NOOP', 'RSET']);
  });

  it('quit says QUIT, reads 221 and closes', async () => {
    const server = await fake();
    const smtp = await client(server);
    expect((await smtp.quit()).code).toBe(221);
    expect(smtp.closed).toBe(true);
  });
});

describe('REQUIRETLS (RFC 8689)', () => {
  const ext = ['PIPELINING', '8BITMIME', 'REQUIRETLS'];

  it('is sent over TLS when offered', async () => {
    const server = await fake({ security: 'starttls', extensions: ext });
    const smtp = await client(server);
    await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: 'x\r\n', requireTLS: true });
    expect(server.commands({ tls: true })).toContain('MAIL FROM:<a@x.test> REQUIRETLS');
  });

  it('is refused before MAIL FROM without TLS or without the extension', async () => {
    const plain = await fake({ extensions: ext });
    const smtp = await client(plain);
    expect((await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: 'x', requireTLS: true }))).code).toBe('MAIL_TLS_REQUIRED');
    const noExt = await fake({ security: 'tls', extensions: ['PIPELINING'] });
    const tls = await client(noExt);
    expect((await failure(tls.sendMail({ from: 'a@x.test', to: 'b@y.test', message: 'x', requireTLS: true }))).code).toBe('SMTP_NOT_SUPPORTED');
    expect([...plain.commands(), ...noExt.commands()].some((c) => c.startsWith('MAIL'))).toBe(false);
  });
});
