import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, Connection, MailError } from '../src/index.js';
import { bodyParts, chunkSizes, dotCase, writeInSizes } from './helpers/dot-wire.js';
import { duplexPair, startServer, type TestServer } from './helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('readDotBytes', () => {
  it('unstuffs into one Buffer and leaves pipelined bytes for the next read', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a, { protocol: 'pop3' });
    b.write('Subject: x\r\n\r\n..leading dot\r\nmid\r\n..two\r\n.\r\n+OK next\r\n');
    const body = await conn.readDotBytes({ maxSize: 1000 });
    expect(body.toString()).toBe('Subject: x\r\n\r\n.leading dot\r\nmid\r\n.two\r\n');
    expect(await conn.readLine()).toBe('+OK next');
    conn.destroy();
  });

  it('reads several pipelined bodies and status lines in order from one network read', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a, { protocol: 'pop3' });
    b.write('+OK 1\r\none\r\n.\r\n+OK 2\r\n..two\r\n.\r\n+OK 3\r\n.\r\n');
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      got.push(await conn.readLine());
      got.push((await conn.readDotBytes({ maxSize: 100 })).toString());
    }
    expect(got).toEqual(['+OK 1', 'one\r\n', '+OK 2', '.two\r\n', '+OK 3', '']);
    expect(conn.hasBufferedData()).toBe(false);
    conn.destroy();
  });

  it('property: every chunking of the wire gives the body readDotBody gives', async () => {
    await fc.assert(
      fc.asyncProperty(bodyParts, chunkSizes, async (parts, sizes) => {
        const { wire, expected } = dotCase(parts);
        const [a, b] = duplexPair();
        const conn = Connection.fromSocket(a);
        const pending = conn.readDotBytes({ maxSize: 10_000 });
        writeInSizes(b, wire, sizes);
        expect((await pending).toString('latin1')).toBe(expected);
        expect(await conn.readLine()).toBe('+OK after');
        conn.destroy();
      }),
      { numRuns: 200 },
    );
  });

  it('a body over maxSize is refused with the given error and the connection is destroyed', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a);
    b.write(`${'x'.repeat(60)}\r\n${'y'.repeat(60)}\r\n.\r\n`);
    const tooLarge = (max: number): MailError => new MailError('MAIL_RESPONSE_TOO_LARGE', `over ${max}`);
    await expect(conn.readDotBytes({ maxSize: 100, tooLarge })).rejects.toMatchObject({ code: 'MAIL_RESPONSE_TOO_LARGE', message: 'over 100' });
    expect(conn.closed).toBe(true);
    await expect(conn.readLine()).rejects.toMatchObject({ code: 'MAIL_RESPONSE_TOO_LARGE' });
  });

  it('a body of exactly maxSize octets is accepted', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a);
    b.write(`${'x'.repeat(98)}\r\n.\r\n`);
    expect((await conn.readDotBytes({ maxSize: 100 })).length).toBe(100);
    conn.destroy();
  });

  it('a connection closed before the terminator is MAIL_CONNECTION_CLOSED, never a truncated body', async () => {
    server = await startServer((s) => s.end('line one\r\nline two\r\n'));
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 5_000 });
    await expect(conn.readDotBytes({ maxSize: 1000 })).rejects.toMatchObject({ code: 'MAIL_CONNECTION_CLOSED', transient: true });
  });

  it('a body that never ends is MAIL_TIMEOUT in the data phase at the deadline', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a);
    b.write('partial\r\n');
    await expect(conn.readDotBytes({ maxSize: 1000, deadline: Date.now() + 50 })).rejects.toMatchObject({ code: 'MAIL_TIMEOUT' });
    expect(conn.closed).toBe(true);
  });

  it('a small body cut from a large read is copied, so it does not pin the read', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a);
    b.write(Buffer.from(`hi\r\n.\r\n${'z'.repeat(10_000)}`));
    const body = await conn.readDotBytes({ maxSize: 100 });
    expect(body.toString()).toBe('hi\r\n');
    expect(body.buffer.byteLength).toBeLessThan(10_000);
    conn.destroy();
  });
});
