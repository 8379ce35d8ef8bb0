import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeServer } from '@mail/test-servers';
import { sandbox, type Sandbox } from './helpers.js';
import { decodeMboxrd } from '../src/fetch/mbox.js';

let sb: Sandbox;
let pop: FakeServer;
let caFile: string;

const messages = [1, 2, 3].map((i) => ({ uid: `u${i}`, content: `From: s${i}@example.org\r\nSubject: m${i}\r\n\r\nFrom the body ${i}\r\n` }));

beforeEach(async () => {
  sb = await sandbox();
  pop = await FakeServer.start({ protocol: 'pop3', security: 'starttls', users: { bob: 'builder' }, mailbox: messages });
  caFile = await sb.file('ca.pem', pop.ca);
});
afterEach(async () => {
  await pop.close();
  await sb.cleanup();
});

const server = (): string[] => ['--server', `pop3://bob@localhost:${pop.port}`, '--ca', caFile, '--password-env', 'PW'];
const env = { PW: 'builder' };

async function maildirFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const folder of ['new', 'cur']) for (const n of await readdir(join(dir, folder))) out.push((await readFile(join(dir, folder, n))).toString());
  return out.sort();
}

describe('mailctl fetch', () => {
  it('fetches into a Maildir with --delete: stored, then deleted at QUIT', async () => {
    const dir = join(sb.dir, 'Mail');
    const r = await sb.run(['fetch', ...server(), '--maildir', dir, '--delete', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ total: 3, stored: 3, deleted: 3 });
    expect(await maildirFiles(dir)).toEqual(messages.map((m) => m.content).sort());
    expect(pop.mailbox).toHaveLength(0);
    // DELE only after the messages were stored: every RETR precedes every DELE.
    const cmds = pop.commands();
    expect(cmds.findLastIndex((c) => c.startsWith('RETR'))).toBeLessThan(cmds.findIndex((c) => c.startsWith('DELE')));
    expect(cmds.at(-1)).toBe('QUIT');
    expect(pop.commands({ tls: false }).some((c) => /^(USER|PASS|AUTH)/.test(c))).toBe(false);
  });

  it('--only-new with a state file fetches each message once; --keep leaves them on the server', async () => {
    const dir = join(sb.dir, 'Mail');
    const state = join(sb.dir, 'uidl.json');
    const first = await sb.run(['fetch', ...server(), '--maildir', dir, '--only-new', '--state', state], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^3 stored, 0 deleted, 0 skipped of 3/);
    const second = await sb.run(['fetch', ...server(), '--maildir', dir, '--only-new', '--state', state], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^0 stored, 0 deleted, 3 skipped of 3/);
    expect(await maildirFiles(dir)).toHaveLength(3);
    expect(pop.mailbox).toHaveLength(3);
    expect(JSON.parse(await readFile(state, 'utf8')).seen).toEqual(['u1', 'u2', 'u3']);
  });

  it('uses a default state file per account under XDG_STATE_HOME', async () => {
    const dir = join(sb.dir, 'Mail');
    const r = await sb.run(['fetch', ...server(), '--maildir', dir, '--only-new'], { env });
    expect(r.code, r.stderr).toBe(0);
    const files = await readdir(join(sb.env.XDG_STATE_HOME!, 'mailctl', 'uidl'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^bob@localhost%3a${pop.port}-[0-9a-f]{12}\\.json$`));
    // A second destination gets its own state: everything is fetched again there.
    const other = await sb.run(['fetch', ...server(), '--maildir', join(sb.dir, 'Other'), '--only-new', '--json'], { env });
    expect(JSON.parse(other.stdout)).toMatchObject({ stored: 3 });
    expect(await readdir(join(sb.env.XDG_STATE_HOME!, 'mailctl', 'uidl'))).toHaveLength(2);
  });

  it('refuses a state file that belongs to another destination (64), before deleting anything', async () => {
    const state = join(sb.dir, 'shared-state.json');
    const first = await sb.run(['fetch', ...server(), '--maildir', join(sb.dir, 'A'), '--state', state], { env });
    expect(first.code, first.stderr).toBe(0);
    const second = await sb.run(['fetch', ...server(), '--maildir', join(sb.dir, 'B'), '--state', state, '--delete'], { env });
    expect(second.code).toBe(64);
    expect(second.stderr).toMatch(/records messages stored in Maildir/);
    expect(pop.mailbox).toHaveLength(3);
  });

  it('fetches into an mbox (mboxrd quoting, lock released) with --delete', async () => {
    const file = join(sb.dir, 'inbox.mbox');
    const r = await sb.run(['fetch', ...server(), '--mbox', file, '--delete', '-q'], { env });
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('\n>From the body 2\n');
    expect(text.match(/^From s\d@example\.org /gm)).toHaveLength(3);
    expect(decodeMboxrd(Buffer.from(text)).map((b) => b.toString())).toEqual(messages.map((m) => m.content.replace(/\r\n/g, '\n')));
    expect(await readdir(sb.dir)).not.toContain('inbox.mbox.lock');
    expect(pop.mailbox).toHaveLength(0);
  });

  it('delivers to an MDA command', async () => {
    const out = join(sb.dir, 'mda-out');
    const r = await sb.run(['fetch', ...server(), '--mda', `cat >> ${out}`, '--keep'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(messages.map((m) => m.content).join(''));
  });

  it('an MDA that fails stops the fetch with exit 74 and deletes nothing', async () => {
    const r = await sb.run(['fetch', ...server(), '--mda', 'exit 3', '--delete'], { env });
    expect(r.code).toBe(74);
    expect(r.stderr).toMatch(/MDA "exit 3" exited with status 3/);
    expect(pop.mailbox).toHaveLength(3);
  });

  it('skips oversized messages with --max-size', async () => {
    const dir = join(sb.dir, 'Mail');
    const r = await sb.run(['fetch', ...server(), '--maildir', dir, '--max-size', '10', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ stored: 0, skipped: 3 });
    expect(pop.commands().some((c) => c.startsWith('RETR'))).toBe(false);
  });
});

describe('mailctl pop3', () => {
  it('stat, list, uidl, top, retr, capa, dele', async () => {
    const stat = await sb.run(['pop3', 'stat', ...server(), '--json'], { env });
    expect(stat.code, stat.stderr).toBe(0);
    expect(JSON.parse(stat.stdout)).toEqual({ count: 3, size: messages.reduce((s, m) => s + m.content.length, 0) });
    const uidl = await sb.run(['pop3', 'uidl', ...server()], { env });
    expect(uidl.stdout).toBe('1 u1\n2 u2\n3 u3\n');
    const list = await sb.run(['pop3', 'list', '2', ...server()], { env });
    expect(list.stdout).toBe(`2 ${messages[1]!.content.length}\n`);
    const retr = await sb.run(['pop3', 'retr', '1', ...server()], { env });
    expect(retr.stdoutBytes.toString()).toBe(messages[0]!.content);
    const top = await sb.run(['pop3', 'top', '1', '0', ...server()], { env });
    expect(top.stdout).toBe('From: s1@example.org\r\nSubject: m1\r\n\r\n');
    const capa = await sb.run(['pop3', 'capa', ...server(), '--json'], { env });
    expect(JSON.parse(capa.stdout)).toHaveProperty('UIDL');
    const dele = await sb.run(['pop3', 'dele', '1', '3', ...server()], { env });
    expect(dele.code, dele.stderr).toBe(0);
    expect(pop.mailbox.map((m) => m.uid)).toEqual(['u2']);
    const bad = await sb.run(['pop3', 'frob', ...server()], { env });
    expect(bad.code).toBe(64);
  });
});
