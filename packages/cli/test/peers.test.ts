/**
 * Against real servers from tooling/peers: Postfix submission (STARTTLS, AUTH through
 * Dovecot SASL) delivering into Dovecot, fetched back by POP3. Outside CI a missing peer
 * skips these tests with the reason in the suite name (the tooling/peers convention).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inCI, peerMissing, startPeer, stopPeer, type PeerInfo } from '@mail/peers';
import { sandbox, type Sandbox } from './helpers.js';
import { validate } from './schema-validator.js';
import { decodeMboxrd } from '../src/fetch/mbox.js';

const missing = peerMissing('postfix');

describe.skipIf(missing !== undefined && !inCI())(`real Postfix + Dovecot${missing ? ` (SKIPPED: ${missing})` : ''}`, () => {
  let peer: PeerInfo;
  let sb: Sandbox;
  let smtpArgs: string[];
  let popArgs: string[];
  let env: Record<string, string>;

  beforeAll(async () => {
    peer = await startPeer('postfix');
    sb = await sandbox();
    env = { PW: peer.pass! };
    smtpArgs = ['--server', `smtp://${peer.user}@127.0.0.1:${peer.ports.smtp}`, '--ca', peer.env.PF_CA!, '--password-env', 'PW'];
    popArgs = ['--server', `pop3://${peer.user}@127.0.0.1:${peer.ports.pop3}`, '--ca', peer.env.POP3_CA!, '--password-env', 'PW'];
  }, 60_000);
  afterAll(async () => {
    await sb?.cleanup();
    if (peer) await stopPeer(peer);
  }, 60_000);

  async function waitForMail(count: number): Promise<void> {
    const dir = join(peer.env.POP3_MAILDIR!, 'new');
    for (let i = 0; i < 200; i++) {
      const names = await readdir(dir).catch(() => [] as string[]);
      if (names.length >= count) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Postfix did not deliver ${count} message(s) into ${dir}`);
  }

  it('send (composed, attachment), send --message (raw) and sendmail -t reach Dovecot; fetch --delete into a Maildir', async () => {
    const attachment = await sb.file('data.bin', Buffer.from([1, 2, 3, 250]));
    const composed = await sb.run(['send', ...smtpArgs, '--from', 'alice@example.test', '--to', `${peer.user}@example.test`, '--subject', 'composed', '--body', 'hello', '--attach', attachment, '--json'], { env });
    expect(composed.code, composed.stderr).toBe(0);
    expect(JSON.parse(composed.stdout).response.code).toBe(250);
    const raw = await sb.file('raw.eml', `From: alice@example.test\r\nTo: ${peer.user}@example.test\r\nSubject: raw\r\n\r\nraw body\r\n`);
    const r2 = await sb.run(['send', ...smtpArgs, '--message', raw], { env });
    expect(r2.code, r2.stderr).toBe(0);
    const r3 = await sb.run(['sendmail', '-t', '-oi', ...smtpArgs], { env, stdin: `From: alice@example.test\nTo: ${peer.user}@example.test\nSubject: sendmail\n\nvia sendmail\n` });
    expect(r3.code, r3.stderr).toBe(0);
    await waitForMail(3);

    const dir = join(sb.dir, 'Mail');
    const state = join(sb.dir, 'state.json');
    const fetched = await sb.run(['fetch', ...popArgs, '--maildir', dir, '--state', state, '--delete', '--json'], { env });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(JSON.parse(fetched.stdout)).toMatchObject({ total: 3, stored: 3, deleted: 3 });
    const texts = await Promise.all((await readdir(join(dir, 'new'))).map((n) => readFile(join(dir, 'new', n), 'utf8')));
    expect(texts.some((t) => t.includes('Subject: composed') && t.includes('filename=data.bin') && t.includes('AQID+g=='))).toBe(true);
    expect(texts.some((t) => t.includes('raw body'))).toBe(true);
    expect(texts.some((t) => t.includes('via sendmail'))).toBe(true);
    const after = await sb.run(['pop3', 'stat', ...popArgs, '--json'], { env });
    expect(JSON.parse(after.stdout)).toMatchObject({ count: 0 });
  });

  it('fetch --only-new into an mbox keeps messages and fetches each once', async () => {
    const r = await sb.run(['send', ...smtpArgs, '--from', 'alice@example.test', '--to', `${peer.user}@example.test`, '--subject', 'mbox one', '--body', 'From the start'], { env });
    expect(r.code, r.stderr).toBe(0);
    await waitForMail(1);
    const mbox = join(sb.dir, 'inbox.mbox');
    const state = join(sb.dir, 'mbox-state.json');
    const first = await sb.run(['fetch', ...popArgs, '--mbox', mbox, '--only-new', '--state', state, '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ stored: 1 });
    const second = await sb.run(['fetch', ...popArgs, '--mbox', mbox, '--only-new', '--state', state, '--json'], { env });
    expect(JSON.parse(second.stdout)).toMatchObject({ stored: 0, skipped: 1 });
    const messages = decodeMboxrd(await readFile(mbox));
    expect(messages).toHaveLength(1);
    expect(messages[0]!.toString()).toContain('\nFrom the start\n');
    expect((await readFile(mbox, 'utf8'))).toContain('\n>From the start\n');
  });

  it('probe of Postfix submission and Dovecot POP3S validates against the schema', async () => {
    const schema = JSON.parse(await readFile(join(import.meta.dirname, '../schemas/probe.schema.json'), 'utf8'));
    const smtp = await sb.run(['probe', `smtp://127.0.0.1:${peer.ports.smtp}`, '--ca', peer.env.PF_CA!, '--json']);
    expect(smtp.code, smtp.stderr).toBe(0);
    const s = JSON.parse(smtp.stdout);
    expect(validate(schema, s)).toEqual([]);
    expect(s.capabilitiesBeforeTls).toContain('STARTTLS');
    expect(s.saslMechanisms.length).toBeGreaterThan(0);
    const pop = await sb.run(['probe', `pop3s://127.0.0.1:${peer.ports.pop3s}`, '--ca', peer.env.POP3_CA!, '--json']);
    expect(pop.code, pop.stderr).toBe(0);
    const p = JSON.parse(pop.stdout);
    expect(validate(schema, p)).toEqual([]);
    expect(p.greeting).toMatch(/Dovecot|ready/i);
  });
});
