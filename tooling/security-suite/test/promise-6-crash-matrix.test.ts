// Promise 6, process level: `mailctl fetch --delete` is SIGKILLed at many points of the
// session (before and after the server's replies, inside and between durable batches), then
// run again. At the kill every message is on the server or delivered in the Maildir; after
// the rerun every message is delivered exactly once (UIDL state) and the server is empty.
// packages/cli/test/fetch.test.ts covers the normal fetch paths; this is the crash matrix.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { act, type Action } from '@mail/test-servers';
import { fakeServer } from './support/harness.js';
import { delivered, exited, runMailctl, sandbox, spawnMailctl } from './support/mailctl.js';
import { scenarios } from './support/scenarios.js';

const MESSAGES = [1, 2, 3, 4, 5].map((i) => ({ uid: `u${i}`, content: `From: s${i}@example.org\r\nSubject: m${i}\r\n\r\nbody ${i}\r\n.leading dot\r\n` }));

interface Row {
  name: string;
  step: string;
  nth: number;
  /** Kill before the server answers, or this many ms after the reply was written. */
  after?: number;
}

const rows: Row[] = [
  { name: 'killed at LIST (before the reply)', step: 'LIST', nth: 1 },
  { name: 'killed at UIDL (before the reply)', step: 'UIDL', nth: 1 },
  // Batches of two: 1-2, 3-4, 5. The first, last and a middle message of batches.
  ...[1, 2, 3, 5].map((n) => ({ name: `killed at RETR ${n} (before the reply)`, step: 'RETR', nth: n })),
  ...[1, 2, 3, 5].map((n) => ({ name: `killed at DELE ${n} (before the reply)`, step: 'DELE', nth: n })),
  { name: 'killed at QUIT (before the +OK)', step: 'QUIT', nth: 1 },
  // Just after a batch's last message arrived: while staging, fsyncing, renaming, recording.
  ...[0, 5, 20].map((ms) => ({ name: `killed ${ms} ms after the reply to RETR 2 (end of batch 1)`, step: 'RETR', nth: 2, after: ms })),
  ...[0, 5, 20].map((ms) => ({ name: `killed ${ms} ms after the reply to RETR 4 (end of batch 2)`, step: 'RETR', nth: 4, after: ms })),
  { name: 'killed 0 ms after the reply to DELE 2', step: 'DELE', nth: 2, after: 0 },
  { name: 'killed 0 ms after the +OK to QUIT (deletions done)', step: 'QUIT', nth: 1, after: 0 },
];

describe('mailctl fetch --delete killed with SIGKILL anywhere, then run again: every message exactly once', () => {
  it.each(scenarios(6, rows))('$name', async (row) => {
    const server = await fakeServer('pop3', { security: 'starttls', users: { bob: 'builder' }, mailbox: MESSAGES });
    const sb = await sandbox({ PW: 'builder' });
    try {
      const ca = await sb.file('ca.pem', server.ca);
      const maildir = join(sb.dir, 'Mail');
      const argv = ['fetch', '--server', `pop3://bob@localhost:${server.port}`, '--ca', ca, '--password-env', 'PW',
        '--maildir', maildir, '--delete', '--state', join(sb.dir, 'uidl.json'), '--batch', '2', '-q'];
      const holder: { child?: ChildProcess } = {};
      let seen = 0;
      let killed = false;
      const kill = (): void => { killed = true; holder.child?.kill('SIGKILL'); };
      server.on(row.step, (_cmd, ctx) => {
        if (++seen !== row.nth) return undefined;
        if (row.after === undefined) { kill(); return null; }
        setTimeout(kill, row.after);
        return [...ctx.defaultReply(), act.delay(row.after + 50)] satisfies Action[];
      });
      holder.child = spawnMailctl(argv, sb);
      const first = await exited(holder.child);
      expect(killed, 'the kill point was reached').toBe(true);
      expect(first.signal).toBe('SIGKILL');
      // At the kill: nothing lost.
      await server.idle(2000);
      const onDisk = await delivered(maildir);
      for (const m of MESSAGES) {
        expect(onDisk.includes(m.content) || server.mailbox.some((x) => x.uid === m.uid), `${m.uid} lost`).toBe(true);
      }
      // The rerun (no fault) completes: every message delivered exactly once, server empty.
      server.script.off(row.step);
      const second = await runMailctl(argv, sb);
      expect(second.code, second.stderr).toBe(0);
      expect(await delivered(maildir)).toEqual(MESSAGES.map((m) => m.content).sort());
      expect(server.mailbox).toEqual([]);
    } finally {
      await sb.cleanup();
    }
  });
});
