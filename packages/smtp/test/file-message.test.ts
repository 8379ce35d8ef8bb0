// `message: { path }`: a message sent from a file, read in place into a few reused buffers.
// What arrives is the file normalised (bare CR/LF -> CRLF, final CRLF), dot-stuffed on the
// wire, the same whether it ends within the look-ahead or long after; unsafe content found
// after the look-ahead abandons the transaction; the file is never left open.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { headerEnd } from '../src/file-head.js';
import { FILE_BULK_READ_SIZE, FILE_FIRST_SPAN, FILE_READ_AHEAD, FILE_READ_SIZE, FileChunks, isMessageFile } from '../src/file-source.js';
import { client, failure, fake, noChunking } from './helpers.js';
import { normalized, peer, peerSuite } from './peers.js';
import { SMTP } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'smtp-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function file(content: string | Buffer): string {
  const path = join(dir, `m${n++}.eml`);
  writeFileSync(path, content);
  return path;
}

/** Open descriptors of this process that point into the test directory. */
function openInDir(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false; // Closed meanwhile (the listing's own descriptor).
    }
  }).length;
}

/** About `size` octets of lines, some starting with a dot, one CR/LF pair split at each read boundary. */
function bigMessage(size: number): string {
  const lines: string[] = ['Subject: big\r\n', '\r\n'];
  let len = 16;
  for (let i = 0; len < size; i++) {
    const line = `${i % 7 === 0 ? '.' : 'L'}${'x'.repeat(60 + (i % 13))}${i % 11 === 0 ? '\n' : '\r\n'}`;
    lines.push(line);
    len += line.length;
  }
  let text = lines.join('');
  // A CRLF straddling the first read boundary, and a dot starting the second read.
  const b = FILE_READ_SIZE;
  text = `${text.slice(0, b - 1)}\r\n.${text.slice(b + 2)}`;
  // The same where the reads grow (the first big read), and a bare CR ending the first big read.
  const g = FILE_FIRST_SPAN;
  if (text.length > g + FILE_BULK_READ_SIZE + 2) {
    text = `${text.slice(0, g - 1)}\r\n.${text.slice(g + 2)}`;
    const e = g + FILE_BULK_READ_SIZE;
    text = `${text.slice(0, e - 1)}\rx${text.slice(e + 1)}`;
  }
  return text;
}

describe('isMessageFile', () => {
  it('takes { path } (string or URL), not streams that happen to have a path', async () => {
    const { createReadStream } = await import('node:fs');
    expect(isMessageFile({ path: '/x' })).toBe(true);
    expect(isMessageFile({ path: new URL('file:///x') })).toBe(true);
    const stream = createReadStream(file('x'));
    expect(isMessageFile(stream)).toBe(false);
    stream.destroy();
    expect(isMessageFile('path')).toBe(false);
    expect(isMessageFile({ path: 1 })).toBe(false);
  });
});

describe('FileChunks', () => {
  it('reads the file in order and reuses a recycled buffer instead of allocating', async () => {
    const content = Buffer.alloc(FILE_READ_SIZE * 12 + 10, 'a');
    for (let i = 0; i < content.length; i += 4096) content[i] = 0x30 + ((i / 4096) % 10);
    const chunks = new FileChunks({ path: file(content) });
    const first = await chunks.next();
    expect(first.done).toBe(false);
    const firstBuffer = first.value!.buffer;
    chunks.recycle(first.value!);
    const seen: Buffer[] = [Buffer.from(first.value!)];
    const buffers = new Map<ArrayBufferLike, number>([[firstBuffer, first.value!.length]]);
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
      seen.push(Buffer.from(next.value));
      buffers.set(next.value.buffer, next.value.buffer.byteLength);
      chunks.recycle(next.value);
    }
    expect(Buffer.concat(seen).equals(content)).toBe(true);
    // Through a bounded pool per read size: the reads ahead, the one in the caller's hands, one recycled.
    const sizes = [...buffers.values()];
    expect(sizes.filter((n) => n === FILE_READ_SIZE).length).toBeLessThanOrEqual(FILE_READ_AHEAD + 2);
    expect(sizes.filter((n) => n === FILE_BULK_READ_SIZE).length).toBeLessThanOrEqual(FILE_READ_AHEAD + 2);
    expect(sizes.every((n) => n === FILE_READ_SIZE || n === FILE_BULK_READ_SIZE)).toBe(true);
    // The reads grew after the first span: 4 small reads, then 2 big ones (3 MiB + 10 octets).
    expect(sizes.filter((n) => n === FILE_BULK_READ_SIZE).length).toBeGreaterThan(0);
  });

  it('refuses a file that changed while it was detached', async () => {
    const path = file(Buffer.alloc(FILE_READ_SIZE * 8, 'b'));
    const chunks = new FileChunks({ path });
    await chunks.next();
    await chunks.detach();
    await appendFile(path, 'more');
    // The chunks read ahead before detaching, then the first read that reopens the file.
    for (let i = 0; i < FILE_READ_AHEAD; i++) expect((await chunks.next()).done).toBe(false);
    await expect(chunks.next()).rejects.toMatchObject({ code: 'MAIL_INVALID_ARGUMENT', message: expect.stringContaining('changed') });
    expect(openInDir()).toBe(0);
  });

  it('reads no further ahead than holdAfter until detached; prefetch() then reads on', async () => {
    const content = Buffer.alloc(FILE_READ_SIZE * 8, 'd');
    for (let i = 0; i < content.length; i += 4096) content[i] = 0x30 + ((i / 4096) % 10);
    const path = file(content);
    const chunks = new FileChunks({ path }, 2 * FILE_READ_SIZE);
    const seen = [(await chunks.next()).value!, (await chunks.next()).value!].map((c) => Buffer.from(c));
    await chunks.detach();
    await appendFile(path, 'more');
    // Nothing was read ahead past the hold: the very next read reopens and sees the change.
    await expect(chunks.next()).rejects.toMatchObject({ code: 'MAIL_INVALID_ARGUMENT', message: expect.stringContaining('changed') });
    expect(openInDir()).toBe(0);

    const again = new FileChunks({ path: file(content) }, 2 * FILE_READ_SIZE);
    const got = [(await again.next()).value!, (await again.next()).value!].map((c) => Buffer.from(c));
    expect(Buffer.concat(got).equals(Buffer.concat(seen))).toBe(true);
    await again.detach();
    again.prefetch();
    for (let next = await again.next(); next.done !== true; next = await again.next()) got.push(Buffer.from(next.value));
    expect(Buffer.concat(got).equals(content)).toBe(true);
    expect(openInDir()).toBe(0);
  });

  it('closes the file at the end and on return()', async () => {
    const chunks = new FileChunks({ path: file(Buffer.alloc(FILE_READ_SIZE * 2 + 1, 'c')) });
    await chunks.next();
    expect(openInDir()).toBe(1);
    await chunks.return();
    expect(openInDir()).toBe(0);
    const all = new FileChunks({ path: pathToFileURL(file('short')) });
    expect((await all.next()).value?.toString()).toBe('short');
    expect((await all.next()).done).toBe(true);
    expect(openInDir()).toBe(0);
  });
});

describe('sendMail({ message: { path } }) against the fake server', () => {
  it.each([
    ['DATA', noChunking],
    ['BDAT', undefined],
  ] as const)('%s: small and large files arrive normalised, the same as from a string', async (_via, extensions) => {
    const server = await fake(extensions ? { extensions } : {});
    const smtp = await client(server);
    const inputs = ['Subject: s\n\n.dot\rend', bigMessage(3 * 1024 * 1024 + 123)];
    for (const input of inputs) {
      await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: { path: file(input) } });
    }
    expect(server.messages.map((m, i) => m.content.equals(normalized(inputs[i]!)))).toEqual([true, true]);
    expect(openInDir()).toBe(0);
  });

  it('an empty file, and files ending exactly at the look-ahead and at a read boundary', async () => {
    const server = await fake({ extensions: noChunking });
    const smtp = await client(server);
    const inputs = ['', 'x'.repeat(99) + '\r\n', bigMessage(1024 * 1024).slice(0, 1024 * 1024), bigMessage(5 * FILE_READ_SIZE).slice(0, 5 * FILE_READ_SIZE), bigMessage(FILE_FIRST_SPAN + FILE_BULK_READ_SIZE).slice(0, FILE_FIRST_SPAN + FILE_BULK_READ_SIZE)];
    for (const input of inputs) await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: { path: file(input) } });
    expect(server.messages.map((m, i) => m.content.equals(normalized(inputs[i]!)))).toEqual([true, true, true, true, true]);
  });

  it('a long file with a NUL after the look-ahead: the DATA transaction is abandoned, nothing delivered, file closed', async () => {
    const server = await fake({ extensions: noChunking });
    const smtp = await client(server);
    const path = file(`${bigMessage(2 * 1024 * 1024)}bad\0\r\n`);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: { path } }));
    expect(error.code).toBe('SMTP_MESSAGE');
    expect(error.message).toContain('abandoned');
    await server.idle();
    expect(server.messages).toHaveLength(0);
    expect(openInDir()).toBe(0);
  });

  it('a refused recipient leaves no file open; a missing file fails before MAIL FROM', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('RCPT', '550 5.1.1 No such user\r\n');
    const smtp = await client(server);
    const error = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: { path: file(bigMessage(2 * 1024 * 1024)) } }));
    expect(error.name).toBe('SMTPRecipientsRefusedError');
    expect(openInDir()).toBe(0);
    const missing = await failure(smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: { path: join(dir, 'absent.eml') } }));
    expect(missing.code).toBe('ENOENT');
    expect(server.commands().filter((c) => c.startsWith('MAIL'))).toHaveLength(1);
  });

  it('sendMessage takes the envelope from a file\'s headers and removes Bcc, also for a body beyond the look-ahead', async () => {
    const server = await fake({ extensions: noChunking });
    const smtp = await client(server);
    const big = bigMessage(2 * 1024 * 1024).split('\r\n\r\n')[1]!;
    for (const body of ['hi\n', big]) {
      await smtp.sendMessage({ path: file(`From: a@x.test\nTo: b@y.test\nBcc: c@y.test\r\n\r${body}`) });
    }
    expect(server.commands().filter((c) => /^(MAIL|RCPT)/.test(c)).map((c) => c.replace(/> .*$/, '>'))).toEqual([
      'MAIL FROM:<a@x.test>', 'RCPT TO:<b@y.test>', 'RCPT TO:<c@y.test>',
      'MAIL FROM:<a@x.test>', 'RCPT TO:<b@y.test>', 'RCPT TO:<c@y.test>',
    ]);
    expect(server.messages[0]!.content.toString()).toBe('From: a@x.test\r\nTo: b@y.test\r\n\r\nhi\r\n');
    expect(server.messages[1]!.content.equals(normalized(`From: a@x.test\nTo: b@y.test\n\n${big}`))).toBe(true);
    expect(openInDir()).toBe(0);
  });

  it('sendMessage of a file whose recipient is refused leaves no file open', async () => {
    const server = await fake({ extensions: noChunking });
    server.once('RCPT', '550 5.1.1 No such user\r\n');
    const smtp = await client(server);
    const error = await failure(smtp.sendMessage({ path: file(`From: a@x.test\r\nTo: b@y.test\r\n${bigMessage(2 * 1024 * 1024)}`) }));
    expect(error.name).toBe('SMTPRecipientsRefusedError');
    expect(openInDir()).toBe(0);
  });
});

describe('buffer reuse against a slow reader', () => {
  it('a file read through reused buffers arrives intact when the socket backs up (writes wait for drain while reads run ahead)', async () => {
    const { createServer } = await import('node:net');
    const received: Buffer[] = [];
    const server = createServer((sock) => {
      let data = false;
      sock.write('220 slow\r\n');
      sock.on('data', (buf: Buffer) => {
        if (data) {
          received.push(buf);
          // Read slowly: the client's socket fills up and its writes wait for drain.
          sock.pause();
          setTimeout(() => sock.resume(), 1);
          if (Buffer.concat(received.slice(-2)).includes('\r\n.\r\n')) {
            data = false;
            sock.write('250 ok\r\n');
          }
          return;
        }
        for (const line of buf.toString('latin1').split('\r\n').filter(Boolean)) {
          if (line.startsWith('EHLO')) sock.write('250-slow\r\n250 8BITMIME\r\n');
          else if (line === 'DATA') {
            data = true;
            sock.write('354 go\r\n');
          } else if (line === 'QUIT') sock.end('221 bye\r\n');
          else sock.write('250 ok\r\n');
        }
      });
      sock.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const content = bigMessage(6 * 1024 * 1024);
      const smtp = await SMTP.connect({ host: '127.0.0.1', port, security: 'none', localName: 'client.test', timeout: 20_000, pipelining: false });
      await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: { path: file(content) } });
      await smtp.quit();
      const wire = Buffer.concat(received).toString('latin1');
      const unstuffed = wire.slice(0, -3).replace(/(^|\r\n)\./g, '$1');
      expect(unstuffed === normalized(content).toString('latin1')).toBe(true);
    } finally {
      server.close();
    }
  }, 30_000);
});

describe('headerEnd (RFC 5322 §2.1: the header section ends at the first empty line)', () => {
  it.each([
    ['A: 1\r\n\r\nbody', true, 8],
    ['A: 1\n\nbody', true, 6],
    ['A: 1\r\rbody', true, 6],
    ['A: 1\r\n\nbody', true, 7],
    ['A: 1\n\r\nbody', true, 7],
    ['\r\nbody', true, 2],
    ['\nbody', true, 1],
    ['A: 1\r\nB: 2\r\n', true, -1],
    ['A: 1\r\n\r', true, -1], // The CR may still get its LF.
    ['A: 1\r\n\r', false, 7],
    ['A: 1\r\n', false, -1],
  ])('%j (more: %s) -> %i', (raw, more, end) => {
    expect(headerEnd(Buffer.from(raw, 'latin1'), more)).toBe(end);
  });
});

const [skip, title] = peerSuite('aiosmtpd', 'message files to real aiosmtpd (byte-exact recorder)');

describe.skipIf(skip)(title, () => {
  it('records the normalised file, for a file within and one beyond the look-ahead', async () => {
    const p = peer('aiosmtpd');
    await using smtp = await SMTP.connect({ host: p.host, port: p.ports.smtp!, security: 'starttls', tls: { ca: p.caPem }, localName: 'client.test', timeout: 10_000 });
    for (const content of ['Subject: lf\n\n.one\n..two\r.\rend', bigMessage(2 * 1024 * 1024 + 7)]) {
      const result = await smtp.sendMail({ from: 'a@example.test', to: 'b@example.test', message: { path: file(content) } });
      const recorded = readFileSync(join(p.env.SMTP_MAILDIR!, `${result.response.queueId}.eml`));
      expect(recorded.equals(normalized(content))).toBe(true);
    }
  });
});
