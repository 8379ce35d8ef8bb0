import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../src/index.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Collects lines until one starts with `250 ` (a multi-line SMTP-like response). */
function upToLast(): (line: string) => string[] | undefined {
  const lines: string[] = [];
  return (line) => {
    lines.push(line);
    return line.startsWith('250 ') ? lines : undefined;
  };
}

describe('readLines', () => {
  it('feeds every line of a response that spans several network reads to one read', async () => {
    server = await startServer((s) => {
      s.write('250-one\r\n250-tw');
      setTimeout(() => s.write('o\r\n250 three\r\n250 next\r\n'), 30);
    });
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 5_000 });
    expect(await conn.readLines(upToLast())).toEqual(['250-one', '250-two', '250 three']);
    // What follows the response stays buffered for the next read.
    expect(await conn.readLine()).toBe('250 next');
    await conn.close();
  });

  it('rejects and destroys the connection when the peer closes before the response is complete', async () => {
    server = await startServer((s) => s.end('250-only a part\r\n'));
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 5_000 });
    await expect(conn.readLines(upToLast())).rejects.toMatchObject({ code: 'MAIL_CONNECTION_CLOSED' });
    expect(conn.closed).toBe(true);
  });

  it('destroys the connection when take throws (a plain Error reads as a lost connection), and later reads reject', async () => {
    server = await startServer((s) => s.write('bad\r\n250 fine\r\n'));
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 5_000 });
    const error = new Error('refused by take');
    await expect(conn.readLines(() => { throw error; })).rejects.toMatchObject({ code: 'MAIL_CONNECTION_CLOSED', message: expect.stringContaining('refused by take') as string });
    expect(conn.closed).toBe(true);
    await expect(conn.readLine()).rejects.toBeInstanceOf(Error);
  });

  it('is bounded by its deadline while waiting for the rest of a response', async () => {
    server = await startServer((s) => s.write('250-first\r\n'));
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 5_000 });
    await expect(conn.readLines(upToLast(), { deadline: Date.now() + 50 })).rejects.toMatchObject({ code: 'MAIL_TIMEOUT' });
    expect(conn.closed).toBe(true);
  });

  it('rejects at once when its AbortSignal fires while waiting', async () => {
    server = await startServer(() => undefined);
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 5_000 });
    const controller = new AbortController();
    const read = conn.readLines(upToLast(), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(read).rejects.toMatchObject({ code: 'MAIL_ABORTED' });
    expect(conn.closed).toBe(true);
  });
});
