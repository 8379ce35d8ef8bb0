import { connect } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Maildir } from '@mail/pop3/maildir';
import { startDevServer, type DevServer } from '../../src/devserver/index.js';

let dir: string;
let dev: DevServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devserver-hostile-'));
  dev = await startDevServer({ dataDir: dir, smtp: { port: 0 }, pop3: { port: 0 }, users: [{ name: 'eve', password: 'x-1' }] });
});
afterAll(async () => {
  await dev?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends `script` after the greeting and collects everything until the server closes or `ms` pass. */
function converse(script: string[], ms = 3000, abort = false): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: dev.smtpPort });
    let buf = '';
    let step = 0;
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      buf += d;
      // One script entry per reply line that ends a reply (code followed by a space).
      const finals = buf.split('\r\n').filter((l) => /^\d{3} /.test(l)).length;
      while (step < script.length && step < finals) {
        socket.write(script[step++]!);
        if (abort && step === script.length) socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(buf);
    });
  });
}

async function stored(): Promise<number> {
  const md = await Maildir.open(join(dev.mailDir, 'eve'), { create: true });
  return (await md.list()).length;
}

it('a client that disconnects in the middle of DATA leaves nothing behind, not even in tmp/', async () => {
  await converse(['EHLO c\r\n', 'MAIL FROM:<a@x>\r\n', 'RCPT TO:<eve@localhost>\r\n', 'DATA\r\n', 'Subject: half\r\n\r\nhalf a mess'], 3000, true);
  await new Promise((r) => setTimeout(r, 200));
  expect(await stored()).toBe(0);
  expect(await readdir(join(dev.mailDir, 'eve', 'tmp'))).toEqual([]);
});

it('an SMTP smuggling attempt is refused and neither message is stored', async () => {
  const smuggled = 'Subject: outer\r\n\r\nhi\n.\r\nMAIL FROM:<admin@x>\r\nRCPT TO:<eve@localhost>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n';
  const transcript = await converse(['EHLO c\r\n', 'MAIL FROM:<a@x>\r\n', 'RCPT TO:<eve@localhost>\r\n', 'DATA\r\n', smuggled, 'QUIT\r\n']);
  expect(transcript).toMatch(/\r\n554 5\.6\.0 /);
  expect(transcript.match(/^354 /gm)).toHaveLength(1); // the smuggled DATA never ran
  expect(transcript).toMatch(/\r\n221 /);
  expect(await stored()).toBe(0);
  expect(await readdir(join(dev.mailDir, 'eve', 'tmp'))).toEqual([]);
});
