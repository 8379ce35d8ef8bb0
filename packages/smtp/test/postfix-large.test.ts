// A 50 MB message streamed from a file to real Postfix, with the process's memory staying
// flat, then read back through Dovecot POP3 byte for byte. Raises the test instance's size
// limits for the duration (they default to 10 MB in tooling/peers).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTP, type BodyInput } from '../src/index.js';
import { fetchAndDelete } from './pop3-readback.js';
import { peer, peerSuite } from './peers.js';

const [skip, title] = peerSuite('postfix', 'real Postfix, 50 MB streamed');
const SIZE = 50 * 1000 * 1000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function postconf(settings: string[]): void {
  const pf = peer('postfix');
  const etc = join(pf.dir, 'etc');
  execFileSync('postconf', ['-c', etc, '-e', ...settings]);
  // Postfix ignores a main.cf modified within the current second (RECIPES.md).
  const past = new Date(Date.now() - 5000);
  utimesSync(join(etc, 'main.cf'), past, past);
  process.kill(pf.pids[0]!, 'SIGHUP');
}

async function connect(chunking = true): Promise<SMTP> {
  const pf = peer('postfix');
  return SMTP.connect({ host: pf.host, port: pf.ports.smtp!, security: 'starttls', tls: { ca: pf.caPem }, localName: 'client.test', timeout: 60_000, chunking });
}

/** A session served by an smtpd that has the raised limit (old idle ones may linger after the reload). */
async function connectUnlimited(chunking: boolean): Promise<SMTP> {
  for (let i = 0; i < 100; i++) {
    const smtp = await connect(chunking);
    if (smtp.capabilities.size === 0) return smtp;
    await smtp.quit();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('Postfix did not pick up the new size limit');
}

async function writeMessage(path: string, id: string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`From: <sender@example.test>\r\nTo: <big@example.test>\r\nSubject: 50 MB\r\nDate: Thu, 26 Nov 2026 12:00:00 +0000\r\nMessage-ID: <${id}@client.test>\r\n\r\n`);
  const line = `${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(2)}.x\r\n`;
  const block = line.repeat(Math.floor(65536 / line.length));
  let written = 0;
  while (written < SIZE) {
    const piece = written + block.length > SIZE ? block.slice(0, Math.max(0, SIZE - written - 2)) + '\r\n' : block;
    if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
    written += piece.length;
  }
  out.end();
  await finished(out);
}

describe.skipIf(skip)(title, () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smtp-large-'));
    postconf(['message_size_limit=0', 'virtual_mailbox_limit=0']);
    await (await connectUnlimited(true)).quit();
  }, 60_000);

  afterAll(() => {
    postconf(['message_size_limit=10240000', 'virtual_mailbox_limit=51200000']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['BDAT from a Node stream', true, (path: string): BodyInput => createReadStream(path)],
    ['DATA from a web ReadableStream', false, (path: string): BodyInput => Readable.toWeb(createReadStream(path)) as unknown as BodyInput],
  ])('%s: memory stays flat, delivered byte-identical', async (_name, chunking, source) => {
    const id = randomUUID();
    const path = join(dir, `${id}.eml`);
    await writeMessage(path, id);
    await using smtp = await connectUnlimited(chunking);
    // Live memory, measured after a forced GC so the figure does not depend on when V8
    // happens to collect: buffering the message whole would keep 50 MB alive.
    const live = (): number => { gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
    const before = live();
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, live()); }, 25);
    try {
      const result = await smtp.sendMail({ from: 'sender@example.test', to: 'big@example.test', message: source(path) });
      expect(result.accepted).toHaveLength(1);
      expect(result.bytesSent).toBeGreaterThan(SIZE);
    } finally {
      clearInterval(sampler);
    }
    console.info(`[50 MB ${chunking ? 'BDAT' : 'DATA'}] peak live memory growth while sending: ${((peak - before) / 1048576).toFixed(1)} MiB`);
    expect(peak - before).toBeLessThan(16 * 1024 * 1024);
    const got = await fetchAndDelete({ host: peer('postfix').host, port: peer('postfix').ports.pop3!, user: peer('postfix').user!, pass: peer('postfix').pass! }, id, 60_000);
    const sent = readFileSync(path);
    expect(got.subarray(got.length - sent.length).equals(sent)).toBe(true);
  }, 120_000);
});
