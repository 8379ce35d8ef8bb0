// Against real Postfix (tooling/peers): STARTTLS, AUTH PLAIN/LOGIN/CRAM-MD5 via Dovecot,
// plain/8-bit/SMTPUTF8/DSN messages over BDAT and DATA, a pipelined batch, and every message
// read back through Dovecot POP3, byte-identical to what was sent after normalisation.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SMTP, SMTPAuthenticationError, type SMTPConnectOptions } from '../src/index.js';
import { failure } from './helpers.js';
import { fetchAndDelete } from './pop3-readback.js';
import { normalized, peer, peerSuite } from './peers.js';

const [skip, title] = peerSuite('postfix', 'real Postfix');

function connectPostfix(extra: Partial<SMTPConnectOptions> = {}): Promise<SMTP> {
  const pf = peer('postfix');
  return SMTP.connect({ host: pf.host, port: pf.ports.smtp!, security: 'starttls', tls: { ca: pf.caPem }, localName: 'client.test', timeout: 20_000, ...extra });
}

function account(): { host: string; port: number; user: string; pass: string } {
  const pf = peer('postfix');
  return { host: pf.host, port: pf.ports.pop3!, user: pf.user!, pass: pf.pass! };
}

/** A message with every header Postfix would otherwise add, so delivery only prepends trace headers. */
function message(id: string, subject: string, body: string, from = 'sender@example.test', to = 'rcpt@example.test'): string {
  return `From: <${from}>\nTo: <${to}>\nSubject: ${subject}\nDate: Thu, 26 Nov 2026 12:00:00 +0000\nMessage-ID: <${id}@client.test>\n\n${body}`;
}

/** What Dovecot returns = Postfix/Dovecot trace headers + exactly what we sent (normalised). */
function expectDelivered(got: Buffer, sent: Buffer): void {
  expect(got.length).toBeGreaterThan(sent.length);
  const tail = got.subarray(got.length - sent.length);
  expect(tail.equals(sent)).toBe(true);
  const prefix = got.subarray(0, got.length - sent.length).toString('utf8');
  for (const line of prefix.split('\r\n').slice(0, -1)) expect(line).toMatch(/^(Return-Path|Delivered-To|Received|X-Original-To): |^[ \t]/);
}

describe.skipIf(skip)(title, () => {
  it.each(['PLAIN', 'LOGIN', 'CRAM-MD5'])('STARTTLS then AUTH %s, capabilities asked again after each', async (mech) => {
    const trace: string[] = [];
    await using smtp = await connectPostfix({ debug: 1, logger: (line) => trace.push(line) });
    expect(smtp.secure).toBe(true);
    expect(smtp.hasExtension('STARTTLS')).toBe(false);
    expect(smtp.capabilities.auth).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN']));
    const pf = peer('postfix');
    const reply = await smtp.auth(mech, { username: pf.user!, password: pf.pass! });
    expect(reply.code).toBe(235);
    expect(reply.enhancedStatus).toBe('2.7.0');
    const sent = trace.flatMap((l) => /\] C: (EHLO|STARTTLS|AUTH \S+)/.exec(l)?.[1] ?? []);
    expect(sent).toEqual(['EHLO', 'STARTTLS', 'EHLO', `AUTH ${mech}`, 'EHLO']);
    expect(trace.join('\n')).not.toContain(pf.pass!);
  });

  it('login() picks the strongest mechanism both sides allow (SCRAM-SHA-256 via Dovecot)', async () => {
    const trace: string[] = [];
    await using smtp = await connectPostfix({ debug: 1, logger: (line) => trace.push(line) });
    const pf = peer('postfix');
    expect((await smtp.login(pf.user!, pf.pass!)).code).toBe(235);
    expect(trace.some((l) => l.includes('C: AUTH SCRAM-SHA-256 ****'))).toBe(true);
  });

  it('a wrong password is SMTPAuthenticationError (535) quoting the server', async () => {
    await using smtp = await connectPostfix();
    const error = await failure(smtp.login(peer('postfix').user!, 'wrong-password'));
    expect(SMTPAuthenticationError.is(error)).toBe(true);
    expect((error as SMTPAuthenticationError).reply.code).toBe(535);
    expect(error.message).not.toContain('wrong-password');
  });

  const cases: Array<[string, () => { id: string; from: string; to: string; text: string }]> = [
    ['plain ASCII with dots and bare LFs', () => ({ id: randomUUID(), from: 'sender@example.test', to: 'rcpt@example.test', text: '.leading dot\n..two\nbare LF\r\nCRLF\rbare CR\n.\nend' })],
    ['8-bit body', () => ({ id: randomUUID(), from: 'sender@example.test', to: 'rcpt@example.test', text: 'Caf\u00e9 cr\u00e8me \u2013 8-bit text\n' })],
    ['SMTPUTF8 addresses and header', () => ({ id: randomUUID(), from: 'j\u00f6ran@example.test', to: '\u00fcn\u00efcode@example.test', text: 'Gr\u00fc\u00dfe\n' })],
  ];

  describe.each([['BDAT', true], ['DATA', false]] as const)('via %s', (via, chunking) => {
    it.each(cases)('%s is delivered byte-identical', async (_name, make) => {
      const { id, from, to, text } = make();
      await using smtp = await connectPostfix({ chunking });
      const pf = peer('postfix');
      await smtp.login(pf.user!, pf.pass!);
      const raw = message(id, `${via} \u00e9`.includes('\u00e9') && from.startsWith('j') ? 'Gr\u00fc\u00dfe' : via, text, from, to);
      const result = await smtp.sendMail({ from, to, message: raw });
      expect(result.accepted).toEqual([expect.objectContaining({ address: to, code: 250 })]);
      expect(result.response.queueId).toMatch(/^[0-9A-Za-z]+$/);
      const got = await fetchAndDelete(account(), id);
      expectDelivered(got, normalized(raw));
    });
  });

  it('DSN parameters (RET, ENVID, NOTIFY, ORCPT) are accepted and the message delivered', async () => {
    await using smtp = await connectPostfix();
    const id = randomUUID();
    const raw = message(id, 'dsn', 'with DSN\n');
    const result = await smtp.sendMail({
      from: 'sender@example.test', to: [{ address: 'rcpt@example.test', notify: ['FAILURE', 'DELAY'] }], message: raw,
      dsn: { ret: 'HDRS', envid: `env ${id}`, orcpt: true },
    });
    expect(result.accepted[0]!.code).toBe(250);
    expectDelivered(await fetchAndDelete(account(), id), normalized(raw));
  });

  it('pipelines a batch of messages on one connection and delivers each', async () => {
    await using smtp = await connectPostfix();
    const ids = Array.from({ length: 10 }, () => randomUUID());
    const results = await Promise.all(ids.map((id, i) => smtp.sendMail({ from: 'sender@example.test', to: ['a@example.test', 'b@example.test'], message: message(id, `batch ${i}`, `n ${i}\n`) })));
    expect(results.every((r) => r.accepted.length === 2)).toBe(true);
    expect(new Set(results.map((r) => r.response.queueId)).size).toBe(10);
    for (const [i, id] of ids.entries()) {
      const got = await fetchAndDelete(account(), id);
      expectDelivered(got, normalized(message(id, `batch ${i}`, `n ${i}\n`)));
      await fetchAndDelete(account(), id); // the second recipient's copy
    }
  });

  it('partial success: an unknown domain is rejected, the rest delivered', async () => {
    await using smtp = await connectPostfix();
    const id = randomUUID();
    const result = await smtp.sendMail({ from: 'sender@example.test', to: ['ok@example.test', 'x@elsewhere.invalid'], message: message(id, 'partial', 'p\n') });
    expect(result.accepted.map((r) => r.address)).toEqual(['ok@example.test']);
    expect(result.rejected).toEqual([expect.objectContaining({ address: 'x@elsewhere.invalid', code: 554, enhancedStatus: '5.7.1', text: '<x@elsewhere.invalid>: Relay access denied' })]);
    await fetchAndDelete(account(), id);
  });
});
