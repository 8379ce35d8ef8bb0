import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeServer } from '@mail/test-servers';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
let smtp: FakeServer;
let caFile: string;

beforeAll(async () => {
  sb = await sandbox();
  smtp = await FakeServer.start({ protocol: 'smtp', security: 'starttls', users: { alice: 'wonder' } });
  caFile = await sb.file('ca.pem', smtp.ca);
});
afterAll(async () => {
  await smtp.close();
  await sb.cleanup();
});

const server = (): string[] => ['--server', `smtp://alice@localhost:${smtp.port}`, '--ca', caFile, '--password-env', 'PW'];
const env = { PW: 'wonder' };

describe('mailctl send', () => {
  it('composes a message with an attachment and sends it over STARTTLS with AUTH', async () => {
    const attachment = await sb.file('notes.txt', 'attached text\n');
    const before = smtp.messages.length;
    const r = await sb.run(
      ['send', ...server(), '--from', 'Alice <alice@example.org>', '--to', 'bob@example.org', '--cc', 'carol@example.org', '--bcc', 'dave@example.org', '--subject', 'Hello', '--body', 'Hi Bob', '--attach', attachment, '--header', 'X-Mailctl-Test: yes'],
      { env },
    );
    expect(r.stderr).not.toContain('wonder');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('accepted bob@example.org: 250');
    const msg = smtp.messages[before]!;
    expect(msg.tls).toBe(true);
    expect(msg.from).toBe('alice@example.org');
    expect(msg.to).toEqual(['bob@example.org', 'carol@example.org', 'dave@example.org']);
    const text = msg.content.toString();
    expect(text).toMatch(/^Subject: Hello\r$/m);
    expect(text).toMatch(/^X-Mailctl-Test: yes\r$/m);
    expect(text).toContain('filename=notes.txt');
    expect(text).toContain(Buffer.from('attached text\n').toString('base64'));
    expect(text).not.toMatch(/^Bcc:/im);
    // AUTH only after TLS (SECURITY.md promise 1).
    expect(smtp.commands({ tls: false }).some((c) => c.startsWith('AUTH'))).toBe(false);
    expect(smtp.commands({ tls: true }).some((c) => c.startsWith('AUTH'))).toBe(true);
  });

  it('sends a raw message with the envelope from its headers and strips Bcc; --json reports each recipient', async () => {
    const file = await sb.file('raw.eml', 'From: Alice <alice@example.org>\nTo: bob@example.org\nBcc: secret@example.org\nSubject: raw\n\nraw body\n');
    const before = smtp.messages.length;
    const r = await sb.run(['send', ...server(), '--message', file, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.accepted.map((a: { address: string }) => a.address)).toEqual(['bob@example.org', 'secret@example.org']);
    expect(out.response.code).toBe(250);
    const msg = smtp.messages[before]!;
    expect(msg.from).toBe('alice@example.org');
    expect(msg.content.toString()).toBe('From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: raw\r\n\r\nraw body\r\n');
  });

  it('reads the message from stdin with --message -', async () => {
    const before = smtp.messages.length;
    const r = await sb.run(['send', ...server(), '--message', '-', '--to', 'x@example.org', '-q'], { env, stdin: 'From: a@example.org\r\nSubject: s\r\n\r\nstdin body\r\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(smtp.messages[before]?.to).toEqual(['x@example.org']);
    expect(smtp.messages[before]?.content.toString()).toContain('stdin body');
  });

  it('sendmail mode (-t -oi -f) reads stdin and is silent on success', async () => {
    const before = smtp.messages.length;
    const r = await sb.run(['sendmail', '-t', '-oi', '-f', 'bounce@example.org', 'extra@example.org', ...server()], {
      env,
      stdin: 'To: bob@example.org\nSubject: via sendmail\n\n.\nline after a lone dot\n',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
    const msg = smtp.messages[before]!;
    expect(msg.from).toBe('bounce@example.org');
    expect(msg.to).toEqual(['bob@example.org', 'extra@example.org']);
    const text = msg.content.toString();
    expect(text).toMatch(/^From: <bounce@example.org>\r$/m);
    expect(text).toMatch(/^Date: /m);
    expect(text).toContain('line after a lone dot');
  });

  it('argv[0] sendmail without -i stops at a lone dot', async () => {
    const before = smtp.messages.length;
    const r = await sb.run(['bob@example.org', ...server()], { env, argv0: 'sendmail', stdin: 'From: a@example.org\nSubject: s\n\nkept\n.\ndropped\n' });
    expect(r.code, r.stderr).toBe(0);
    const text = smtp.messages[before]!.content.toString();
    expect(text).toContain('kept');
    expect(text).not.toContain('dropped');
  });

  it('HTML and text bodies from files, DSN parameters on MAIL/RCPT', async () => {
    const html = await sb.file('body.html', '<p>Hi <b>Bob</b></p>');
    const text = await sb.file('body.txt', 'Hi Bob');
    const before = smtp.messages.length;
    const r = await sb.run(['send', ...server(), '--from', 'alice@example.org', '--to', 'bob@example.org', '--subject', 'html', '--body-file', text, '--html-file', html, '--dsn-notify', 'success,failure', '--dsn-ret', 'hdrs', '--envid', 'env-1'], { env });
    expect(r.code, r.stderr).toBe(0);
    const msg = smtp.messages[before]!;
    expect(msg.content.toString()).toMatch(/multipart\/alternative/);
    expect(msg.content.toString()).toContain('<p>Hi <b>Bob</b></p>');
    expect(msg.mailParams).toMatch(/RET=HDRS/);
    expect(msg.mailParams).toMatch(/ENVID=env-1/);
    expect(smtp.commands().some((c) => /^RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE/.test(c))).toBe(true);
  });

  it('--require-tls against a server without REQUIRETLS is refused before MAIL FROM (69)', async () => {
    const before = smtp.commands().filter((c) => c.startsWith('MAIL')).length;
    const r = await sb.run(['send', ...server(), '--from', 'alice@example.org', '--to', 'bob@example.org', '--body', 'x', '--require-tls'], { env });
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/REQUIRETLS/);
    expect(smtp.commands().filter((c) => c.startsWith('MAIL')).length).toBe(before);
  });

  it('--dry-run prints the composed message without connecting', async () => {
    const conns = smtp.connections;
    const r = await sb.run(['send', '--dry-run', '--from', 'a@example.org', '--to', 'b@example.org', '--subject', 'dry', '--body', 'x', '--priority', 'high']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Subject: dry\r$/m);
    expect(r.stdout).toMatch(/^X-Priority: 1 \(Highest\)\r$/m);
    expect(smtp.connections).toBe(conns);
  });
});
