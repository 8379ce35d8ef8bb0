import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, DEFAULT_TIMEOUTS } from '../src/index.js';
import { resolveTimeouts } from '../src/options.js';
import { sleep, startServer, type TestServer } from './helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('timeouts', () => {
  it('defaults follow RFC 5321 §4.5.3.2; `timeout` fills every phase; `timeouts` wins', () => {
    expect(DEFAULT_TIMEOUTS).toEqual({ connect: 30_000, tls: 30_000, greeting: 300_000, command: 300_000, data: 600_000 });
    expect(resolveTimeouts({}, 1000)).toEqual({ connect: 1000, tls: 1000, greeting: 1000, command: 1000, data: 1000 });
    expect(resolveTimeouts({ data: 5 }, 1000).data).toBe(5);
    expect(() => resolveTimeouts({ command: -1 })).toThrow(expect.objectContaining({ code: 'MAIL_INVALID_ARGUMENT' }));
  });
});

describe('TCP options', () => {
  it('binds localAddress and honours family 4', async () => {
    server = await startServer();
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', family: 4, localAddress: '127.0.0.1' });
    const peer = await server.accepted();
    expect(peer.remoteAddress).toBe('127.0.0.1');
    await conn.close();
  });

  it('Happy Eyeballs: "localhost" reaches a server listening on one family only', async () => {
    server = await startServer((s) => s.write('220 hi\r\n'));
    const conn = await connect({ host: 'localhost', port: server.port, security: 'none', timeout: 5_000 });
    expect(await conn.readLine()).toBe('220 hi');
    await conn.close();
  });

  it('family 6 connects over ::1', async (ctx) => {
    const srv = net.createServer((s) => s.end('220 v6\r\n'));
    const ok = await new Promise<boolean>((resolve) => {
      srv.once('error', () => resolve(false));
      srv.listen(0, '::1', () => resolve(true));
    });
    if (!ok) ctx.skip(); // no IPv6 loopback on this machine
    try {
      const port = (srv.address() as net.AddressInfo).port;
      const conn = await connect({ host: '::1', port, security: 'none', family: 6 });
      expect(await conn.readLine()).toBe('220 v6');
      conn.destroy();
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});

describe('writing', () => {
  it('write() waits for drain, and a peer that never reads hits the data deadline', async () => {
    server = await startServer((s) => s.pause());
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeouts: { data: 300 } });
    const start = Date.now();
    const err = await (async () => {
      for (let i = 0; i < 1000; i++) await conn.write(Buffer.alloc(1024 * 1024));
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TIMEOUT', phase: 'data' });
    expect(Date.now() - start).toBeLessThan(3000);
    expect(conn.closed).toBe(true);
  });

  it('a slow reader still receives every byte, in order', async () => {
    let got = 0;
    server = await startServer((s) => {
      s.on('data', (c: Buffer) => {
        got += c.length;
        s.pause();
        setTimeout(() => s.resume(), 1);
      });
    });
    const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 10_000 });
    for (let i = 0; i < 20; i++) await conn.write(Buffer.alloc(256 * 1024, i));
    await conn.close();
    await sleep(20);
    expect(got).toBe(20 * 256 * 1024);
  });

  it('`await using` closes the connection', async () => {
    server = await startServer();
    let ref: Awaited<ReturnType<typeof connect>> | undefined;
    {
      await using conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none' });
      await conn.writeCommand('NOOP');
      ref = conn;
      expect(ref.closed).toBe(false);
    }
    expect(ref.closed).toBe(true);
  });
});

describe('many writes waiting at once', () => {
  it('share one drain wait: no MaxListenersExceededWarning, every byte arrives', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      let got = 0;
      let peerSocket: import('node:net').Socket | undefined;
      server = await startServer((s) => {
        peerSocket = s;
        s.pause();
        s.on('data', (c: Buffer) => (got += c.length));
      });
      const conn = await connect({ host: '127.0.0.1', port: server.port, security: 'none', timeout: 20_000 });
      const writes = Array.from({ length: 40 }, () => conn.write(Buffer.alloc(512 * 1024)));
      await sleep(50);
      peerSocket!.resume();
      await Promise.all(writes);
      await conn.close();
      await sleep(20);
      expect(got).toBe(40 * 512 * 1024);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
