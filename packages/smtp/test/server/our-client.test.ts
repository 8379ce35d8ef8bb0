import { afterEach, describe, expect, it } from 'vitest';
import { LMTP, SMTP } from '@mail/smtp';
import type { SMTPServer } from '@mail/smtp/server';
import { SECURITY_MODES } from '@mail/test-servers';
import { startRecording } from './helpers.js';

const users = [{ name: 'bob', password: 'pässword 1' }];
let server: SMTPServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const modes = SECURITY_MODES;

describe('our SMTP client against our SMTP server', () => {
  for (const { security, secure } of modes) {
    for (const mechanism of ['SCRAM-SHA-256', 'CRAM-MD5', 'PLAIN', 'LOGIN']) {
      it(`security=${security}, AUTH ${mechanism}`, async () => {
        const started = await startRecording({ secure, auth: { users }, allowInsecureAuth: security === 'none' });
        server = started.server;
        const smtp = await SMTP.connect({
          host: '127.0.0.1',
          port: started.port,
          security,
          tls: { ca: started.ca },
          auth: { username: 'bob', password: 'pässword 1', mechanism },
          allowPlaintextAuth: security === 'none',
          timeout: 10_000,
        });
        const message = 'Subject: modes\r\n\r\n.starts with a dot\r\nend\r\n';
        const result = await smtp.sendMail({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'], message });
        await smtp.quit();
        expect(result.accepted.map((r) => r.address)).toEqual(['b@y.test', 'c@y.test']);
        expect(started.received).toHaveLength(1);
        expect(started.received[0]!.user).toBe('bob');
        expect(started.received[0]!.data.toString()).toBe(message);
      });
    }
  }

  for (const chunking of [true, false]) {
    it(`a pipelined batch of 200 messages on one connection (${chunking ? 'BDAT' : 'DATA'})`, async () => {
      const started = await startRecording({ debug: false });
      server = started.server;
      const smtp = await SMTP.connect({ host: '127.0.0.1', port: started.port, security: 'starttls', tls: { ca: started.ca }, chunking, timeout: 10_000 });
      const sends = Array.from({ length: 200 }, (_, i) =>
        smtp.sendMail({ from: `s${i}@x.test`, to: [`r${i}@y.test`], message: `Subject: ${i}\r\n\r\nbody ${i}\r\n..\r\n` }),
      );
      const results = await Promise.all(sends);
      await smtp.quit();
      expect(results.every((r) => r.accepted.length === 1)).toBe(true);
      expect(started.received).toHaveLength(200);
      started.received.forEach((m, i) => {
        expect(m.envelope.mailFrom.address).toBe(`s${i}@x.test`);
        expect(m.envelope.transfer).toBe(chunking ? 'BDAT' : 'DATA');
        expect(m.data.toString()).toBe(`Subject: ${i}\r\n\r\nbody ${i}\r\n..\r\n`);
      });
    });
  }

  it('reports rejected recipients from the hooks', async () => {
    const started = await startRecording({ onRcptTo: (to) => (to.address.startsWith('no') ? { code: 550, enhanced: '5.1.1', message: 'User unknown' } : undefined) });
    server = started.server;
    const smtp = await SMTP.connect({ host: '127.0.0.1', port: started.port, security: 'starttls', tls: { ca: started.ca }, timeout: 10_000 });
    const result = await smtp.sendMail({ from: 'a@x.test', to: ['yes@y.test', 'no@y.test'], message: 'x\r\n' });
    await smtp.quit();
    expect(result.accepted.map((r) => r.address)).toEqual(['yes@y.test']);
    expect(result.rejected.map((r) => [r.address, r.code])).toEqual([['no@y.test', 550]]);
    expect(started.received[0]!.envelope.rcptTo.map((r) => r.address)).toEqual(['yes@y.test']);
  });

  it('LMTP client against the LMTP server: one result per recipient', async () => {
    const started = await startRecording({
      lmtp: true,
      async onData(message, envelope) {
        for await (const _ of message) void _;
        return envelope.rcptTo.map((r) => (r.address.startsWith('full') ? { code: 552, enhanced: '5.2.2', message: 'Mailbox full' } : undefined));
      },
    });
    server = started.server;
    const lmtp = await LMTP.connect({ host: '127.0.0.1', port: started.port, security: 'none', timeout: 10_000 });
    const result = await lmtp.sendMail({ from: 'a@x.test', to: ['ok@y.test', 'full@y.test'], message: 'x\r\n' });
    await lmtp.quit();
    expect(result.accepted.map((r) => r.address)).toEqual(['ok@y.test']);
    expect(result.rejected.map((r) => [r.address, r.code])).toEqual([['full@y.test', 552]]);
  });
});
