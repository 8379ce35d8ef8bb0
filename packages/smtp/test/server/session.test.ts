import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServerReplyError, type SMTPServer } from '@mail/smtp/server';
import { RawClient } from '@mail/test-servers';
import { startRecording } from './helpers.js';

let server: SMTPServer | undefined;
afterEach(async () => {
  RawClient.closeAll();
  await server?.close();
  server = undefined;
});

async function open(options: Parameters<typeof startRecording>[0] = {}) {
  const started = await startRecording(options);
  server = started.server;
  const client = await RawClient.open(started.port);
  expect(await client.reply()).toMatch(/^220 mx\.test (ESMTP|LMTP) ready/);
  return { ...started, client };
}

describe('SMTP server session', () => {
  it('announces the extensions in EHLO', async () => {
    const { client } = await open();
    client.write('EHLO client.test\r\n');
    const ehlo = await client.reply();
    const lines = ehlo.split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe('250-mx.test Hello client.test');
    expect(lines.slice(1).map((l) => l.slice(4))).toEqual(['PIPELINING', 'SIZE 33554432', '8BITMIME', 'SMTPUTF8', 'CHUNKING', 'DSN', 'ENHANCEDSTATUSCODES', 'STARTTLS']);
    expect(lines.at(-1)).toBe('250 STARTTLS');
    expect(ehlo).not.toContain('AUTH'); // no AUTH configured, and never before TLS
  });

  it('runs a pipelined transaction and delivers the exact bytes, unstuffed', async () => {
    const { client, received } = await open();
    client.write('EHLO c\r\nMAIL FROM:<a@x.test> BODY=8BITMIME SIZE=100\r\nRCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@y.test\r\nRCPT TO:<c@y.test>\r\nDATA\r\n');
    await client.reply();
    expect(await client.reply()).toBe('250 2.1.0 Sender OK\r\n');
    expect(await client.reply()).toBe('250 2.1.5 Recipient OK\r\n');
    expect(await client.reply()).toBe('250 2.1.5 Recipient OK\r\n');
    expect(await client.reply()).toMatch(/^354 /);
    client.write('Subject: hi\r\n\r\n..dot line\r\n.\r\n');
    expect(await client.reply()).toMatch(/^250 2\.0\.0 OK queued as [0-9A-F]{12}\r\n$/);
    expect(received).toHaveLength(1);
    expect(received[0]!.data.toString()).toBe('Subject: hi\r\n\r\n.dot line\r\n');
    expect(received[0]!.envelope.mailFrom).toEqual({ address: 'a@x.test', params: { BODY: '8BITMIME', SIZE: '100' } });
    expect(received[0]!.envelope.rcptTo.map((r) => r.address)).toEqual(['b@y.test', 'c@y.test']);
    expect(received[0]!.envelope.rcptTo[0]!.params).toEqual({ NOTIFY: 'SUCCESS,FAILURE', ORCPT: 'rfc822;b@y.test' });
    expect(received[0]!.envelope.body).toBe('8BITMIME');
  });

  it('enforces the command sequence', async () => {
    const { client } = await open();
    client.write('MAIL FROM:<a@x>\r\n');
    expect(await client.reply()).toMatch(/^503 5\.5\.1 /);
    client.write('EHLO c\r\n');
    await client.reply();
    client.write('RCPT TO:<b@y>\r\nDATA\r\nMAIL FROM:<a@x>\r\nMAIL FROM:<a@x>\r\nDATA\r\nRSET\r\nFOO\r\nVRFY x\r\nNOOP\r\nQUIT\r\n');
    expect(await client.reply()).toMatch(/^503 5\.5\.1 Need MAIL/);
    expect(await client.reply()).toMatch(/^503 5\.5\.1 Need MAIL/);
    expect(await client.reply()).toMatch(/^250 2\.1\.0/);
    expect(await client.reply()).toMatch(/^503 5\.5\.1 Nested/);
    expect(await client.reply()).toMatch(/^554 5\.5\.1 No valid recipients/);
    expect(await client.reply()).toBe('250 2.0.0 OK\r\n');
    expect(await client.reply()).toMatch(/^500 5\.5\.2/);
    expect(await client.reply()).toMatch(/^252 /);
    expect(await client.reply()).toBe('250 2.0.0 OK\r\n');
    expect(await client.reply()).toMatch(/^221 2\.0\.0/);
    await client.waitClosed();
  });

  it('checks ESMTP parameters', async () => {
    const { client } = await open({ limits: { maxMessageSize: 1000 } });
    client.write('EHLO c\r\n');
    await client.reply();
    client.write('MAIL FROM:<a@x> SIZE=1001\r\nMAIL FROM:<a@x> FOO=1\r\nMAIL FROM:<a@x> BODY=BINARYMIME\r\nMAIL FROM:<ä@x>\r\nMAIL FROM:<ä@x> SMTPUTF8\r\nRCPT TO:<b@y> NOTIFY=BOGUS\r\nRCPT TO:<>\r\n');
    expect(await client.reply()).toMatch(/^552 5\.3\.4/);
    expect(await client.reply()).toMatch(/^555 5\.5\.4/);
    expect(await client.reply()).toMatch(/^501 5\.5\.4/);
    expect(await client.reply()).toMatch(/^553 5\.6\.7/);
    expect(await client.reply()).toMatch(/^250 2\.1\.0/);
    expect(await client.reply()).toMatch(/^501 5\.5\.4/);
    expect(await client.reply()).toMatch(/^501 5\.1\.3/);
  });

  it('lets hooks accept, defer or reject senders, recipients and messages', async () => {
    const { client, received } = await open({
      onMailFrom: (from) => (from.address === 'spam@x' ? { code: 550, message: 'Go away' } : undefined),
      onRcptTo: (to) => {
        if (to.address === 'later@y') return { code: 450, enhanced: '4.2.1', message: 'Mailbox busy' };
        if (to.address === 'boom@y') throw new Error('database down: secret detail');
        return undefined;
      },
      async onData(message) {
        for await (const _ of message) void _;
        throw new SMTPServerReplyError(554, 'Content refused', '5.7.1');
      },
    });
    client.write('EHLO c\r\nMAIL FROM:<spam@x>\r\nMAIL FROM:<ok@x>\r\nRCPT TO:<later@y>\r\nRCPT TO:<boom@y>\r\nRCPT TO:<fine@y>\r\nDATA\r\n');
    await client.reply();
    expect(await client.reply()).toBe('550 5.1.0 Go away\r\n');
    expect(await client.reply()).toMatch(/^250 /);
    expect(await client.reply()).toBe('450 4.2.1 Mailbox busy\r\n');
    expect(await client.reply()).toBe('451 4.3.0 Local error in processing\r\n');
    expect(await client.reply()).toMatch(/^250 2\.1\.5/);
    expect(await client.reply()).toMatch(/^354/);
    client.write('x\r\n.\r\n');
    expect(await client.reply()).toBe('554 5.7.1 Content refused\r\n');
    expect(received).toHaveLength(0);
  });

  it('refuses bare LF and bare CR in DATA (RFC 5321 §2.3.8) and never delivers', async () => {
    const { client, received } = await open();
    client.write('EHLO c\r\n');
    await client.reply();
    for (const body of ['a\nb\r\n', 'a\rb\r\n', 'a\r\n.\nMAIL FROM:<x@y>\r\n', 'x\r\n\n.\r\n', 'x\n.\r\nMAIL FROM:<x@y>\r\n', 'x\r\n.\r\r\n']) {
      client.write('MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n');
      await client.reply();
      await client.reply();
      expect(await client.reply()).toMatch(/^354/);
      client.write(`${body}.\r\n`);
      expect(await client.reply()).toMatch(/^554 5\.6\.0 /);
    }
    expect(received).toHaveLength(0);
    client.write('NOOP\r\n');
    expect(await client.reply()).toBe('250 2.0.0 OK\r\n');
  });

  it('refuses bare LF in a command line', async () => {
    const { client } = await open();
    client.write('EHLO c\nNOOP\r\n');
    expect(await client.reply()).toMatch(/^500 5\.5\.2 Bare/);
    expect(await client.reply()).toBe('250 2.0.0 OK\r\n');
  });

  it('refuses a message over the size limit after reading it', async () => {
    const { client, received } = await open({ limits: { maxMessageSize: 100 } });
    client.write('EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n');
    for (let i = 0; i < 3; i++) await client.reply();
    expect(await client.reply()).toMatch(/^354/);
    client.write(`${'x'.repeat(70)}\r\n${'y'.repeat(70)}\r\n.\r\nNOOP\r\n`);
    expect(await client.reply()).toMatch(/^552 5\.3\.4/);
    expect(await client.reply()).toBe('250 2.0.0 OK\r\n');
    expect(received).toHaveLength(0);
  });

  it('receives BDAT chunks as one message, and CRLF split across chunks', async () => {
    const { client, received } = await open();
    client.write('EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 7\r\nline 1\rBDAT 10 LAST\r\n\n.line 2\r\n');
    for (let i = 0; i < 3; i++) await client.reply();
    expect(await client.reply()).toBe('250 2.0.0 7 octets received\r\n');
    expect(await client.reply()).toMatch(/^250 2\.0\.0 OK queued/);
    expect(received[0]!.data.toString()).toBe('line 1\r\n.line 2\r\n');
    expect(received[0]!.envelope.transfer).toBe('BDAT');
    client.write('MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 3\r\nabcRSET\r\nNOOP\r\n');
    await client.reply();
    await client.reply();
    expect(await client.reply()).toMatch(/^250 2\.0\.0 3 octets/);
    expect(await client.reply()).toMatch(/^503 5\.5\.1 Expected BDAT/);
    expect(await client.reply()).toBe('250 2.0.0 OK\r\n');
    expect(received).toHaveLength(1);
  });

  it('speaks LMTP: LHLO and one reply per recipient', async () => {
    const { client } = await open({
      lmtp: true,
      async onData(message, envelope) {
        for await (const _ of message) void _;
        return envelope.rcptTo.map((r) => (r.address.startsWith('full') ? { code: 452, enhanced: '4.2.2', message: 'Over quota' } : undefined));
      },
    });
    client.write('EHLO c\r\nLHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<one@y>\r\nRCPT TO:<full@y>\r\nDATA\r\n');
    expect(await client.reply()).toMatch(/^500 /);
    await client.reply();
    await client.reply();
    await client.reply();
    await client.reply();
    expect(await client.reply()).toMatch(/^354/);
    client.write('hi\r\n.\r\n');
    expect(await client.reply()).toMatch(/^250 2\.0\.0 OK/);
    expect(await client.reply()).toBe('452 4.2.2 Over quota\r\n');
  });

  it('LMTP over BDAT: one reply per recipient after the LAST chunk', async () => {
    const { client, received } = await open({
      lmtp: true,
      async onData(message, envelope) {
        const parts: Buffer[] = [];
        for await (const c of message) parts.push(c);
        received.push({ envelope, data: Buffer.concat(parts), user: undefined });
        return [undefined, { code: 550, enhanced: '5.1.1', message: 'No such user' }];
      },
    });
    client.write('LHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<one@y>\r\nRCPT TO:<two@y>\r\nBDAT 4\r\nab\r\nBDAT 0 LAST\r\n');
    for (let i = 0; i < 4; i++) await client.reply();
    expect(await client.reply()).toBe('250 2.0.0 4 octets received\r\n');
    expect(await client.reply()).toMatch(/^250 2\.0\.0 OK queued/);
    expect(await client.reply()).toBe('550 5.1.1 No such user\r\n');
    expect(received[0]!.data.toString()).toBe('ab\r\n');
  });

  it('limits recipients with 452 (RFC 5321 §4.5.3.1.10)', async () => {
    const { client } = await open({ limits: { maxRecipients: 2 } });
    client.write('EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<1@y>\r\nRCPT TO:<2@y>\r\nRCPT TO:<3@y>\r\n');
    for (let i = 0; i < 4; i++) await client.reply();
    expect(await client.reply()).toMatch(/^452 4\.5\.3/);
  });

  it('closes after too many bad commands', async () => {
    const { client } = await open({ limits: { maxBadCommands: 3 } });
    client.write('X\r\nY\r\nZ\r\n');
    await client.reply();
    await client.reply();
    expect(await client.until('421 4.7.0')).toContain('500');
    await client.waitClosed();
  });
});
