/**
 * SECURITY.md promise 6, end to end: `mailctl fetch --delete` is killed with SIGKILL at many
 * points (and its connection cut at many points), then run again; every message ends up
 * exactly once in the Maildir and none is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeServer, act } from '@mail/test-servers';
import { BIN, ensureBuilt } from './dist.js';
import { sandbox, type Sandbox } from './helpers.js';

const COUNT = 8;
const BATCH = '3';
const originals = Array.from({ length: COUNT }, (_, i) => `From: s${i}@example.org\r\nSubject: m${i}\r\nMessage-ID: <${i}@crash>\r\n\r\n${'x'.repeat(200 * i)}\r\n`);

let base: string;
let caFile: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'mailctl-crash-'));
  await ensureBuilt();
}, 180_000);
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function startServer(onCommand?: (n: number, verb: string) => ReturnType<typeof act.reset> | undefined): Promise<FakeServer> {
  let n = 0;
  const server = await FakeServer.start({
    protocol: 'pop3',
    security: 'tls',
    users: { bob: 'builder' },
    mailbox: originals.map((content, i) => ({ uid: `uid-${i}`, content })),
    script: (s) => s.on('*', (cmd) => onCommand?.(n++, cmd.verb)),
  });
  caFile = join(base, 'ca.pem');
  await writeFile(caFile, server.ca);
  return server;
}

function args(server: FakeServer, dir: string, dest: 'maildir' | 'mbox' = 'maildir'): string[] {
  const where = dest === 'maildir' ? ['--maildir', join(dir, 'Mail')] : ['--mbox', join(dir, 'box.mbox')];
  return ['fetch', '--server', `pop3s://bob@localhost:${server.port}`, '--ca', caFile, '--password-env', 'PW', ...where, '--state', join(dir, 'state.json'), '--delete', '--batch', BATCH, '-q'];
}

function spawnFetch(server: FakeServer, dir: string, dest: 'maildir' | 'mbox' = 'maildir'): { child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args(server, dir, dest)], { env: { ...process.env, PW: 'builder', NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exit };
}

/** A clean run against a fresh server, to learn the command sequence: the verb of each command fetch sends. */
async function probeVerbs(prefix: string, dest: 'maildir' | 'mbox' = 'maildir'): Promise<string[]> {
  const probeServer = await startServer();
  const probeDir = await mkdtemp(join(base, prefix));
  const clean = spawnFetch(probeServer, probeDir, dest);
  expect((await clean.exit).code).toBe(0);
  const verbs = probeServer.commands().map((c) => c.split(' ')[0]!.toUpperCase());
  await probeServer.close();
  return verbs;
}

/**
 * A server that SIGKILLs `target.current` (the fetch process the test sets there) `delay` ms
 * after it receives command number `at`; nothing is killed while `target.current` is unset.
 */
async function killingServer(at: number, delay: number): Promise<{ server: FakeServer; target: { current?: ChildProcess } }> {
  const target: { current?: ChildProcess } = {};
  const server = await startServer((n) => {
    const victim = target.current;
    if (n === at && victim) setTimeout(() => victim.kill('SIGKILL'), delay);
    return undefined;
  });
  return { server, target };
}

async function stored(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const folder of ['new', 'cur']) {
    let names: string[];
    try {
      names = await readdir(join(dir, 'Mail', folder));
    } catch {
      continue;
    }
    for (const name of names) out.push(await readFile(join(dir, 'Mail', folder, name), 'utf8'));
  }
  return out.sort();
}

/** Nothing lost at any moment: each message is on the server or on disk. */
async function assertNoneLost(server: FakeServer, dir: string, label: string): Promise<void> {
  const onDisk = new Set(await stored(dir));
  const onServer = new Set(server.mailbox.map((m) => m.content.toString()));
  for (const m of originals) expect(onDisk.has(m) || onServer.has(m), `${label}: a message is lost`).toBe(true);
}

/** Runs fetch again (no faults) until it succeeds, then checks exactly-once delivery. */
async function finishAndCheck(server: FakeServer, dir: string, label: string, rerun: () => Promise<{ code: number; stderr: string }>): Promise<void> {
  let last = { code: -1, stderr: '' };
  for (let round = 0; round < 3 && last.code !== 0; round++) last = await rerun();
  expect(last.code, `${label}: ${last.stderr}`).toBe(0);
  expect(server.mailbox, `${label}: server not emptied`).toHaveLength(0);
  expect(await stored(dir), `${label}: not exactly once`).toEqual([...originals].sort());
}

describe('fetch --delete survives SIGKILL at any point', () => {
  it('kills the process at every command (and shortly after the commands around each batch commit), then re-runs', async () => {
    const verbs = await probeVerbs('probe-');
    expect(verbs).toContain('DELE');

    const points: Array<{ at: number; delay: number }> = verbs.map((_, at) => ({ at, delay: 0 }));
    // Retrievals end a window; the disk work (tmp files, pending state, grouped fsync,
    // rename, state update) happens right after: kill inside that window too.
    verbs.forEach((v, at) => {
      if (v === 'DELE' || (v === 'RETR' && verbs[at + 1] !== 'RETR')) for (const delay of [2, 10]) points.push({ at, delay });
    });

    let killed = 0;
    for (const { at, delay } of points) {
      const label = `kill at command ${at} (${verbs[at]}) +${delay} ms`;
      const dir = await mkdtemp(join(base, 'kill-'));
      const { server, target } = await killingServer(at, delay);
      try {
        const first = spawnFetch(server, dir);
        target.current = first.child;
        const result = await first.exit;
        if (result.signal === 'SIGKILL') killed++;
        target.current = undefined;
        await server.idle(10_000).catch(() => undefined);
        await assertNoneLost(server, dir, label);
        await finishAndCheck(server, dir, label, async () => {
          const again = spawnFetch(server, dir);
          const r = await again.exit;
          return { code: r.code ?? -1, stderr: r.stderr };
        });
      } finally {
        await server.close();
      }
    }
    // Most kill points must really have killed the process mid-run.
    expect(killed).toBeGreaterThan(points.length / 2);
  }, 600_000);
});

describe('fetch --delete into an mbox survives SIGKILL (stale lock taken over, torn appends undone)', () => {
  it('kills the process around every batch commit and at every DELE, then re-runs', async () => {
    const verbs = await probeVerbs('mbox-probe-', 'mbox');
    const points: Array<{ at: number; delay: number }> = [];
    verbs.forEach((v, at) => {
      if (v === 'DELE' || v === 'QUIT' || (v === 'RETR' && verbs[at + 1] !== 'RETR')) for (const delay of [0, 3, 12]) points.push({ at, delay });
    });
    const { decodeMboxrd } = await import('../src/fetch/mbox.js');
    const expected = originals.map((m) => m.replace(/\r\n/g, '\n')).sort();
    for (const { at, delay } of points) {
      const label = `mbox: kill at command ${at} (${verbs[at]}) +${delay} ms`;
      const dir = await mkdtemp(join(base, 'mbox-kill-'));
      const { server, target } = await killingServer(at, delay);
      try {
        const first = spawnFetch(server, dir, 'mbox');
        target.current = first.child;
        await first.exit;
        target.current = undefined;
        let last = { code: -1 as number | null, stderr: '' };
        for (let round = 0; round < 3 && last.code !== 0; round++) last = await spawnFetch(server, dir, 'mbox').exit;
        expect(last.code, `${label}: ${last.stderr}`).toBe(0);
        expect(server.mailbox, label).toHaveLength(0);
        const got = decodeMboxrd(await readFile(join(dir, 'box.mbox'))).map((b) => b.toString()).sort();
        expect(got, label).toEqual(expected);
        expect(await readdir(dir), label).not.toContain('box.mbox.lock');
      } finally {
        await server.close();
      }
    }
  }, 600_000);
});

describe('fetch --delete survives the connection being cut at any command', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await sandbox();
  });
  afterAll(async () => {
    await sb.cleanup();
  });

  it('resets the connection at every command, then re-runs', async () => {
    const probeServer = await startServer();
    const probeDir = await mkdtemp(join(base, 'cut-probe-'));
    expect((await sb.run(args(probeServer, probeDir), { env: { PW: 'builder' } })).code).toBe(0);
    const total = probeServer.commands().length;
    await probeServer.close();
    for (let at = 0; at < total; at++) {
      const label = `connection reset at command ${at}`;
      const dir = await mkdtemp(join(base, 'cut-'));
      const server = await startServer((n) => (n === at ? act.reset() : undefined));
      try {
        const first = await sb.run(args(server, dir), { env: { PW: 'builder' } });
        // QUIT's reply lost: the server applied the deletions but the client cannot know.
        if (at < total - 1) expect(first.code, label).toBe(75);
        await assertNoneLost(server, dir, label);
        await finishAndCheck(server, dir, label, async () => sb.run(args(server, dir), { env: { PW: 'builder' } }));
      } finally {
        await server.close();
      }
    }
  }, 300_000);
});
