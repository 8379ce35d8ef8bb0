// sendMessage (smtplib's send_message): envelope from the headers, Bcc removed, Resent-*
// blocks, SMTPUTF8 when the headers need it.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { client, failure, fake, noChunking } from './helpers.js';

describe('sendMessage', () => {
  it('takes the envelope from From/To/Cc/Bcc and strips Bcc from what is sent', async () => {
    const server = await fake({ extensions: noChunking });
    const smtp = await client(server);
    const message = 'From: Alice <alice@x.test>\nTo: "Doe, John" <john@y.test>, bob@y.test\nCc: team: c1@y.test, C2 <c2@y.test>;\nBcc: hidden@z.test,\n  john@y.test\nSubject: hi\n\nBcc: stays in the body\n';
    const result = await smtp.sendMessage(message);
    expect(result.accepted.map((r) => r.address)).toEqual(['john@y.test', 'bob@y.test', 'c1@y.test', 'c2@y.test', 'hidden@z.test']);
    expect(server.messages[0]!.from).toBe('alice@x.test');
    expect(server.messages[0]!.content.toString()).toBe('From: Alice <alice@x.test>\r\nTo: "Doe, John" <john@y.test>, bob@y.test\r\nCc: team: c1@y.test, C2 <c2@y.test>;\r\nSubject: hi\r\n\r\nBcc: stays in the body\r\n');
  });

  it('prefers Sender, and the topmost Resent-* block when the message was resent', async () => {
    const server = await fake({ extensions: noChunking });
    const smtp = await client(server);
    const message = [
      'Resent-From: r2@x.test', 'Resent-To: new2@y.test', 'Resent-Bcc: secret2@y.test', 'Resent-Date: Thu, 26 Nov 2026 12:00:00 +0000',
      'Resent-From: r1@x.test', 'Resent-To: old@y.test', 'Resent-Date: Wed, 25 Nov 2026 12:00:00 +0000',
      'Sender: s@x.test', 'From: a@x.test', 'To: orig@y.test', '', 'body', '',
    ].join('\r\n');
    await smtp.sendMessage(message);
    expect(server.messages[0]!.from).toBe('r2@x.test');
    expect(server.messages[0]!.to).toEqual(['new2@y.test', 'secret2@y.test']);
    expect(server.messages[0]!.content.toString()).not.toContain('secret2');
    await smtp.sendMessage('Sender: s@x.test\r\nFrom: a@x.test\r\nTo: t@y.test\r\n\r\nx\r\n');
    expect(server.messages[1]!.from).toBe('s@x.test');
  });

  it('explicit from/to win; a streamed message works; UTF-8 headers ask for SMTPUTF8', async () => {
    const server = await fake({ extensions: noChunking });
    const smtp = await client(server);
    const stream = Readable.from(['From: Jörg <jörg@x.test>\nTo: ü@y.test\nBcc: b@y.test\nSubject: Grüße\n', '\nHallo\n']);
    await smtp.sendMessage(stream);
    expect(server.commands().find((c) => c.startsWith('MAIL'))).toMatch(/^MAIL FROM:<jörg@x\.test> SIZE=\d+ BODY=8BITMIME SMTPUTF8$/);
    expect(server.messages[0]!.to).toEqual(['ü@y.test', 'b@y.test']);
    expect(server.messages[0]!.content.toString()).toBe('From: Jörg <jörg@x.test>\r\nTo: ü@y.test\r\nSubject: Grüße\r\n\r\nHallo\r\n');
    await smtp.sendMessage('From: a@x.test\r\nTo: t@y.test\r\n\r\nx\r\n', { from: 'env@x.test', to: ['other@y.test'] });
    expect([server.messages[1]!.from, server.messages[1]!.to]).toEqual(['env@x.test', ['other@y.test']]);
  });

  it('refuses a message without sender or recipients before anything is written', async () => {
    const server = await fake();
    const smtp = await client(server);
    expect((await failure(smtp.sendMessage('Subject: x\r\n\r\nx\r\n'))).code).toBe('MAIL_INVALID_ARGUMENT');
    expect((await failure(smtp.sendMessage('From: a@x.test\r\n\r\nx\r\n'))).code).toBe('MAIL_INVALID_ARGUMENT');
    expect(server.commands()).toEqual(['EHLO client.test']);
  });
});
