// LMTP (RFC 2033): LHLO, and one reply per accepted recipient after DATA and after BDAT
// LAST (§4.2), against Dovecot LMTP (tooling/peers) and a scripted fake server; Unix sockets.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCI, lmtpInstalled } from '@mail/peers';
import { describe, expect, it } from 'vitest';
import { LMTP, SMTPRecipientsRefusedError } from '../src/index.js';
import { failure, fake } from './helpers.js';
import { fetchAndDelete } from './pop3-readback.js';
import { normalized, peer, peerSuite } from './peers.js';

const LHLO = '250-fake.lmtp\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 CHUNKING\r\n';

describe('LMTP against a scripted server', () => {
  it.each([['DATA', 'DATA_END', false], ['BDAT', 'BDAT', true]] as const)('one typed result per recipient after %s', async (_via, verb, chunking) => {
    const server = await fake();
    server.on('LHLO', () => LHLO);
    server.once('RCPT', '250 2.1.5 ok\r\n', '550 5.1.1 <b@x.test> no such user\r\n', '250 2.1.5 ok\r\n', '250 2.1.5 ok\r\n');
    server.once(verb, '250 2.0.0 <a@x.test> delivered\r\n452 4.2.2 <c@x.test> over quota\r\n250 2.0.0 <d@x.test> delivered\r\n');
    await using lmtp = await LMTP.connect({ host: server.host, port: server.port, security: 'none', localName: 'client.test', chunking, timeout: 5000 });
    const result = await lmtp.sendMail({ from: 's@x.test', to: ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test'], message: 'Subject: l\r\n\r\nhi\r\n' });
    expect(server.commands()[0]).toBe('LHLO client.test');
    expect(result.accepted).toEqual([
      { address: 'a@x.test', code: 250, enhancedStatus: '2.0.0', text: '<a@x.test> delivered' },
      { address: 'd@x.test', code: 250, enhancedStatus: '2.0.0', text: '<d@x.test> delivered' },
    ]);
    expect(result.rejected).toEqual([
      { address: 'b@x.test', code: 550, enhancedStatus: '5.1.1', text: '<b@x.test> no such user' },
      { address: 'c@x.test', code: 452, enhancedStatus: '4.2.2', text: '<c@x.test> over quota' },
    ]);
    // The session stays in sync after the per-recipient replies.
    expect((await lmtp.noop()).code).toBe(250);
  });

  it('throws SMTPRecipientsRefusedError when delivery failed for every recipient', async () => {
    const server = await fake({ extensions: ['PIPELINING'] });
    server.on('LHLO', () => '250-fake.lmtp\r\n250 PIPELINING\r\n');
    server.once('DATA_END', '450 4.2.0 <a@x.test> try later\r\n550 5.2.2 <b@x.test> full\r\n');
    await using lmtp = await LMTP.connect({ host: server.host, port: server.port, security: 'none', localName: 'client.test', timeout: 5000 });
    const error = await failure(lmtp.sendMail({ from: 's@x.test', to: ['a@x.test', 'b@x.test'], message: 'x\r\n' }));
    expect(SMTPRecipientsRefusedError.is(error)).toBe(true);
    expect((error as SMTPRecipientsRefusedError).errors.map((e) => [e.recipient, e.reply.code])).toEqual([['a@x.test', 450], ['b@x.test', 550]]);
  });
});

const [skipPostfix, postfixTitle] = peerSuite('postfix', 'real Dovecot LMTP');
// Dovecot listens on LMTP only when dovecot-lmtpd is installed (CI installs it).
const noLmtp = !lmtpInstalled() && !inCI();
const [skip, title] = [skipPostfix || noLmtp, noLmtp ? `${postfixTitle} (SKIPPED: dovecot-lmtpd not installed)` : postfixTitle];

describe.skipIf(skip)(title, () => {
  const lmtpPort = (): number => {
    const port = peer('postfix').ports.lmtp;
    if (port === undefined) throw new Error('Dovecot LMTP is not running (dovecot-lmtpd missing?)');
    return port;
  };

  it.each([['BDAT', true], ['DATA', false]] as const)('delivers per recipient over %s and rejects an unknown user at RCPT', async (_via, chunking) => {
    const pf = peer('postfix');
    await using lmtp = await LMTP.connect({ host: pf.host, port: lmtpPort(), security: 'none', localName: 'client.test', chunking, timeout: 10_000 });
    expect(lmtp.hasExtension('CHUNKING')).toBe(true);
    const id = randomUUID();
    const message = `From: <s@example.test>\nSubject: lmtp\nMessage-ID: <${id}@client.test>\n\nvia LMTP\n.dot\n`;
    const user = pf.user!;
    const result = await lmtp.sendMail({ from: 's@example.test', to: [`${user}@one.test`, 'nosuch-user@example.test', `${user}@two.test`], message });
    expect(result.accepted.map((r) => [r.address, r.code])).toEqual([[`${user}@one.test`, 250], [`${user}@two.test`, 250]]);
    expect(result.rejected).toEqual([expect.objectContaining({ address: 'nosuch-user@example.test', code: 550, enhancedStatus: '5.1.1' })]);
    const account = { host: pf.host, port: pf.ports.pop3!, user, pass: pf.pass! };
    for (let i = 0; i < 2; i++) {
      const got = await fetchAndDelete(account, id);
      const sent = normalized(message);
      expect(got.subarray(got.length - sent.length).equals(sent)).toBe(true);
    }
  });

  it.each([['BDAT', true], ['DATA', false]] as const)('pipelines several messages over %s, each with its per-recipient results', async (_via, chunking) => {
    const pf = peer('postfix');
    await using lmtp = await LMTP.connect({ host: pf.host, port: lmtpPort(), security: 'none', localName: 'client.test', chunking, timeout: 10_000 });
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const results = await Promise.all(ids.map((id) => lmtp.sendMail({
      from: 's@example.test', to: [`${pf.user}@a.test`, 'nobody-here@example.test', `${pf.user}@b.test`], message: `Message-ID: <${id}@client.test>\n\nbatch\n`,
    })));
    for (const r of results) {
      expect(r.accepted.map((a) => a.code)).toEqual([250, 250]);
      expect(r.rejected.map((a) => a.address)).toEqual(['nobody-here@example.test']);
    }
    const account = { host: pf.host, port: pf.ports.pop3!, user: pf.user!, pass: pf.pass! };
    for (const id of ids) for (let i = 0; i < 2; i++) await fetchAndDelete(account, id);
  });

  it('connects over a Unix socket (path)', async () => {
    const pf = peer('postfix');
    const dir = mkdtempSync(join(tmpdir(), 'lmtp-sock-'));
    const path = join(dir, 'lmtp.sock');
    // A Unix socket in front of Dovecot's TCP listener: the socket handling is ours to test.
    const proxy = createServer((client) => {
      const upstream = createConnection({ host: pf.host, port: lmtpPort() });
      client.pipe(upstream).pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(path, r));
    try {
      await using lmtp = await LMTP.connect({ path, localName: 'client.test', timeout: 10_000 });
      expect(lmtp.secure).toBe(false);
      const id = randomUUID();
      const result = await lmtp.sendMail({ from: 's@example.test', to: `${pf.user}@example.test`, message: `Message-ID: <${id}@client.test>\n\nunix\n` });
      expect(result.accepted).toHaveLength(1);
      await fetchAndDelete({ host: pf.host, port: pf.ports.pop3!, user: pf.user!, pass: pf.pass! }, id);
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
