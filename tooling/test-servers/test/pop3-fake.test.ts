import { createHash, createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { act, FakeServer, type FakeServerOptions, type Security, TestClient } from '../src/index.js';

const servers: FakeServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const MAIL1 = 'Subject: one\r\n\r\nline 1\r\n.starts with dot\r\nline 3\r\n';
const MAIL2 = 'Subject: two\r\n\r\nbody\r\n';

async function start(security: Security, extra: Partial<FakeServerOptions> = {}) {
  const server = await FakeServer.start({ protocol: 'pop3', security, mailbox: [MAIL1, { uid: 'u-two', content: MAIL2 }], ...extra });
  servers.push(server);
  return { server, c: await connect(server) };
}

async function connect(server: FakeServer) {
  const c = await TestClient.connect({ port: server.port, ...(server.security === 'tls' ? { tls: { ca: server.ca } } : {}) });
  clients.push(c);
  return c;
}

describe.each(['none', 'tls', 'starttls'] as const)('POP3 happy path over %s', (security) => {
  it('serves the maildrop and records the transcript', async () => {
    const { server, c } = await start(security);
    expect(await c.readLine()).toMatch(/^\+OK fake POP3 server ready <\d+\.1\.\d+@localhost>$/);
    await c.write('CAPA\r\n');
    const capa = await c.readMultiline();
    expect(capa).toEqual(['+OK Capability list follows', 'TOP', 'UIDL', 'USER', 'SASL PLAIN LOGIN CRAM-MD5', 'PIPELINING',
      'RESP-CODES', 'AUTH-RESP-CODE', ...(security === 'starttls' ? ['STLS'] : [])]);
    if (security === 'starttls') {
      expect(await c.command('STLS')).toBe('+OK Begin TLS negotiation now.');
      await c.startTls(server.ca);
    }
    // Pipelined (RFC 2449 PIPELINING): all in one write.
    await c.write('USER alice\r\nPASS secret\r\nSTAT\r\nUIDL\r\n');
    expect([await c.readLine(), await c.readLine(), await c.readLine()]).toEqual(['+OK', '+OK Logged in.', `+OK 2 ${MAIL1.length + MAIL2.length}`]);
    expect(await c.readMultiline()).toEqual(['+OK', '1 uid-1', '2 u-two']);
    await c.write('RETR 1\r\n');
    expect(await c.readMultiline()).toEqual([`+OK ${MAIL1.length} octets`, 'Subject: one', '', 'line 1', '.starts with dot', 'line 3']);
    await c.write('TOP 1 1\r\n');
    expect(await c.readMultiline()).toEqual([`+OK ${MAIL1.length} octets`, 'Subject: one', '', 'line 1']);
    await c.write('DELE 1\r\nLIST\r\n');
    expect(await c.readLine()).toBe('+OK Marked to be deleted.');
    expect(await c.readMultiline()).toEqual(['+OK', `2 ${MAIL2.length}`]);
    expect(await c.command('QUIT')).toBe('+OK Logging out.');
    await c.closed();
    expect(server.mailbox.map((m) => m.uid)).toEqual(['u-two']);
    const tls = security !== 'none';
    expect(server.transcript.map((e) => [e.tls, e.line])).toEqual([
      [security === 'tls', 'CAPA'],
      ...(security === 'starttls' ? [[false, 'STLS']] : []),
      [tls, 'USER alice'], [tls, 'PASS secret'], [tls, 'STAT'], [tls, 'UIDL'], [tls, 'RETR 1'], [tls, 'TOP 1 1'],
      [tls, 'DELE 1'], [tls, 'LIST'], [tls, 'QUIT'],
    ]);
  });
});

describe('POP3 authentication', () => {
  it('checks USER/PASS, APOP and SASL against configured users', async () => {
    const { server, c } = await start('none', { users: { alice: 'pw' } });
    const greeting = await c.readLine();
    const ts = /<[^>]+>/.exec(greeting)![0];
    await c.write('USER alice\r\nPASS wrong\r\n');
    expect([await c.readLine(), await c.readLine()]).toEqual(['+OK', '-ERR [AUTH] Authentication failed.']);
    const digest = createHash('md5').update(ts + 'pw').digest('hex');
    expect(await c.command(`APOP alice ${digest}`)).toBe('+OK Logged in.');

    const c2 = await connect(server);
    await c2.readLine();
    expect(await c2.command('AUTH CRAM-MD5')).toMatch(/^\+ /);
    const challenge = Buffer.from((c2.reads.at(-1)!.data.toString().slice(2)).trim(), 'base64').toString();
    const resp = Buffer.from(`alice ${createHmac('md5', 'pw').update(challenge).digest('hex')}`).toString('base64');
    expect(await c2.command(resp)).toBe('+OK Logged in.');
    expect(await c2.command('STAT')).toBe(`+OK 2 ${MAIL1.length + MAIL2.length}`);

    const c3 = await connect(server);
    await c3.readLine();
    expect(await c3.command(`AUTH PLAIN ${Buffer.from('\0alice\0nope').toString('base64')}`)).toBe('-ERR [AUTH] Authentication failed.');
    expect(await c3.command('STAT')).toBe('-ERR Unknown command.');
    expect(server.transcript.filter((e) => e.kind === 'sasl').map((e) => e.connection)).toEqual([2]);
  });
});

describe('POP3 scripting', () => {
  it('hides STLS, answers scripted replies and drops plaintext after STLS', async () => {
    const { server, c } = await start('starttls', { hideStartTls: true });
    await c.readLine();
    await c.write('CAPA\r\n');
    expect(await c.readMultiline()).not.toContain('STLS');
    server.once('STLS', '+OK go\r\n+OK injected\r\n');
    await c.write('STLS\r\nUSER mallory\r\n');
    await server.waitFor(() => c.buffered.includes('injected'));
    expect(c.reads.at(-1)!.data.toString()).toBe('+OK go\r\n+OK injected\r\n');
    expect(server.transcript.slice(-2).map((e) => [e.kind, e.line])).toEqual([['command', 'STLS'], ['discarded', 'USER mallory']]);
  });

  it('answers the greeting as scripted and can reply -ERR [IN-USE]', async () => {
    const { server, c } = await start('none', {
      script: (s) => s.once('GREETING', act.split('+OK hi\r\n', 2, 150)).once('PASS', '-ERR [IN-USE] locked\r\n'),
    });
    expect(await c.readLine()).toBe('+OK hi');
    expect(c.reads.map((r) => r.data.toString())).toEqual(['+O', 'K hi\r\n']);
    await c.write('USER a\r\nPASS b\r\nSTAT\r\n');
    expect([await c.readLine(), await c.readLine(), await c.readLine()]).toEqual(['+OK', '-ERR [IN-USE] locked', '-ERR Unknown command.']);
    expect(server.script.pending).toBe(0);
  });
});
