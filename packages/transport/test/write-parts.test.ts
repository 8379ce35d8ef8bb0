import { describe, expect, it } from 'vitest';
import { Connection, DotStuffer } from '../src/index.js';
import { duplexPair } from './helpers/server.js';

async function receive(peer: NodeJS.ReadableStream, bytes: number): Promise<string> {
  const got: Buffer[] = [];
  let n = 0;
  for await (const c of peer) {
    got.push(c as Buffer);
    n += (c as Buffer).length;
    if (n >= bytes) break;
  }
  return Buffer.concat(got).toString('latin1');
}

describe('write with a list of buffers', () => {
  it('sends the parts in order, skipping empty ones', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a);
    const received = receive(b, 11);
    await conn.write([Buffer.from('hello'), Buffer.alloc(0), Buffer.from(' '), Buffer.from('world')]);
    expect(await received).toBe('hello world');
    conn.destroy();
  });

  it('carries DotStuffer.pushParts output byte for byte', async () => {
    const [a, b] = duplexPair();
    const conn = Connection.fromSocket(a);
    const stuffer = new DotStuffer();
    const parts = stuffer.pushParts(Buffer.from('.one\r\ntwo\r\n.three\r\n'));
    const expected = '..one\r\ntwo\r\n..three\r\n.\r\n';
    const received = receive(b, expected.length);
    await conn.write([...parts, stuffer.end()]);
    expect(await received).toBe(expected);
    conn.destroy();
  });

  it('rejects after the connection is destroyed', async () => {
    const [a] = duplexPair();
    const conn = Connection.fromSocket(a);
    conn.destroy();
    await expect(conn.write([Buffer.from('x')])).rejects.toMatchObject({ code: 'MAIL_CONNECTION_CLOSED' });
  });
});
