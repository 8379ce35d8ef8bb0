// STARTTLS (RFC 3207) and implicit TLS against the fake server: no plaintext fallback, no
// bytes across the boundary, capabilities asked again, AUTH only where it is safe.
import { describe, expect, it } from 'vitest';
import { act } from '@mail/test-servers';
import { SMTP } from '../src/index.js';
import { client, failure, fake } from './helpers.js';

describe('STARTTLS', () => {
  it('upgrades, verifies the certificate, and asks EHLO again over TLS', async () => {
    const server = await fake({ security: 'starttls' });
    const smtp = await client(server);
    expect(smtp.secure).toBe(true);
    expect(smtp.hasExtension('STARTTLS')).toBe(false);
    expect(smtp.hasExtension('pipelining')).toBe(true);
    expect(server.commands({ tls: false })).toEqual(['EHLO client.test', 'STARTTLS']);
    expect(server.commands({ tls: true })).toEqual(['EHLO client.test']);
    await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: 'x\r\n' });
    expect(server.messages[0]!.tls).toBe(true);
  });

  it('refuses to continue when STARTTLS is not offered (stripped)', async () => {
    const server = await fake({ security: 'starttls', hideStartTls: true });
    const error = await failure(client(server));
    expect(error.code).toBe('MAIL_TLS_REQUIRED');
    expect(server.commands()).toEqual(['EHLO client.test']);
  });

  it('refuses to continue when STARTTLS is refused', async () => {
    const server = await fake({ security: 'starttls' });
    server.once('STARTTLS', '454 4.7.0 TLS not available due to local problem\r\n');
    const error = await failure(client(server, { auth: { username: 'u', password: 'p' } }));
    expect(error.code).toBe('MAIL_TLS_REQUIRED');
    expect(error.message).toContain('454 4.7.0 TLS not available');
    expect(server.commands()).toEqual(['EHLO client.test', 'STARTTLS']);
  });

  it('detects bytes injected after the STARTTLS go-ahead', async () => {
    const server = await fake({ security: 'starttls' });
    server.once('STARTTLS', act.write('220 2.0.0 Ready\r\n250-evil.example\r\n250 AUTH PLAIN\r\n'));
    const error = await failure(client(server));
    expect(error.code).toBe('MAIL_STARTTLS_INJECTION');
    expect(server.commands()).toEqual(['EHLO client.test', 'STARTTLS']);
  });

  it('fails when the certificate does not verify', async () => {
    const server = await fake({ security: 'starttls', certificate: 'otherHost' });
    const error = await failure(client(server));
    expect(error.code).toBe('MAIL_TLS');
    expect(server.commands({ tls: true })).toEqual([]);
  });

  it('never falls back to HELO while TLS is still required', async () => {
    const server = await fake({ security: 'starttls' });
    server.once('EHLO', '502 5.5.2 command not recognized\r\n');
    const error = await failure(client(server));
    expect(error.code).toBe('SMTP_REPLY');
    expect(server.commands()).toEqual(['EHLO client.test']);
  });

  it('falls back to HELO on a plaintext session the caller chose', async () => {
    const server = await fake();
    server.once('EHLO', '500 5.5.1 what?\r\n');
    const smtp = await client(server);
    expect(server.commands()).toEqual(['EHLO client.test', 'HELO client.test']);
    expect(smtp.capabilities.keywords.size).toBe(0);
    await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: 'plain\r\n' });
    expect(server.commands().slice(-3)).toEqual(['MAIL FROM:<a@x.test>', 'RCPT TO:<b@y.test>', 'DATA']);
  });
});

describe('implicit TLS and AUTH', () => {
  it('connects with implicit TLS and logs in with the strongest mechanism (CRAM-MD5)', async () => {
    const server = await fake({ security: 'tls', users: { alice: 's3cret' } });
    const smtp = await client(server, { auth: { username: 'alice', password: 's3cret' } });
    expect(smtp.secure).toBe(true);
    const commands = server.commands();
    expect(commands).toEqual(['EHLO client.test', 'AUTH CRAM-MD5', 'EHLO client.test']);
    expect(JSON.stringify(server.transcript)).not.toContain('s3cret');
  });

  it.each(['PLAIN', 'LOGIN', 'CRAM-MD5'])('AUTH %s with a chosen mechanism; a wrong password is SMTPAuthenticationError', async (mech) => {
    const server = await fake({ security: 'tls', users: { alice: 's3cret' } });
    const smtp = await client(server);
    const error = await failure(smtp.auth(mech, { username: 'alice', password: 'wrong' }));
    expect(error.name).toBe('SMTPAuthenticationError');
    expect(error.message).toBe(`AUTH ${mech} rejected: 535 5.7.8 Error: authentication failed`);
    const ok = await smtp.auth(mech, { username: 'alice', password: 's3cret' });
    expect(ok.code).toBe(235);
  });

  it('refuses cleartext AUTH on a plaintext session unless allowed', async () => {
    const server = await fake({ extensions: ['AUTH PLAIN LOGIN'] });
    const error = await failure(client(server, { auth: { username: 'u', password: 'p' } }));
    expect(error.code).toBe('MAIL_TLS_REQUIRED');
    expect(server.commands()).toEqual(['EHLO client.test']);
    const smtp = await client(server, { allowPlaintextAuth: true });
    expect((await smtp.login('u', 'p')).code).toBe(235);
  });

  it('requires STARTTLS by default on ports other than 465 (RFC 8314)', async () => {
    const noTls = await fake();
    const error = await failure(SMTP.connect({ host: noTls.host, port: noTls.port, localName: 'c.test', timeout: 3000 }));
    expect(error.code).toBe('MAIL_TLS_REQUIRED');
    expect(noTls.commands()).toEqual(['EHLO c.test']);
  });
});

describe.each(['none', 'tls', 'starttls'] as const)('the same transaction over %s', (security) => {
  it('goes out pipelined in one write, replies matched in order, content exact', async () => {
    const server = await fake({ security, extensions: ['PIPELINING', '8BITMIME', 'ENHANCEDSTATUSCODES'] });
    server.once('RCPT', '250 2.1.5 Ok\r\n', '550 5.1.1 no\r\n');
    const smtp = await client(server);
    expect(smtp.secure).toBe(security !== 'none');
    const result = await smtp.sendMail({ from: 'a@x.test', to: ['b@y.test', 'c@y.test'], message: 'Subject: s\n\n.dot\n' });
    expect([result.accepted.map((r) => r.address), result.rejected.map((r) => r.address)]).toEqual([['b@y.test'], ['c@y.test']]);
    const reads = server.sessions[0]!.chunks.filter((c) => c.tls === (security !== 'none')).map((c) => c.data.toString());
    expect(reads).toContain('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n');
    expect(server.messages[0]!.content.toString()).toBe('Subject: s\r\n\r\n.dot\r\n');
    expect(server.messages[0]!.raw.toString()).toBe('Subject: s\r\n\r\n..dot\r\n');
  });
});
