import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeServer, act } from '@mail/test-servers';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
let caFile: string;
const servers: FakeServer[] = [];

async function smtpServer(script?: (s: FakeServer) => void, opts: { hideStartTls?: boolean } = {}): Promise<string[]> {
  const s = await FakeServer.start({ protocol: 'smtp', security: 'starttls', users: { alice: 'wonder' }, ...opts, ...(script ? { script } : {}) });
  servers.push(s);
  caFile = await sb.file('ca.pem', s.ca);
  return ['--server', `smtp://alice@localhost:${s.port}`, '--ca', caFile, '--password-env', 'PW'];
}

async function popServer(script?: (s: FakeServer) => void): Promise<string[]> {
  const s = await FakeServer.start({ protocol: 'pop3', security: 'tls', users: { bob: 'builder' }, mailbox: ['Subject: x\r\n\r\nx\r\n'], ...(script ? { script } : {}) });
  servers.push(s);
  caFile = await sb.file('ca.pem', s.ca);
  return ['--server', `pop3s://bob@localhost:${s.port}`, '--ca', caFile, '--password-env', 'PW'];
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const compose = ['send', '--from', 'alice@example.org', '--to', 'bob@example.org', '--subject', 's', '--body', 'b'];

beforeAll(async () => {
  sb = await sandbox();
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await sb.cleanup();
});

describe('exit codes (sysexits)', () => {
  it('64 usage: unknown option, missing destination, bad option value', async () => {
    expect((await sb.run(['send', '--frobnicate'])).code).toBe(64);
    expect((await sb.run(['fetch', '--server', 'pop3s://h'])).code).toBe(64);
    expect((await sb.run(['fetch', '--timeout', 'soon'])).code).toBe(64);
    expect((await sb.run(['nosuchcommand'])).code).toBe(64);
  });

  it('0 for --help and --version; the help documents the exit codes', async () => {
    const help = await sb.run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('78  configuration error');
    const v = await sb.run(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    for (const cmd of ['send', 'sendmail', 'fetch', 'probe', 'pop3', 'serve', 'demo']) {
      const r = await sb.run([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
    }
  });

  it('65 data: a raw message without recipients, recipients refused permanently', async () => {
    const file = await sb.file('norcpt.eml', 'From: a@example.org\nSubject: s\n\nbody\n');
    expect((await sb.run(['send', '--message', file, '--server', 'smtp://localhost:1'])).code).toBe(65);
    const args = await smtpServer((s) => s.on('RCPT', () => '550 5.1.1 No such user\r\n'));
    const r = await sb.run([...compose, ...args, '--json'], { env: { PW: 'wonder' } });
    expect(r.code).toBe(65);
    expect(JSON.parse(r.stdout).rejected[0]).toMatchObject({ address: 'bob@example.org', code: 550 });
    // The sendmail interface is silent on success but names refused recipients on stderr.
    const sm = await sb.run(['sendmail', 'bob@example.org', ...args], { env: { PW: 'wonder' }, stdin: 'Subject: s\n\nbody\n' });
    expect(sm.code).toBe(65);
    expect(sm.stderr).toContain('bob@example.org: 550 5.1.1 No such user');
  });

  it('66 input missing: --message file does not exist', async () => {
    const r = await sb.run(['send', '--message', join(sb.dir, 'nope.eml')]);
    expect(r.code).toBe(66);
  });

  it('69 unavailable: connection refused', async () => {
    const port = await closedPort();
    const r = await sb.run([...compose, '--server', `smtp://localhost:${port}`, '--json']);
    expect(r.code).toBe(69);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { exitCode: 69 } });
  });

  it('74 I/O: the Maildir cannot be created', async () => {
    const args = await popServer();
    const blocker = await sb.file('not-a-dir', 'x');
    const r = await sb.run(['fetch', ...args, '--maildir', join(blocker, 'Mail')], { env: { PW: 'builder' } });
    expect(r.code).toBe(74);
  });

  it('75 temporary: 4xx to every recipient, 421 greeting, a server that stalls past --timeout', async () => {
    const a = await smtpServer((s) => s.on('RCPT', () => '450 4.2.1 Mailbox busy\r\n'));
    expect((await sb.run([...compose, ...a], { env: { PW: 'wonder' } })).code).toBe(75);
    const b = await smtpServer((s) => s.once('GREETING', act.closeWith('421 4.3.2 Shutting down\r\n')));
    expect((await sb.run([...compose, ...b], { env: { PW: 'wonder' } })).code).toBe(75);
    const c = await popServer((s) => s.once('STAT', act.stall()));
    const r = await sb.run(['pop3', 'stat', ...c, '--timeout', '0.3'], { env: { PW: 'builder' } });
    expect(r.code).toBe(75);
    expect(r.stderr).toMatch(/MAIL_TIMEOUT/);
  });

  it('76 protocol: a malformed greeting, STARTTLS hidden, certificate not trusted', async () => {
    const a = await smtpServer((s) => s.once('GREETING', 'HELLO THERE\r\n'));
    expect((await sb.run([...compose, ...a], { env: { PW: 'wonder' } })).code).toBe(76);
    const b = await smtpServer(undefined, { hideStartTls: true });
    const r = await sb.run([...compose, ...b], { env: { PW: 'wonder' } });
    expect(r.code).toBe(76);
    expect(r.stderr).toMatch(/MAIL_TLS_REQUIRED/);
    const c = await popServer();
    const noCa = c.filter((x, i) => x !== '--ca' && c[i - 1] !== '--ca');
    expect((await sb.run(['pop3', 'stat', ...noCa], { env: { PW: 'builder' } })).code).toBe(76);
  });

  it('77 permission: wrong password (SMTP and POP3), no password source at all', async () => {
    const a = await smtpServer();
    const r = await sb.run([...compose, ...a], { env: { PW: 'wrong' } });
    expect(r.code).toBe(77);
    expect(r.stderr).not.toContain('wrong');
    const b = await popServer();
    expect((await sb.run(['pop3', 'stat', ...b], { env: { PW: 'nope' } })).code).toBe(77);
    const noPw = b.slice(0, 4);
    expect((await sb.run(['pop3', 'stat', ...noPw])).code).toBe(77);
  });

  it('78 config: invalid TOML, unknown account, no server', async () => {
    const cfg = await sb.file('bad.toml', '[accounts.x\nsmtp = 1');
    expect((await sb.run([...compose, '--config', cfg])).code).toBe(78);
    const good = await sb.file('good.toml', '[accounts.work]\nsmtp = "smtps://me@mail.example"\n');
    expect((await sb.run([...compose, '--config', good, '--account', 'home'])).code).toBe(78);
    expect((await sb.run(['fetch', '--maildir', join(sb.dir, 'M')])).code).toBe(78);
    await writeFile(join(sb.dir, 'x'), '');
  });
});
