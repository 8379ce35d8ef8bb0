import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POP3 } from '@mail/pop3';
import { Maildir, MaildirMailbox } from '@mail/pop3/maildir';
import type { POP3Server } from '@mail/pop3/server';
import { SECURITY_MODES } from '@mail/test-servers';
import { MemoryMailbox, startPOP3 } from './helpers.js';

let server: POP3Server | undefined;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pop3-ours-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const modes = SECURITY_MODES;

function messages(n: number): Map<string, Buffer> {
  return new Map(Array.from({ length: n }, (_, i) => [`uid-${i + 1}`, Buffer.from(`Subject: m${i + 1}\r\n\r\n.dot ${i + 1}\r\nbody\r\n`)]));
}

describe('our POP3 client against our POP3 server', () => {
  for (const { security, secure } of modes) {
    for (const how of ['SCRAM-SHA-256', 'CRAM-MD5', 'PLAIN', 'LOGIN', 'USER', 'APOP']) {
      it(`security=${security}, ${how}`, async () => {
        const box = new MemoryMailbox(messages(3));
        const started = await startPOP3({ bob: box }, { secure, allowInsecureAuth: security === 'none' });
        server = started.server;
        const pop = await POP3.connect({
          host: '127.0.0.1',
          port: started.port,
          security,
          tls: { ca: started.ca },
          allowPlaintextAuth: security === 'none',
          timeout: 10_000,
        });
        if (how === 'USER') {
          await pop.user('bob');
          await pop.pass('pässword 2');
        } else if (how === 'APOP') {
          await pop.apop('bob', 'pässword 2');
        } else {
          await pop.login('bob', 'pässword 2', { mechanisms: [how] });
        }
        expect(await pop.stat()).toEqual({ count: 3, size: box.messages.get('uid-1')!.length * 3 });
        expect((await pop.uidl()).map((u) => u.uid)).toEqual(['uid-1', 'uid-2', 'uid-3']);
        expect((await pop.retr(2)).toString()).toBe('Subject: m2\r\n\r\n.dot 2\r\nbody\r\n');
        await pop.dele(1);
        await pop.quit();
        expect(box.deletedUids).toEqual(['uid-1']);
      });
    }
  }

  it('pipelined retrieval of 1000 messages from a Maildir, with deletion at QUIT', async () => {
    const md = await Maildir.open(join(dir, 'bulk'), { create: true });
    const batch = md.batch();
    for (let i = 1; i <= 1000; i++) await batch.add(`Subject: bulk ${i}\r\n\r\n.line ${i}\r\n`);
    const uids = await batch.commit();
    const started = await startPOP3({}, { secure: true, openMailbox: () => new MaildirMailbox(md) });
    server = started.server;
    const pop = await POP3.connect({ host: '127.0.0.1', port: started.port, security: 'tls', tls: { ca: started.ca }, timeout: 20_000 });
    await pop.login('alice', 'secret-1');
    const t0 = Date.now();
    const seen: string[] = [];
    for await (const m of pop.messages({ delete: true, uids: true })) {
      expect(m.data.toString()).toBe(`Subject: bulk ${m.msg}\r\n\r\n.line ${m.msg}\r\n`);
      seen.push(m.uid!);
    }
    const elapsed = Date.now() - t0;
    await pop.quit();
    expect(seen).toEqual(uids);
    expect(await md.list()).toEqual([]);
    expect(uids).toHaveLength(1000);
    expect(elapsed).toBeLessThan(15_000);
  });
});
