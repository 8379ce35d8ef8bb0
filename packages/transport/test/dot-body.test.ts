import fc from 'fast-check';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, Connection, MailError } from '../src/index.js';
import { bodyParts, chunkSizes, dotCase, writeInSizes } from './helpers/dot-wire.js';
import { duplexPair, sleep, startServer, type TestServer } from './helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c);
  return Buffer.concat(parts);
}

describe('readDotBody', () => {
  it('unstuffs, keeps CRLFs, excludes the terminator and leaves pipelined bytes for the next read', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a, { protocol: 'pop3' });
    b.write('Subject: x\r\n\r\n..leading dot\r\n.\r\n+OK next\r\n');
    expect((await readAll(conn.readDotBody())).toString()).toBe('Subject: x\r\n\r\n.leading dot\r\n');
    expect(await conn.readLine()).toBe('+OK next');
    conn.destroy();
  });

  it('property: every chunking of the wire bytes gives the same body and the same next line', async () => {
    await fc.assert(
      fc.asyncProperty(bodyParts, chunkSizes, async (parts, sizes) => {
        const { wire, expected } = dotCase(parts);
        const [a, b] = duplexPair();
        const conn = Connection.fromSocket(a);
        writeInSizes(b, wire, sizes);
        const body = (await readAll(conn.readDotBody())).toString('latin1');
        expect(body).toBe(expected);
        expect(await conn.readLine()).toBe('+OK after');
        conn.destroy();
      }),
      { numRuns: 200 },
    );
  });

  it('a connection closed before the terminator is MAIL_CONNECTION_CLOSED, never a truncated body', async () => {
    server = await startServer((s) => s.end('line one\r\nline two\r\n'));
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 5_000 });
    const got: Buffer[] = [];
    const err = await (async () => {
      for await (const c of conn.readDotBody()) got.push(c);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_CONNECTION_CLOSED', transient: true });
    expect(Buffer.concat(got).toString()).toBe('line one\r\nline two\r\n');
  });

  it('stopping early destroys the connection (out of sync)', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a);
    b.write('part one\r\n');
    for await (const _ of conn.readDotBody()) break;
    expect(conn.closed).toBe(true);
    await expect(conn.readLine()).rejects.toMatchObject({ code: 'MAIL_CONNECTION_CLOSED' });
  });

  it('strict mode (SMTP server DATA) refuses a bare LF with MAIL_PROTOCOL', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a, { server: true });
    b.write('ok\r\nbad\n.\r\n');
    await expect(readAll(conn.readDotBody({ strict: true }))).rejects.toMatchObject({ code: 'MAIL_PROTOCOL' });
    expect(conn.closed).toBe(true);
  });

  it('backpressure: a 50 MB body read by a slow consumer keeps memory bounded', async () => {
    const line = Buffer.from(`${'x'.repeat(1022)}\r\n`);
    const block = Buffer.concat(Array(64).fill(line)); // 64 KiB
    const blocks = 800; // 50 MiB
    let sent = 0;
    server = await startServer((s) => {
      const pump = (): void => {
        while (sent < blocks) {
          sent++;
          if (!s.write(block)) return void s.once('drain', pump);
        }
        s.write('.\r\n');
      };
      pump();
    });
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 60_000 });
    // Measure what is retained, not garbage not yet collected.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage();
    let total = 0;
    let peakHeap = 0;
    let peakExternal = 0;
    let n = 0;
    for await (const chunk of conn.readDotBody()) {
      total += chunk.length;
      n++;
      if (n === 20) {
        // A consumer far slower than the network: the sender must be held back.
        await sleep(300);
        expect(sent).toBeLessThan(blocks / 4);
      }
      if (n % 32 === 0) {
        await sleep(1);
        gc();
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed);
        peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers - base.external - base.arrayBuffers);
      }
    }
    expect(total).toBe(blocks * block.length);
    // Generous bounds: buffered input is paused at ~1 MiB; a body held whole would be 50 MB+.
    expect(peakExternal).toBeLessThan(8 * 1024 * 1024);
    expect(peakHeap).toBeLessThan(8 * 1024 * 1024);
    await conn.close();
  }, 60_000);
});

describe('no reader throws anything but MailError on arbitrary bytes', () => {
  it('property: readLine, readDotLines and readDotBody over random input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 12 }),
        fc.constantFrom('line', 'dotLines', 'body', 'bodyStrict'),
        fc.integer({ min: 4, max: 200 }),
        async (chunks, reader, maxLineLength) => {
          const [a, b] = duplexPair();
          const conn = Connection.fromSocket(a, { limits: { maxLineLength, maxResponseSize: 300 }, timeout: 2_000 });
          for (const c of chunks) b.write(c);
          b.end();
          try {
            for (let i = 0; i < 50; i++) {
              if (reader === 'line') await conn.readLine();
              else if (reader === 'dotLines') await conn.readDotLines();
              else await readAll(conn.readDotBody({ strict: reader === 'bodyStrict' }));
            }
          } catch (err) {
            expect(MailError.is(err)).toBe(true);
          } finally {
            conn.destroy();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
