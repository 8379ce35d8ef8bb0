import { chmod, mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POP3 } from '@mail/pop3';
import { Maildir } from '@mail/pop3/maildir';
import { startDevServer, type DevServer } from '../../src/devserver/index.js';
import { runTool } from './run.js';

let dir: string;
let dev: DevServer;
const logs: string[] = [];
const users = [
  { name: 'alice', password: 'secret-1' },
  { name: 'bob', password: 'secret-2' },
  { name: 'carol', password: 'secret-3' },
  { name: 'dave', password: 'secret-4' },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devserver-'));
  dev = await startDevServer({
    dataDir: join(dir, 'data'),
    smtp: { port: 0 },
    pop3: { port: 0 },
    smtps: { port: 0 },
    pop3s: { port: 0 },
    users,
    logger: (l) => logs.push(l),
  });
});
afterAll(async () => {
  await dev?.close();
  await rm(dir, { recursive: true, force: true });
});

async function stored(box: string): Promise<string[]> {
  const md = await Maildir.open(join(dev.mailDir, box), { create: true });
  const out: string[] = [];
  for (const entry of await md.list()) out.push(await readFile(entry.path, 'latin1'));
  return out;
}

async function clear(box: string): Promise<void> {
  const md = await Maildir.open(join(dev.mailDir, box), { create: true });
  for (const entry of await md.list()) await md.remove(entry.uid);
}

function message(subject: string): string {
  return `Date: Thu, 01 Jan 2026 00:00:00 +0000\r\nFrom: sender@example.test\r\nTo: someone@localhost\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@test>\r\n\r\nHello ${subject}.\r\n.leading dot stays\r\n`;
}

describe('dev server with real clients', () => {
  it('reports the certificate fingerprint', async () => {
    const { stdout } = await runTool('openssl', ['x509', '-in', dev.certPath, '-noout', '-fingerprint', '-sha256']);
    expect(stdout.trim().split('=')[1]).toBe(dev.fingerprint);
    expect(logs.some((l) => l.includes(dev.fingerprint))).toBe(true);
  });

  it('curl smtp:// with STARTTLS and AUTH delivers the exact bytes', async () => {
    const msg = message('curl smtp');
    const result = await runTool('curl', [
      '-sS', '--ssl-reqd', '--cacert', dev.certPath, `smtp://127.0.0.1:${dev.smtpPort}`, '--user', 'alice:secret-1',
      '--mail-from', 'sender@example.test', '--mail-rcpt', 'alice@localhost', '--upload-file', '-',
    ], msg);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await stored('alice')).toEqual([msg]);
  });

  it('curl pop3s:// retrieves it (implicit TLS, verified with --cacert)', async () => {
    const result = await runTool('curl', ['-sS', '--cacert', dev.certPath, `pop3s://127.0.0.1:${dev.pop3sPort}/1`, '--user', 'alice:secret-1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(message('curl smtp'));
    await clear('alice');
  });

  it('curl smtps:// (implicit TLS) with AUTH', async () => {
    const msg = message('curl smtps');
    const result = await runTool('curl', [
      '-sS', '--cacert', dev.certPath, `smtps://127.0.0.1:${dev.smtpsPort}`, '--user', 'alice:secret-1',
      '--mail-from', 'sender@example.test', '--mail-rcpt', 'alice@localhost', '--upload-file', '-',
    ], msg);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await stored('alice')).toEqual([msg]);
    await clear('alice');
  });

  it('swaks with STARTTLS (verified) and AUTH PLAIN; unknown recipients go to catchall', async () => {
    const msg = message('swaks');
    const result = await runTool('swaks', [
      '--server', `127.0.0.1:${dev.smtpPort}`, '--from', 'sender@example.test', '--to', 'bob@localhost,nobody@localhost',
      '--tls', '--tls-verify', '--tls-ca-path', dev.certPath, '--auth', 'PLAIN', '--auth-user', 'bob', '--auth-password', 'secret-2',
      '--data', '-', '--silent', '2',
    ], msg);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // swaks always ends DATA with an extra CRLF before the final dot; that is what it sent.
    expect(await stored('bob')).toEqual([`${msg}\r\n`]);
    expect(await stored('catchall')).toEqual([`${msg}\r\n`]);
  });

  it('msmtp with STARTTLS, tls_trust_file and AUTH', async () => {
    const conf = join(dir, 'msmtprc');
    await writeFile(conf, [
      'account dev', 'host 127.0.0.1', `port ${dev.smtpPort}`, 'from sender@example.test', 'auth on', 'user carol',
      'password secret-3', 'tls on', 'tls_starttls on', `tls_trust_file ${dev.certPath}`, 'account default : dev', '',
    ].join('\n'));
    await chmod(conf, 0o600);
    const msg = message('msmtp');
    const result = await runTool('msmtp', ['-C', conf, 'carol@localhost'], msg);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await stored('carol')).toEqual([msg]);
  });

  it('mpop with STLS delivers into a local Maildir and deletes on the server', async () => {
    await clear('dave');
    const a = message('mpop one');
    const b = message('mpop two');
    for (const m of [a, b]) await (await Maildir.open(join(dev.mailDir, 'dave'), { create: true })).deliver(m);
    const target = join(dir, 'mpop-maildir');
    for (const sub of ['tmp', 'new', 'cur']) await mkdir(join(target, sub), { recursive: true });
    const conf = join(dir, 'mpoprc');
    await writeFile(conf, [
      'account dev', 'host 127.0.0.1', `port ${dev.pop3Port}`, 'user dave', 'password secret-4', 'tls on', 'tls_starttls on',
      `tls_trust_file ${dev.certPath}`, `delivery maildir ${target}`, 'keep off', `uidls_file ${join(dir, 'mpop-uidls')}`, '',
    ].join('\n'));
    await chmod(conf, 0o600);
    const result = await runTool('mpop', ['-C', conf, '-q', 'dev']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const files = await readdir(join(target, 'new'));
    const contents = await Promise.all(files.map((f) => readFile(join(target, 'new', f), 'latin1')));
    // mpop prepends its own trace header lines; the message itself must follow byte for byte.
    for (const m of [a, b]) expect(contents.filter((c) => c.endsWith(m.replace(/\r\n/g, '\n')) || c.endsWith(m))).toHaveLength(1);
    expect(await stored('dave')).toEqual([]);
  });

  it('a maildrop open on the implicit-TLS port is [IN-USE] on the STLS port', async () => {
    const first = await POP3.connect({ host: '127.0.0.1', port: dev.pop3sPort!, security: 'tls', tls: { ca: dev.caPem }, timeout: 10_000 });
    await first.login('carol', 'secret-3');
    const second = await POP3.connect({ host: '127.0.0.1', port: dev.pop3Port, security: 'starttls', tls: { ca: dev.caPem }, timeout: 10_000 });
    await expect(second.user('carol').then(() => second.pass('secret-3'))).rejects.toThrow(/IN-USE/);
    await second.close();
    await first.quit();
  });

  for (const how of ['apop', 'user']) {
    it(`Python poplib: STLS, ${how.toUpperCase()}, UIDL, RETR, DELE`, async () => {
      const md = await Maildir.open(join(dev.mailDir, 'alice'), { create: true });
      const msg = message(`poplib ${how}`);
      const uid = await md.deliver(msg);
      const script = join(import.meta.dirname, 'poplib_fetch.py');
      const result = await runTool('/usr/bin/python3', [script, String(dev.pop3Port), dev.certPath, 'alice', 'secret-1', how]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`UIDL 1 ${uid}\n`);
      expect(result.stdout.split('MESSAGE\n')[1]).toBe(msg);
      expect(await stored('alice')).toEqual([]);
    });
  }
});
