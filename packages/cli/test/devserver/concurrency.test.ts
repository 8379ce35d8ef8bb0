import { connect } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Maildir } from '@mail/pop3/maildir';
import { startDevServer, type DevServer } from '../../src/devserver/index.js';

let dir: string;
let dev: DevServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devserver-load-'));
  dev = await startDevServer({ dataDir: dir, smtp: { port: 0 }, pop3: { port: 0 }, users: [{ name: 'load', password: 'x-1' }] });
});
afterAll(async () => {
  await dev?.close();
  await rm(dir, { recursive: true, force: true });
});

/** One plaintext SMTP client sending one message, pipelined; resolves with the final replies. */
function sendOne(port: number, id: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buf = '';
    let sentBody = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`client ${id} timed out: ${JSON.stringify(buf)}`));
    }, 25_000);
    socket.setEncoding('latin1');
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('data', (d: string) => {
      buf += d;
      if (buf.startsWith('220 ') && !buf.includes('EHLO-sent')) {
        buf += 'EHLO-sent';
        socket.write(`EHLO c${id}\r\nMAIL FROM:<s${id}@x.test>\r\nRCPT TO:<load@localhost>\r\nDATA\r\n`);
      }
      if (!sentBody && buf.includes('\r\n354 ')) {
        sentBody = true;
        socket.write(`Subject: message ${id}\r\n\r\nbody of ${id}\r\n.\r\nQUIT\r\n`);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(buf);
    });
  });
}

it('1000 concurrent connections each send a message; every message is stored exactly once', async () => {
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => sendOne(dev.smtpPort, i)));
  for (const r of results) expect(r).toMatch(/\r\n250 2\.0\.0 OK queued as [0-9A-F]+\r\n221 /);
  const md = await Maildir.open(join(dev.mailDir, 'load'));
  const entries = await md.list();
  expect(entries).toHaveLength(1000);
  const ids = await Promise.all(entries.map(async (e) => /^Subject: message (\d+)\r\n/.exec(await readFile(e.path, 'latin1'))![1]));
  expect(new Set(ids).size).toBe(1000);
  expect(Date.now() - started).toBeLessThan(30_000);
}, 60_000);
