import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection, MailError } from './index.js';
import { bodyParts, chunkSizes, dotCase } from '../test/helpers/dot-wire.js';
import { duplexPair } from '../test/helpers/server.js';

/** Lets the duplex deliver what was written (its 'data' events). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('readDotBytesNow', () => {
  it('returns a buffered body at once and leaves the next reply buffered', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a, { protocol: 'pop3' });
    b.write('+OK 1\r\n..one\r\n.\r\n+OK 2\r\ntwo\r\n.\r\n');
    await settle();
    expect(conn.readLineNow()).toBe('+OK 1');
    expect(conn.readDotBytesNow({ maxSize: 100 })?.toString()).toBe('.one\r\n');
    expect(conn.readLineNow()).toBe('+OK 2');
    expect(conn.readDotBytesNow({ maxSize: 100 })?.toString()).toBe('two\r\n');
    expect(conn.hasBufferedData()).toBe(false);
    expect(conn.readDotBytesNow({ maxSize: 100 })).toBeUndefined();
    conn.destroy();
  });

  it('property: an incomplete body consumes nothing, whatever the chunking; readDotBytes then gets it whole', async () => {
    await fc.assert(
      fc.asyncProperty(bodyParts, chunkSizes, async (parts, sizes) => {
        const { wire, expected } = dotCase(parts);
        const [a, b] = duplexPair();
        const conn = Connection.fromSocket(a);
        let got: Buffer | undefined;
        let at = 0;
        for (let i = 0; at < wire.length && got === undefined; i++) {
          const n = sizes[i % sizes.length]!;
          // A copy: the reads below may unstuff the received bytes in place.
          b.write(Buffer.from(wire.subarray(at, at + n)));
          at += n;
          await settle();
          got = conn.readDotBytesNow({ maxSize: 10_000 });
        }
        if (got === undefined) {
          // The whole wire was sent: the terminator is in it, so the body is complete now.
          throw new Error('body not returned after the whole wire arrived');
        }
        expect(got.toString('latin1')).toBe(expected);
        const pending = conn.readLine();
        if (at < wire.length) b.write(Buffer.from(wire.subarray(at)));
        expect(await pending).toBe('+OK after');
        conn.destroy();
      }),
      { numRuns: 200 },
    );
  });

  it('property: bodies in one read (unstuffed in place) come out whole, and so does the reply after them', async () => {
    await fc.assert(
      fc.asyncProperty(bodyParts, bodyParts, async (p1, p2) => {
        const one = dotCase(p1);
        const two = dotCase(p2);
        const [a, b] = duplexPair();
        const conn = Connection.fromSocket(a);
        // dotCase ends each wire with the line '+OK after': two bodies, each followed by it.
        b.write(Buffer.concat([one.wire, two.wire]));
        await settle();
        expect(conn.readDotBytesNow({ maxSize: 10_000 })?.toString('latin1')).toBe(one.expected);
        expect(conn.readLineNow()).toBe('+OK after');
        expect(conn.readDotBytesNow({ maxSize: 10_000 })?.toString('latin1')).toBe(two.expected);
        expect(conn.readLineNow()).toBe('+OK after');
        expect(conn.hasBufferedData()).toBe(false);
        conn.destroy();
      }),
      { numRuns: 200 },
    );
  });

  it('a body in one read but over maxSize is left to readDotBytes', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a);
    b.write(`${'x'.repeat(60)}\r\n..y\r\n.\r\n`);
    await settle();
    expect(conn.readDotBytesNow({ maxSize: 50 })).toBeUndefined();
    expect((await conn.readDotBytes({ maxSize: 100 })).toString()).toBe(`${'x'.repeat(60)}\r\n.y\r\n`);
    conn.destroy();
  });

  it('answers undefined while another read is queued, and leaves the body to it', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a);
    const line = conn.readLine();
    expect(conn.readDotBytesNow({ maxSize: 100 })).toBeUndefined();
    b.write('+OK\r\nbody\r\n.\r\n');
    expect(await line).toBe('+OK');
    expect((await conn.readDotBytes({ maxSize: 100 })).toString()).toBe('body\r\n');
    conn.destroy();
  });

  it('leaves a body over maxSize to readDotBytes, which refuses it', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a);
    b.write(`${'x'.repeat(60)}\r\n${'y'.repeat(60)}\r\n.\r\n`);
    await settle();
    expect(conn.readDotBytesNow({ maxSize: 100 })).toBeUndefined();
    expect(conn.closed).toBe(false);
    await expect(conn.readDotBytes({ maxSize: 100 })).rejects.toMatchObject({ code: 'MAIL_RESPONSE_TOO_LARGE' });
    expect(conn.closed).toBe(true);
  });

  it('strict mode: a bare LF throws MAIL_PROTOCOL and destroys the connection', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a, { server: true });
    b.write('evil\n.\r\n');
    await settle();
    let error: unknown;
    try {
      conn.readDotBytesNow({ maxSize: 100, strict: true });
    } catch (err) {
      error = err;
    }
    expect(MailError.hasCode(error, 'MAIL_PROTOCOL')).toBe(true);
    expect(conn.closed).toBe(true);
  });
});
