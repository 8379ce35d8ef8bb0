// Handle-leak checks: every timer and socket created during a test must be gone at its end.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, MailError } from '../src/index.js';
import { settle, watchHandles } from './helpers/resources.js';
import { sleep, startServer, type TestServer } from './helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function expectNoLeak(watch: { stop(): Promise<string[]> }): Promise<void> {
  await server?.close();
  server = undefined;
  await settle();
  expect(await watch.stop()).toEqual([]);
}

describe('no handle or timer is left behind', () => {
  it('by an abort that settles every pending call exactly once with MAIL_ABORTED', async () => {
    server = await startServer((s) => s.pause()); // never reads, never writes
    await settle();
    const before = watchHandles();
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
    await expectNoLeak(before);
  });

  it('by completed calls and close()', async () => {
    server = await startServer((s) => s.write('220 hi\r\n'));
    await settle();
    const before = watchHandles();
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', signal: new AbortController().signal });
    expect(await conn.readLine({ signal: new AbortController().signal })).toBe('220 hi');
    await conn.writeCommand('QUIT');
    await conn.close();
    await expectNoLeak(before);
  });

  it('by a stalled handshake that times out in phase tls', async () => {
    server = await startServer(); // accepts TCP, never answers the ClientHello
    await settle();
    const before = watchHandles();
    const start = Date.now();
    const err = await connect({ host: '127.0.0.1', port: server.port, security: 'tls', timeouts: { tls: 200 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TIMEOUT', phase: 'tls' });
    expect(Date.now() - start).toBeLessThan(2000);
    await expectNoLeak(before);
  });

  it('by aborting during the handshake (MAIL_ABORTED)', async () => {
    server = await startServer();
    await settle();
    const before = watchHandles();
    const controller = new AbortController();
    const pending = connect({ host: '127.0.0.1', port: server.port, security: 'tls', signal: controller.signal });
    await server.accepted();
    await sleep(30);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'MAIL_ABORTED' });
    await expectNoLeak(before);
  });
});
