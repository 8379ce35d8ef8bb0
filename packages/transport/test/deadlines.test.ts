import { afterEach, describe, expect, it } from 'vitest';
import { connect, MailError } from '../src/index.js';
import { sleep, startServer, type TestServer } from './helpers/server.js';

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

/** Counts of the resource types that could leak. */
function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return { TCPSocketWrap: out.TCPSocketWrap ?? 0, Timeout: out.Timeout ?? 0, TLSWrap: out.TLSWrap ?? 0 };
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
    expect(took).toBeLessThan(1500);
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
    expect(Date.now() - start).toBeLessThan(1500);
  });
});

describe('abort', () => {
  it('settles every pending call exactly once with MAIL_ABORTED and leaves no handle', async () => {
    server = await startServer((s) => s.pause()); // never reads, never writes
    await sleep(20);
    const before = resources();
    const controller = new AbortController();
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'starttls', signal: controller.signal });
    const big = Buffer.alloc(32 * 1024 * 1024, 0x61);
    const settled: Array<{ name: string; code: unknown }> = [];
    const watch = (name: string, p: Promise<unknown>): Promise<void> =>
      p.then(
        () => void settled.push({ name, code: 'resolved' }),
        (e: unknown) => void settled.push({ name, code: MailError.is(e) ? e.code : e }),
      );
    const all = Promise.all([
      watch('readLine', conn.readLine()),
      watch('readLine2', conn.readLine({ phase: 'greeting' })),
      watch('readDotLines', conn.readDotLines()),
      watch('write', conn.write(big)),
      watch('upgradeToTLS', conn.upgradeToTLS()),
      watch('body', (async () => {
        for await (const _ of conn.readDotBody()) void _;
      })()),
    ]);
    await sleep(50);
    expect(settled).toEqual([]);
    controller.abort();
    await all;
    expect(settled.map((s) => s.code)).toEqual(Array(6).fill('MAIL_ABORTED'));
    expect(new Set(settled.map((s) => s.name)).size).toBe(6);
    await expect(conn.readLine()).rejects.toMatchObject({ code: 'MAIL_ABORTED' });
    await server.close();
    server = undefined;
    await sleep(50);
    const after = resources();
    expect(after.TCPSocketWrap).toBe(before.TCPSocketWrap);
    expect(after.TLSWrap).toBe(before.TLSWrap);
    expect(after.Timeout).toBeLessThanOrEqual(before.Timeout);
  });

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

  it('completed calls leave no timer behind', async () => {
    server = await startServer((s) => s.write('220 hi\r\n'));
    await sleep(20);
    const before = resources();
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', signal: new AbortController().signal });
    expect(await conn.readLine({ signal: new AbortController().signal })).toBe('220 hi');
    await conn.writeCommand('QUIT');
    await conn.close();
    await server.close();
    server = undefined;
    await sleep(50);
    const after = resources();
    expect(after.TCPSocketWrap).toBe(before.TCPSocketWrap);
    expect(after.TLSWrap).toBe(before.TLSWrap);
    expect(after.Timeout).toBeLessThanOrEqual(before.Timeout);
  });
});
