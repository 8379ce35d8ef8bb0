// sendMail against the scripted fake server: pipelining, reply matching, partial success,
// BDAT, results. What the server received is asserted byte for byte.
import { describe, expect, it } from 'vitest';
import { SMTPRecipientsRefusedError, SMTPSenderRefusedError } from '../src/index.js';
import { client, failure, fake, noChunking, readsWith } from './helpers.js';

const message = 'Subject: hi\r\n\r\nHello\r\n';

describe('pipelined transaction (RFC 2920)', () => {
  it('sends MAIL, every RCPT and DATA in one write and matches replies in order, a rejected RCPT in the middle', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('RCPT', '250 2.1.5 Ok\r\n', '550 5.1.1 <b@y.test>: User unknown\r\n', '250 2.1.5 Ok\r\n');
    const smtp = await client(server);
    const result = await smtp.sendMail({ from: 'a@x.test', to: ['a@y.test', 'b@y.test', 'c@y.test'], message });

    const envelope = 'MAIL FROM:<a@x.test> SIZE=22\r\nRCPT TO:<a@y.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n';
    expect(readsWith(server, 'MAIL FROM')).toEqual([envelope]);
    expect(result.accepted.map((r) => r.address)).toEqual(['a@y.test', 'c@y.test']);
    expect(result.rejected).toEqual([{ address: 'b@y.test', code: 550, enhancedStatus: '5.1.1', text: '<b@y.test>: User unknown' }]);
    expect(result.response.code).toBe(250);
    expect(result.response.queueId).toMatch(/^FAKE1Q\d+$/);
    expect(server.messages[0]!.to).toEqual(['a@y.test', 'c@y.test']);
    expect(server.messages[0]!.content.toString()).toBe(message);
    expect(result.bytesSent).toBe(envelope.length + message.length + 3);
    expect(result.timings.total).toBeGreaterThanOrEqual(result.timings.envelope);
  });

  it('sends the whole small message in the envelope write with BDAT LAST when CHUNKING is offered', async () => {
    const server = await fake();
    const smtp = await client(server);
    const result = await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: 'Subject: x\n\nbare LF\n.dot\n' });
    const wire = 'MAIL FROM:<a@x.test> SIZE=29\r\nRCPT TO:<b@y.test>\r\nBDAT 29 LAST\r\nSubject: x\r\n\r\nbare LF\r\n.dot\r\n';
    expect(readsWith(server, 'MAIL FROM')).toEqual([wire]);
    expect(server.messages[0]!.via).toBe('BDAT');
    expect(server.messages[0]!.content.toString()).toBe('Subject: x\r\n\r\nbare LF\r\n.dot\r\n');
    expect(result.accepted).toHaveLength(1);
  });

  it('writes the next message\'s envelope right after the final dot', async () => {
    const server = await fake({ extensions: ['PIPELINING', '8BITMIME'] });
    const smtp = await client(server);
    const results = await Promise.all([1, 2, 3].map((i) => smtp.sendMail({ from: 'a@x.test', to: `r${i}@y.test`, message: `Subject: ${i}\r\n\r\nbody ${i}\r\n` })));
    expect(results.map((r) => r.response.code)).toEqual([250, 250, 250]);
    expect(server.messages.map((m) => m.content.toString())).toEqual([1, 2, 3].map((i) => `Subject: ${i}\r\n\r\nbody ${i}\r\n`));
    const reads = server.sessions[0]!.chunks.map((c) => c.data.toString());
    expect(reads).toContain('Subject: 1\r\n\r\nbody 1\r\n.\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<r2@y.test>\r\nDATA\r\n');
    expect(reads).toContain('Subject: 2\r\n\r\nbody 2\r\n.\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<r3@y.test>\r\nDATA\r\n');
  });

  it('keeps a BDAT stream of small messages one transaction ahead', async () => {
    const server = await fake();
    const smtp = await client(server);
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => smtp.sendMail({ from: 'a@x.test', to: `r${i}@y.test`, message: `n: ${i}\r\n\r\n${i}\r\n` })));
    expect(results.map((r) => r.accepted[0]!.address)).toEqual(['r0@y.test', 'r1@y.test', 'r2@y.test', 'r3@y.test', 'r4@y.test']);
    expect(server.messages.map((m) => m.to[0])).toEqual(results.map((r) => r.accepted[0]!.address));
    // Only the first goes out on its own; from then on each message rides on the previous
    // one's write, led by a pipelined RSET (its predecessor's outcome is not known yet).
    expect(server.commands().filter((c) => c === 'RSET')).toHaveLength(4);
    const reads = server.sessions[0]!.chunks.map((c) => c.data.toString());
    expect(reads).toContain('RSET\r\nMAIL FROM:<a@x.test> SIZE=11\r\nRCPT TO:<r3@y.test>\r\nBDAT 11 LAST\r\nn: 3\r\n\r\n3\r\n');
  });

  it('throws SMTPRecipientsRefusedError when every recipient is refused, and resets before the next', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('RCPT', '550 5.1.1 no such user\r\n', '450 4.2.0 mailbox busy\r\n');
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'], message }));
    expect(SMTPRecipientsRefusedError.is(error)).toBe(true);
    const refused = error as SMTPRecipientsRefusedError;
    expect(refused.code).toBe('SMTP_RECIPIENTS_REFUSED');
    expect(refused.transient).toBe(false);
    expect(refused.errors.map((e) => [e.recipient, e.reply.code, e.reply.enhancedStatus])).toEqual([['b@y.test', 550, '5.1.1'], ['c@y.test', 450, '4.2.0']]);
    expect(refused.errors[0]!.message).toBe('RCPT TO:<b@y.test> rejected: 550 5.1.1 no such user');
    await smtp.sendMail({ from: 'a@x.test', to: 'd@y.test', message });
    expect(server.commands().slice(-4)).toEqual(['RSET', 'MAIL FROM:<a@x.test> SIZE=22', 'RCPT TO:<d@y.test>', 'DATA']);
  });

  it('throws SMTPSenderRefusedError with the quoted reply', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('MAIL', '553 5.7.1 Sender address rejected\r\n');
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message }));
    expect(SMTPSenderRefusedError.is(error)).toBe(true);
    expect(error.message).toBe('MAIL FROM:<a@x.test> SIZE=22 rejected: 553 5.7.1 Sender address rejected');
    expect(server.messages).toHaveLength(0);
    // The session is still in sync.
    expect((await smtp.noop()).code).toBe(250);
  });

  it('sends a lone dot when a server answers DATA with 354 although every RCPT failed', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('RCPT', '550 5.1.1 nope\r\n');
    server.once('DATA', '354 go ahead anyway\r\n');
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message }));
    expect(error.code).toBe('SMTP_RECIPIENTS_REFUSED');
    expect(server.messages[0]?.raw.length).toBe(0);
    expect((await smtp.noop()).code).toBe(250);
  });

  it('works without PIPELINING, one command at a time', async () => {
    const server = await fake({ extensions: ['8BITMIME'] });
    const smtp = await client(server);
    await smtp.sendMail({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'], message });
    expect(readsWith(server, 'RCPT TO')).toEqual(['RCPT TO:<b@y.test>\r\n', 'RCPT TO:<c@y.test>\r\n']);
  });

  it('sends DSN, SMTPUTF8 and 8BITMIME parameters as needed', async () => {
    const server = await fake({ extensions: noChunking });
    const smtp = await client(server);
    await smtp.sendMail({
      from: 'ü@x.test', to: [{ address: 'b@y.test', notify: ['SUCCESS', 'FAILURE'] }, 'c@y.test'],
      message: 'Subject: é\r\n\r\nbody\r\n', dsn: { ret: 'HDRS', envid: 'id+1', orcpt: true },
    });
    expect(server.commands().filter((c) => /^(MAIL|RCPT)/.test(c))).toEqual([
      'MAIL FROM:<ü@x.test> SIZE=21 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2B1',
      'RCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@y.test',
      'RCPT TO:<c@y.test> ORCPT=rfc822;c@y.test',
    ]);
  });

  it('sends 8-bit content under SMTPUTF8 when the server has SMTPUTF8 but no 8BITMIME', async () => {
    const server = await fake({ extensions: ['PIPELINING', 'SMTPUTF8'] });
    const smtp = await client(server);
    await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: 'Subject: x\r\n\r\ncafé\r\n' });
    expect(server.commands().find((c) => c.startsWith('MAIL'))).toBe('MAIL FROM:<a@x.test> SMTPUTF8');
  });

  it('refuses DSN when the server lacks it, unless told to omit it', async () => {
    const server = await fake({ extensions: ['PIPELINING'] });
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message, dsn: { ret: 'FULL' } }));
    expect(error.code).toBe('SMTP_NOT_SUPPORTED');
    expect(server.commands().some((c) => c.startsWith('MAIL'))).toBe(false);
    await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message, dsn: { ret: 'FULL', onUnsupported: 'omit' } });
    expect(server.commands().find((c) => c.startsWith('MAIL'))).toBe('MAIL FROM:<a@x.test>');
  });
});
