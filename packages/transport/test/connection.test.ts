import { afterEach, describe, expect, it } from 'vitest';
import { connect, Connection, MailError } from '../src/index.js';
import { collect, duplexPair, sleep, startServer, type TestServer } from './helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const opts = (port: number) => ({ host: '127.0.0.1', port, security: 'none' as const, timeout: 5_000 });

describe('plain connections', () => {
  it('reads the greeting, writes commands, pipelines several in one write', async () => {
    server = await startServer((s) => s.write('220 hello\r\n'));
    const conn = await connect(opts(server.port));
    const peer = await server.accepted();
    const seen = collect(peer);
    const writes: number[] = [];
    peer.on('data', (c: Buffer) => writes.push(c.length));
    expect(await conn.readLine({ phase: 'greeting' })).toBe('220 hello');
    await conn.writeCommand('EHLO me');
    await conn.writeCommands(['MAIL FROM:<a@b>', 'RCPT TO:<c@d>', 'DATA']);
    await sleep(50);
    expect(seen().toString()).toBe('EHLO me\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n');
    expect(writes.length).toBeLessThanOrEqual(2);
    await conn.close();
    expect(conn.closed).toBe(true);
  });

  it('refuses CR, LF and NUL in a command before any I/O', async () => {
    server = await startServer();
    const conn = await connect(opts(server.port));
    const seen = collect(await server.accepted());
    for (const bad of ['RCPT TO:<a@b>\r\nDATA', 'X\nY', 'NUL\0']) {
      await expect(conn.writeCommand(bad)).rejects.toMatchObject({ code: 'MAIL_INVALID_ARGUMENT' });
    }
    await expect(conn.writeCommands(['NOOP', 'BAD\r'])).rejects.toMatchObject({ code: 'MAIL_INVALID_ARGUMENT' });
    await sleep(30);
    expect(seen().length).toBe(0);
    await conn.close();
  });

  it('a refused port is MAIL_CONNECTION_FAILED (transient)', async () => {
    const s = await startServer();
    const port = s.port;
    await s.close();
    const err = await connect(opts(port)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_CONNECTION_FAILED', transient: true });
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('a socket factory that never connects hits the connect deadline', async () => {
    let factorySignal: AbortSignal | undefined;
    const err = await connect({
      host: 'example.invalid', port: 25, security: 'none', timeouts: { connect: 100 },
      socketFactory: ({ signal }) => { factorySignal = signal; return new Promise(() => undefined); },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TIMEOUT', phase: 'connect' });
    expect(factorySignal?.aborted).toBe(true);
  });

  it('connect with an already aborted signal is MAIL_ABORTED and opens nothing', async () => {
    let called = false;
    const err = await connect({
      host: 'x', port: 1, security: 'none', signal: AbortSignal.abort(),
      socketFactory: () => { called = true; return duplexPair()[0]; },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_ABORTED' });
    expect(called).toBe(false);
  });

  it('works over any duplex from the socket factory, and fromSocket for the server half', async () => {
    const [a, b] = duplexPair();
    const client = await connect({ host: 'mem', port: 0, security: 'none', socketFactory: () => a });
    const srv = Connection.fromSocket(b, { server: true, protocol: 'pop3' });
    await srv.writeCommand('+OK ready');
    expect(await client.readLine()).toBe('+OK ready');
    await client.writeCommand('CAPA');
    expect(await srv.readLine()).toBe('CAPA');
    await srv.write('+OK\r\nTOP\r\n..dot\r\n.\r\n+OK next\r\n');
    expect(await client.readLine()).toBe('+OK');
    expect(await client.readDotLines()).toEqual(['TOP', '.dot']);
    expect(await client.readLine()).toBe('+OK next');
    client.destroy();
    srv.destroy();
  });

  it('a line over maxLineLength is MAIL_LINE_TOO_LONG and closes the connection', async () => {
    server = await startServer((s) => s.write('220 ' + 'x'.repeat(5000)));
    const conn = await connect({ ...opts(server.port), limits: { maxLineLength: 1000 } });
    await expect(conn.readLine()).rejects.toMatchObject({ code: 'MAIL_LINE_TOO_LONG' });
    expect(conn.closed).toBe(true);
    await expect(conn.readLine()).rejects.toMatchObject({ code: 'MAIL_LINE_TOO_LONG' });
  });

  it('a multi-line response over maxResponseSize is MAIL_RESPONSE_TOO_LARGE', async () => {
    server = await startServer((s) => s.write('1 100\r\n'.repeat(1000) + '.\r\n'));
    const conn = await connect({ ...opts(server.port), limits: { maxResponseSize: 2000 } });
    await expect(conn.readDotLines()).rejects.toMatchObject({ code: 'MAIL_RESPONSE_TOO_LARGE' });
    expect(conn.closed).toBe(true);
  });

  it('end of stream before a complete line is MAIL_CONNECTION_CLOSED (transient); buffered lines are still read', async () => {
    server = await startServer((s) => s.end('221 bye\r\n+partial'));
    const conn = await connect(opts(server.port));
    expect(await conn.readLine()).toBe('221 bye');
    await expect(conn.readLine()).rejects.toMatchObject({ code: 'MAIL_CONNECTION_CLOSED', transient: true });
  });

  it('reads queue in call order', async () => {
    server = await startServer();
    const conn = await connect(opts(server.port));
    const peer = await server.accepted();
    const reads = [conn.readLine(), conn.readLine(), conn.readDotLines(), conn.readLine()];
    peer.write('one\r\ntw');
    await sleep(20);
    peer.write('o\r\na\r\n.\r\nlast\r\n');
    expect(await Promise.all(reads)).toEqual(['one', 'two', ['a'], 'last']);
    await conn.close();
  });

  it('a plaintext session receiving a TLS record gets MAIL_TLS_MODE_MISMATCH saying use security tls', async () => {
    // A TLS ServerHello-like record where a greeting was expected.
    server = await startServer((s) => s.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00])));
    const conn = await connect({ ...opts(server.port), security: 'starttls' });
    const err = await conn.readLine({ phase: 'greeting' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TLS_MODE_MISMATCH' });
    expect((err as Error).message).toContain("use security 'tls'");
    expect(MailError.is(err)).toBe(true);
  });

  it('a silent port gives a greeting timeout that hints at implicit TLS', async () => {
    server = await startServer();
    const conn = await connect({ ...opts(server.port), timeouts: { greeting: 100 } });
    const err = await conn.readLine({ phase: 'greeting' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TIMEOUT', phase: 'greeting' });
    expect((err as Error).message).toContain("security 'tls'");
  });
});
