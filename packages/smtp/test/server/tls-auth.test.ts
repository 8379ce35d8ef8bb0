import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { createTestCertificates, RawClient } from '@mail/test-servers';
import { afterEach, describe, expect, it } from 'vitest';
import type { SMTPServer } from '@mail/smtp/server';
import { startRecording } from './helpers.js';

const run = promisify(execFile);
// smtplib encodes passwords as ASCII; 'bob' exercises UTF-8 through our own tests.
const users = [{ name: 'bob', password: 'pässword 1' }, { name: 'alice', password: 'secret-1' }];

let server: SMTPServer | undefined;
afterEach(async () => {
  RawClient.closeAll();
  await server?.close();
  server = undefined;
});

async function start(options: Parameters<typeof startRecording>[0] = {}) {
  const started = await startRecording({ auth: { users }, ...options });
  server = started.server;
  return started;
}

async function raw(port: number, ca?: string) {
  const client = await RawClient.open(port, ca === undefined ? undefined : { ca });
  expect(await client.reply()).toMatch(/^220 /);
  return client;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('SMTP server: TLS and AUTH', () => {
  it('STARTTLS then AUTH PLAIN; AUTH is neither offered nor accepted before TLS', async () => {
    const { port, ca, received, logs } = await start();
    const client = await raw(port);
    client.write('EHLO c\r\n');
    const before = await client.reply();
    expect(before).toContain('STARTTLS');
    expect(before).not.toContain('AUTH');
    client.write(`AUTH PLAIN ${b64('\0bob\0pässword 1')}\r\n`);
    expect(await client.reply()).toMatch(/^538 5\.7\.11/);
    client.write('STARTTLS\r\n');
    expect(await client.reply()).toBe('220 2.0.0 Ready to start TLS\r\n');
    await client.startTLS(ca);
    client.write('MAIL FROM:<a@x>\r\n');
    expect(await client.reply()).toMatch(/^503 5\.5\.1/); // EHLO forgotten after TLS (RFC 3207 §4.2)
    client.write('EHLO c\r\n');
    const after = await client.reply();
    expect(after).not.toContain('STARTTLS');
    expect(after).toContain('AUTH SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN');
    client.write(`AUTH PLAIN ${b64('\0bob\0wrong')}\r\n`);
    expect(await client.reply()).toMatch(/^535 5\.7\.8/);
    client.write(`AUTH PLAIN ${b64('\0bob\0pässword 1')}\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n`);
    expect(await client.reply()).toMatch(/^235 2\.7\.0/);
    await client.reply();
    await client.reply();
    await client.reply();
    client.write('hello\r\n.\r\n');
    expect(await client.reply()).toMatch(/^250 /);
    expect(received[0]!.user).toBe('bob');
    // Redacted trace: the AUTH payload never reaches the log.
    expect(logs.join('\n')).toContain('AUTH PLAIN ****');
    expect(logs.join('\n')).not.toContain(b64('\0bob\0pässword 1'));
  });

  it('AUTH LOGIN with continuations, and "*" cancels', async () => {
    const { port } = await start({ allowInsecureAuth: true });
    const client = await raw(port);
    client.write('EHLO c\r\nAUTH LOGIN\r\n');
    expect(await client.reply()).toContain('AUTH SCRAM-SHA-256');
    expect(await client.reply()).toBe(`334 ${b64('Username:')}\r\n`);
    client.write('*\r\n');
    expect(await client.reply()).toMatch(/^501 5\.0\.0/);
    client.write(`AUTH LOGIN ${b64('bob')}\r\n`);
    expect(await client.reply()).toBe(`334 ${b64('Password:')}\r\n`);
    client.write(`${b64('pässword 1')}\r\n`);
    expect(await client.reply()).toMatch(/^235 /);
    client.write('AUTH PLAIN\r\n');
    expect(await client.reply()).toMatch(/^503 /);
  });

  it('requires AUTH before MAIL when configured', async () => {
    const { port } = await start({ allowInsecureAuth: true, auth: { users, required: true } });
    const client = await raw(port);
    client.write('EHLO c\r\nMAIL FROM:<a@x>\r\n');
    await client.reply();
    expect(await client.reply()).toMatch(/^530 5\.7\.0/);
  });

  it('implicit TLS', async () => {
    const { port, ca, received } = await start({ secure: true });
    const client = await raw(port, ca);
    client.write(`EHLO c\r\nAUTH PLAIN ${b64('\0bob\0pässword 1')}\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n`);
    expect(await client.reply()).not.toContain('STARTTLS');
    expect(await client.reply()).toMatch(/^235 /);
    await client.reply();
    await client.reply();
    await client.reply();
    client.write('over tls\r\n.\r\n');
    expect(await client.reply()).toMatch(/^250 /);
    expect(received[0]!.data.toString()).toBe('over tls\r\n');
  });

  it('discards commands pipelined with STARTTLS (CVE-2011-0411): they are not executed inside TLS', async () => {
    const { port, ca, received, logs } = await start();
    const client = await raw(port);
    client.write('EHLO c\r\n');
    await client.reply();
    client.write('STARTTLS\r\nMAIL FROM:<injected@evil>\r\nRCPT TO:<victim@y>\r\n');
    expect(await client.reply()).toBe('220 2.0.0 Ready to start TLS\r\n');
    await client.startTLS(ca);
    client.write('EHLO c\r\nRCPT TO:<b@y>\r\n');
    await client.reply();
    // Had the injected MAIL run inside TLS, this RCPT would be accepted.
    expect(await client.reply()).toMatch(/^503 5\.5\.1 Need MAIL/);
    expect(received).toHaveLength(0);
    expect(logs.some((l) => /discarded \d+ plaintext bytes/.test(l))).toBe(true);
  });

  it('close() says 421 through the TLS session, not underneath it', async () => {
    const { port, ca, server: srv } = await start();
    const client = await raw(port);
    client.write('STARTTLS\r\n');
    await client.reply();
    await client.startTLS(ca);
    client.write('NOOP\r\n');
    expect(await client.reply()).toBe('250 2.0.0 OK\r\n'); // the server's side of the handshake is done too
    const closing = srv.close();
    expect(await client.waitClosed()).toBe('421 4.3.2 mx.test Service shutting down\r\n');
    await closing;
    server = undefined;
  });

  it('closes a client that stalls, with 421 (command timeout)', async () => {
    const { port } = await start({ timeouts: { command: 200 } });
    const client = await raw(port);
    const started = Date.now();
    const rest = await client.waitClosed(3000);
    expect(rest).toMatch(/^421 4\.4\.2 /);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('closes a client that stalls inside DATA (data timeout)', async () => {
    const { port, received } = await start({ timeouts: { data: 200 } });
    const client = await raw(port);
    client.write('EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n');
    for (let i = 0; i < 4; i++) await client.reply();
    client.write('half a message\r\n');
    expect(await client.waitClosed(3000)).toMatch(/^421 4\.4\.2 /);
    expect(received).toHaveLength(0);
  });

  it('answers a line over the limit with 500 5.5.6 and closes', async () => {
    const { port } = await start({ limits: { maxLineLength: 512 } });
    const client = await raw(port);
    client.write(`NOOP ${'x'.repeat(600)}\r\nNOOP\r\n`);
    expect(await client.waitClosed()).toBe('500 5.5.6 Line too long, closing connection\r\n');
    const c2 = await raw(port);
    c2.write(`NOOP ${'x'.repeat(10_000)}`); // no line end at all
    expect(await c2.waitClosed()).toMatch(/^500 5\.5\.6/);
  });
});

describe('SMTP server: real clients', () => {
  for (const mech of ['default', 'PLAIN', 'LOGIN', 'CRAM-MD5']) {
    it(`Python smtplib: STARTTLS, AUTH ${mech}, sendmail`, async () => {
      const certs = await createTestCertificates();
      const { port, received } = await start();
      const script = join(import.meta.dirname, 'clients/smtplib_send.py');
      const { stdout } = await run('/usr/bin/python3', [script, String(port), certs.ca.certPath, 'alice', 'secret-1', mech], { timeout: 20_000 });
      expect(stdout).toContain('refused {}');
      expect(received).toHaveLength(1);
      expect(received[0]!.user).toBe('alice');
      expect(received[0]!.envelope.rcptTo.map((r) => r.address)).toEqual(['bob@y.test', 'carol@y.test']);
      expect(received[0]!.data.toString()).toBe('From: a@x.test\r\nTo: bob@y.test\r\nSubject: from python\r\n\r\n.leading dot\r\nbody\r\n');
    });
  }
});
