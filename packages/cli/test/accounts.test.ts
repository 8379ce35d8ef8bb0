import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeServer } from '@mail/test-servers';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
let work: FakeServer;
let home: FakeServer;
let pop: FakeServer;

beforeAll(async () => {
  sb = await sandbox();
  work = await FakeServer.start({ protocol: 'smtp', security: 'starttls', users: { me: 'work-secret' } });
  home = await FakeServer.start({ protocol: 'smtp', security: 'tls', users: { me: 'home-secret' } });
  pop = await FakeServer.start({ protocol: 'pop3', security: 'tls', users: { me: 'pop-secret' }, mailbox: ['Subject: a\r\n\r\na\r\n', 'Subject: b\r\n\r\nb\r\n'] });
  const ca = await sb.file('ca.pem', work.ca);
  await mkdir(join(sb.env.XDG_CONFIG_HOME!, 'mailctl'), { recursive: true });
  await writeFile(
    join(sb.env.XDG_CONFIG_HOME!, 'mailctl', 'config.toml'),
    `[defaults]
ca = "${ca}"
timeout = 10

[accounts.work]
from = "Me <me@work.example>"
addresses = ["*@work.example"]
smtp = "smtp://me@localhost:${work.port}"
password_command = "printf 'work-secret\\\\nignored second line\\\\n'"

[accounts.home]
from = "me@home.example"
smtp = "smtps://me@localhost:${home.port}"
pop3 = "pop3s://me@localhost:${pop.port}"
password_env = "HOME_PW"
maildir = "~/HomeMail"

[accounts.alias]
inherit = "work"
from = "alias@elsewhere.example"
`,
  );
  await sb.file('.netrc', `machine localhost login me password pop-secret\n`);
});
afterAll(async () => {
  for (const s of [work, home, pop]) await s.close();
  await sb.cleanup();
});

describe('accounts from the config file', () => {
  it('chooses the account from the From address and runs its password_command', async () => {
    const before = work.messages.length;
    const r = await sb.run(['send', '--from', 'other@work.example', '--to', 'x@example.org', '--subject', 's', '--body', 'b']);
    expect(r.code, r.stderr).toBe(0);
    expect(work.messages).toHaveLength(before + 1);
  });

  it('an inheriting account uses its parent server with its own From', async () => {
    const before = work.messages.length;
    const r = await sb.run(['send', '--account', 'alias', '--to', 'x@example.org', '--subject', 's', '--body', 'b']);
    expect(r.code, r.stderr).toBe(0);
    expect(work.messages[before]?.from).toBe('alias@elsewhere.example');
  });

  it('password_env of the account; implicit TLS from smtps://', async () => {
    const before = home.messages.length;
    const r = await sb.run(['send', '--from', 'me@home.example', '--to', 'x@example.org', '--subject', 's', '--body', 'b'], { env: { HOME_PW: 'home-secret' } });
    expect(r.code, r.stderr).toBe(0);
    expect(home.messages[before]?.tls).toBe(true);
  });

  it('falls back to ~/.netrc and expands ~ in the account maildir', async () => {
    const r = await sb.run(['fetch', '--account', 'home', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ stored: 2, destination: `Maildir ${join(sb.dir, 'HomeMail')}` });
  });

  it('--debug traces the session on stderr with the password redacted', async () => {
    const r = await sb.run(['send', '--account', 'work', '--to', 'x@example.org', '--subject', 's', '--body', 'b', '--debug']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/C: EHLO/);
    expect(r.stderr).toMatch(/C: AUTH/);
    expect(r.stderr).not.toContain('work-secret');
    expect(r.stderr).not.toContain(Buffer.from('\0me\0work-secret').toString('base64'));
  });

  it('a failing password_command is a configuration error (78)', async () => {
    const cfg = await sb.file('bad-pw.toml', `[accounts.x]\nsmtp = "smtp://me@localhost:${work.port}"\npassword_command = "echo nope >&2; exit 3"\n`);
    const r = await sb.run(['send', '--config', cfg, '--from', 'a@b.example', '--to', 'c@d.example', '--body', 'x']);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('password_command exited with status 3: nope');
  });
});

describe('server text is escaped before printing', () => {
  it('a recipient reply with terminal escapes is shown escaped', async () => {
    const evil = await FakeServer.start({ protocol: 'smtp', security: 'starttls', script: (s) => s.on('RCPT', () => '250 2.1.5 \x1b]0;pwned\x07ok\r\n') });
    try {
      const ca = await sb.file('evil-ca.pem', evil.ca);
      const r = await sb.run(['send', '--server', `smtp://localhost:${evil.port}`, '--ca', ca, '--from', 'a@b.example', '--to', 'c@d.example', '--body', 'x']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('\\x1b]0;pwned\\x07ok');
      expect(r.stdout + r.stderr).not.toContain('\x1b');
      expect(r.stdout + r.stderr).not.toContain('\x07');
    } finally {
      await evil.close();
    }
  });
});
