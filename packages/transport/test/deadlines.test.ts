import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../src/index.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that sends `text` one byte every `ms` and never finishes a line. */
function drip(text: string, ms: number) {
  return (socket: import('node:net').Socket): void => {
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed) return clearInterval(timer);
      socket.write(text[i % text.length]!);
      i++;
    }, ms);
    socket.on('close', () => clearInterval(timer));
  };
}

describe('deadlines', () => {
  it('a server dripping one byte at a time cannot extend the command deadline', async () => {
    server = await startServer(drip('250-still going', 20));
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeouts: { command: 300 } });
    const start = Date.now();
    const err = await conn.readLine().catch((e: unknown) => e);
    const took = Date.now() - start;
    expect(err).toMatchObject({ code: 'MAIL_TIMEOUT', phase: 'command', transient: true });
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(3000);
    expect(conn.closed).toBe(true);
  });

  it('one shared deadline covers several reads of a phase', async () => {
    server = await startServer((s) => {
      let n = 0;
      const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(`250-line ${n++}\r\n`)), 40);
      s.on('close', () => clearInterval(timer));
    });
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none' });
    const deadline = Date.now() + 300;
    let lines = 0;
    const err = await (async () => {
      for (;;) {
        await conn.readLine({ deadline });
        lines++;
      }
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TIMEOUT' });
    expect(lines).toBeGreaterThan(2);
    expect(lines).toBeLessThan(12);
  });

  it('a dripping body cannot extend the data deadline of readDotBody', async () => {
    server = await startServer(drip('body text\r\n', 10));
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeouts: { data: 300 } });
    const start = Date.now();
    let bytes = 0;
    const err = await (async () => {
      for await (const chunk of conn.readDotBody()) bytes += chunk.length;
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TIMEOUT', phase: 'data' });
    expect(bytes).toBeGreaterThan(0);
    expect(Date.now() - start).toBeLessThan(3000);
  });
});

describe('abort', () => {
  it("aborting one call's signal destroys the connection and settles the others", async () => {
    server = await startServer();
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none' });
    const controller = new AbortController();
    const first = conn.readLine({ signal: controller.signal });
    const second = conn.readLine();
    setTimeout(() => controller.abort(), 30);
    await expect(first).rejects.toMatchObject({ code: 'MAIL_ABORTED' });
    await expect(second).rejects.toMatchObject({ code: 'MAIL_ABORTED' });
    expect(conn.closed).toBe(true);
  });

});
