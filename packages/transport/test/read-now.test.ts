import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../src/index.js';
import { sleep, startServer, type TestServer } from './helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function open(greeting: string): Promise<Connection> {
  server = await startServer((s) => s.write(greeting));
  const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 5_000 });
  await server.accepted();
  return conn;
}

describe('readLineNow', () => {
  it('returns buffered lines synchronously and undefined when none is complete', async () => {
    const conn = await open('250 one\r\n250 two\r\n250 thr');
    expect(await conn.readLine()).toBe('250 one');
    expect(conn.readLineNow()).toBe('250 two');
    expect(conn.readLineNow()).toBeUndefined(); // an incomplete line stays buffered
    expect(conn.hasBufferedData()).toBe(true);
    await conn.close();
  });

  it('applies the line length limit and destroys the connection like readLine', async () => {
    server = await startServer((s) => s.write(`${'x'.repeat(200)}\r\n`));
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 5_000, limits: { maxLineLength: 100 } });
    for (let i = 0; i < 100 && !conn.hasBufferedData(); i++) await sleep(5);
    expect(() => conn.readLineNow()).toThrow(expect.objectContaining({ code: 'MAIL_LINE_TOO_LONG' }) as Error);
    expect(conn.closed).toBe(true);
  });
});
