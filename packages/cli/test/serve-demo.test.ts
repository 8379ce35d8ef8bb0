import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await sandbox();
});
afterAll(async () => {
  await sb.cleanup();
});

describe('mailctl demo', () => {
  it('sends by SMTP and fetches back by POP3, shows the redacted conversation, exits 0', async () => {
    const r = await sb.run(['demo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/STARTTLS/);
    expect(r.stderr).toMatch(/STLS/);
    expect(r.stderr).toMatch(/AUTH/);
    expect(r.stdout).toContain('Subject: Hello from mailctl demo');
    expect(r.stdout).toMatch(/OK: sent to demo@localhost and fetched back/);
  });

  it('--json prints one document with the trace and the message', async () => {
    const r = await sb.run(['demo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.message).toContain(out.messageId);
    expect(out.trace.length).toBeGreaterThan(10);
    expect(out.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });
});

describe('mailctl serve', () => {
  it('serves SMTP and POP3 for its users: send, then fetch; stops cleanly on abort', async () => {
    const controller = new AbortController();
    const data = join(sb.dir, 'data');
    let first = '';
    const serving = sb.run(['serve', '--data', data, '--smtp', '127.0.0.1:0', '--pop3', '127.0.0.1:0', '--user', 'alice:pw1', '--json'], {
      signal: controller.signal,
      onStdout: (t) => {
        first += t;
      },
    });
    for (let i = 0; i < 400 && !first.includes('\n'); i++) await new Promise((r) => setTimeout(r, 25));
    try {
      const info = JSON.parse(first.split('\n')[0]!);
      expect(info.users).toEqual(['alice']);
      const smtpPort = Number(info.smtp.split(':')[1]);
      const pop3Port = Number(info.pop3.split(':')[1]);
      const env = { PW: 'pw1' };
      const sent = await sb.run(['send', '--server', `smtp://alice@localhost:${smtpPort}`, '--ca', info.certificate, '--password-env', 'PW', '--from', 'bob@example.org', '--to', 'alice@localhost', '--subject', 'via serve', '--body', 'hi'], { env });
      expect(sent.code, sent.stderr).toBe(0);
      const maildir = join(sb.dir, 'fetched');
      const fetched = await sb.run(['fetch', '--server', `pop3://alice@localhost:${pop3Port}`, '--ca', info.certificate, '--password-env', 'PW', '--maildir', maildir, '--delete', '--json'], { env });
      expect(fetched.code, fetched.stderr).toBe(0);
      expect(JSON.parse(fetched.stdout)).toMatchObject({ stored: 1, deleted: 1 });
      const names = await readdir(join(maildir, 'new'));
      expect(names).toHaveLength(1);
    } finally {
      controller.abort();
    }
    const r = await serving;
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(data)).toContain('tls');
  });
});
