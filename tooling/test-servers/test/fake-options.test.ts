import { createHmac } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { act, bytesOf, FakeServer, type FakeServerOptions, TestClient } from '../src/index.js';

const servers: FakeServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: FakeServerOptions): Promise<FakeServer> {
  const s = await FakeServer.start(opts);
  servers.push(s);
  return s;
}

async function connect(server: FakeServer): Promise<TestClient> {
  const c = await TestClient.connect({ port: server.port, ...(server.security === 'tls' ? { tls: { ca: server.ca } } : {}) });
  clients.push(c);
  return c;
}

/** 'ok' or the client-side error code of a verifying TLS connection to the server. */
function tlsError(server: FakeServer): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: server.host, port: server.port, ca: server.ca, servername: 'localhost' });
    socket.once('secureConnect', () => { socket.destroy(); resolve('ok'); });
    socket.once('error', (e: NodeJS.ErrnoException) => { socket.destroy(); resolve(e.code ?? e.message); });
  });
}

describe('TLS options', () => {
  it('presents the chosen certificate (expired, other host, self-signed)', async () => {
    expect(await tlsError(await start({ protocol: 'smtp', security: 'tls', certificate: 'expired' }))).toBe('CERT_HAS_EXPIRED');
    expect(await tlsError(await start({ protocol: 'smtp', security: 'tls', certificate: 'otherHost' }))).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await tlsError(await start({ protocol: 'pop3', security: 'tls', certificate: 'selfSigned' }))).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(await tlsError(await start({ protocol: 'pop3', security: 'tls' }))).toBe('ok');
  });

  it('can offer only TLS 1.0/1.1, which a default client refuses', async () => {
    const server = await start({ protocol: 'smtp', security: 'tls', tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } });
    expect(await tlsError(server)).toMatch(/ERR_SSL_(UNSUPPORTED_PROTOCOL|TLSV1_ALERT_PROTOCOL_VERSION|NO_PROTOCOLS_AVAILABLE)|EPROTO/);
    expect(server.sessions[0]?.tlsError).toBeInstanceOf(Error);
  });

  it('a client rejecting the STARTTLS certificate leaves the server with nothing open', async () => {
    const server = await start({ protocol: 'smtp', security: 'starttls', certificate: 'expired' });
    const c = await connect(server);
    await c.readLine();
    expect(await c.command('STARTTLS')).toMatch(/^220/);
    // Node completes the handshake, then verifies and destroys: the server sees a close.
    await expect(c.startTls(server.ca)).rejects.toThrow(/expired/);
    await server.idle();
    expect(server.transcript.map((e) => e.line)).toEqual(['STARTTLS']);
  });
});

describe('SMTP AUTH defaults', () => {
  it('runs PLAIN, LOGIN and CRAM-MD5 against configured users', async () => {
    const server = await start({ protocol: 'smtp', security: 'none', users: { u: 'pw' } });
    const c = await connect(server);
    await c.readLine();
    expect(await c.command(`AUTH PLAIN ${Buffer.from('\0u\0bad').toString('base64')}`)).toBe('535 5.7.8 Error: authentication failed');
    expect(await c.command('AUTH LOGIN')).toBe(`334 ${Buffer.from('Username:').toString('base64')}`);
    expect(await c.command(Buffer.from('u').toString('base64'))).toBe(`334 ${Buffer.from('Password:').toString('base64')}`);
    expect(await c.command(Buffer.from('pw').toString('base64'))).toBe('235 2.7.0 Authentication successful');
    expect(server.transcript.filter((e) => e.kind === 'sasl').map((e) => e.line))
      .toEqual([Buffer.from('u').toString('base64'), Buffer.from('pw').toString('base64')]);

    const c2 = await connect(server);
    await c2.readLine();
    const challenge = Buffer.from((await c2.command('AUTH CRAM-MD5')).slice(4), 'base64').toString();
    expect(challenge).toMatch(/^<.+@localhost>$/);
    const answer = Buffer.from(`u ${createHmac('md5', 'pw').update(challenge).digest('hex')}`).toString('base64');
    expect(await c2.command(answer)).toBe('235 2.7.0 Authentication successful');
    expect(await c2.command('AUTH PLAIN')).toBe('503 5.5.1 Error: already authenticated');
    expect(await c2.command('AUTH LOGIN')).toBe('503 5.5.1 Error: already authenticated');

    const c3 = await connect(server);
    await c3.readLine();
    expect(await c3.command('AUTH PLAIN')).toBe('334 ');
    expect(await c3.command('*')).toBe('501 5.7.0 Authentication aborted');
    expect(await c3.command('NOOP')).toBe('250 2.0.0 Ok');
  });
});

describe('scripting details', () => {
  it('a wildcard override answers the next command whatever it is; DATA_END can be scripted', async () => {
    const server = await start({ protocol: 'smtp', security: 'none' });
    server.once('*', '421 4.4.2 any\r\n');
    server.once('DATA_END', (_cmd, ctx) => `550 5.7.1 got ${ctx.body!.length} bytes\r\n`);
    const c = await connect(server);
    await c.readLine();
    expect(await c.command('HELO x')).toBe('421 4.4.2 any');
    await c.write('MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nabc\r\n.\r\n');
    expect([await c.readLine(), await c.readLine(), await c.readLine(), await c.readLine()].at(-1)).toBe('550 5.7.1 got 5 bytes');
    expect(server.messages[0]).toMatchObject({ accepted: false, to: ['b@x'] });
  });

  it('a scripted 354 enters body mode and a scripted 250 records the recipient', async () => {
    const server = await start({ protocol: 'smtp', security: 'none' });
    server.once('RCPT', '250 fine\r\n');
    const c = await connect(server);
    await c.readLine();
    await c.write('RCPT TO:<x@y>\r\nMAIL FROM:<a@b>\r\nRCPT TO:<z@y>\r\n');
    expect([await c.readLine(), await c.readLine(), await c.readLine()]).toEqual(['250 fine', '250 2.1.0 Ok', '250 2.1.5 Ok']);
    server.once('DATA', '354 go\r\n');
    expect(await c.command('DATA')).toBe('354 go');
    await c.write('.\r\n');
    expect(await c.readLine()).toMatch(/^250 2\.0\.0 Ok: queued/);
    expect(server.messages[0]!.to).toEqual(['x@y', 'z@y']);
  });

  it('a queued undefined answers one command with the default, then the next override applies', async () => {
    const server = await start({ protocol: 'smtp', security: 'none' });
    server.once('NOOP', undefined, '250 second\r\n');
    const c = await connect(server);
    await c.readLine();
    expect([await c.command('NOOP'), await c.command('NOOP'), await c.command('NOOP')]).toEqual(['250 2.0.0 Ok', '250 second', '250 2.0.0 Ok']);
  });

  it('a default reply can be split, or extended with injected bytes in the same write', async () => {
    const server = await start({ protocol: 'smtp', security: 'starttls' });
    server.once('EHLO', (_cmd, ctx) => act.split(bytesOf(ctx.defaultReply()), 7, 150));
    server.once('STARTTLS', (_cmd, ctx) => act.write(Buffer.concat([bytesOf(ctx.defaultReply()), Buffer.from('250 injected\r\n')])));
    const c = await connect(server);
    await c.readLine();
    const before = c.reads.length;
    await c.write('EHLO x\r\n');
    expect((await c.readReply()).at(-1)).toBe('250 STARTTLS');
    expect(c.reads[before]!.data.toString()).toBe('250-loc');
    await c.write('STARTTLS\r\n');
    await server.waitFor(() => c.buffered.includes('injected'));
    expect(c.reads.at(-1)!.data.toString()).toBe('220 2.0.0 Ready to start TLS\r\n250 injected\r\n');
  });

  it('split reaches the client as separate reads over TLS too', async () => {
    const server = await start({ protocol: 'pop3', security: 'tls' });
    server.once('NOOP', act.split('+OK one two\r\n', [4, 8], 150));
    const c = await connect(server);
    await c.readLine();
    const before = c.reads.length;
    expect(await c.command('NOOP')).toBe('+OK one two');
    expect(c.reads.slice(before).map((r) => [r.tls, r.data.toString()])).toEqual([[true, '+OK '], [true, 'one '], [true, 'two\r\n']]);
  });

  it('close() resolves with a stalled client still connected and counts connections', async () => {
    const server = await FakeServer.start({ protocol: 'smtp', security: 'starttls', script: (s) => s.once('GREETING', act.stall()) });
    const c = await TestClient.connect({ port: server.port });
    clients.push(c);
    await server.waitFor(() => server.connections === 1);
    await c.write('EHLO x\r\n');
    await server.waitFor(() => server.transcript.length === 1);
    expect(c.buffered.length).toBe(0);
    await server.close();
    await c.closed();
    expect(server.sessions[0]!.closed).toBe(true);
  });
});
