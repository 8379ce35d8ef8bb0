import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerChannel } from './channel.js';
import { ServerListener, type ListenedSession, type ListenerConfig, type ListenerSpec } from './listener.js';

/** A session that greets, then waits for one line and ends. */
class LineSession implements ListenedSession {
  readonly remoteAddress: string;
  readonly remotePort: number;
  constructor(
    readonly channel: ServerChannel,
    socket: Socket,
    readonly logs: string[],
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
  }
  async run(): Promise<void> {
    this.channel.send('HELLO\r\n');
    await this.channel.readLine(100, Date.now() + 5000).catch(() => undefined);
    await this.channel.end();
  }
  log(text: string): void {
    this.logs.push(`s ${text}`);
  }
}

let listener: ServerListener<LineSession> | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await listener?.close(100);
  listener = undefined;
});

async function start(
  config: Partial<ListenerConfig> = {},
  spec: Partial<ListenerSpec<LineSession>> = {},
): Promise<{ port: number; logs: string[] }> {
  const logs: string[] = [];
  listener = new ServerListener<LineSession>({
    protocol: 'test',
    startTLSName: 'STARTTLS',
    config: { options: {}, tls: undefined, tlsTimeout: 1000, maxConnections: 10, log: (line) => logs.push(line), ...config },
    busyReply: 'BUSY\r\n',
    createSession: (channel, socket) => new LineSession(channel, socket, logs),
    ...spec,
  });
  const { port } = await listener.listen();
  return { port, logs };
}

/** Connects and collects everything the server sends until it closes (bounded by 5 s). */
async function dial(port: number): Promise<{ socket: Socket; text: () => string; closed: Promise<unknown> }> {
  const socket = netConnect({ host: '127.0.0.1', port });
  clients.push(socket);
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (text += d));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const closed = Promise.race([once(socket, 'close'), new Promise((_, reject) => setTimeout(() => reject(new Error('no close')), 5000))]);
  return { socket, text: () => text, closed };
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('ServerListener', () => {
  it('runs one session per connection and logs it', async () => {
    const { port, logs } = await start();
    expect(logs[0]).toBe(`test listening on 127.0.0.1:${port}`);
    const a = await dial(port);
    await waitFor(() => a.text() === 'HELLO\r\n');
    expect(listener!.connections).toBe(1);
    a.socket.write('BYE\r\n');
    await a.closed;
    await waitFor(() => logs.includes('s closed'));
    expect(logs.some((l) => l.startsWith('s connection from 127.0.0.1:'))).toBe(true);
  });

  it('refuses connections over the limit with the busy reply', async () => {
    const { port } = await start({ maxConnections: 1 });
    const first = await dial(port);
    await waitFor(() => first.text() === 'HELLO\r\n');
    const second = await dial(port);
    await second.closed;
    expect(second.text()).toBe('BUSY\r\n');
    // The refused socket must not hold close() open (it was accepted paused).
    const closing = listener!.close(100).then(() => 'closed');
    const timeout = new Promise((resolve) => setTimeout(() => resolve('hung'), 3000));
    expect(await Promise.race([closing, timeout])).toBe('closed');
  });

  for (const [goodbye, expected] of [
    ['GOODBYE\r\n', 'HELLO\r\nGOODBYE\r\n'],
    [undefined, 'HELLO\r\n'],
  ] as const) {
    it(`close() ${goodbye === undefined ? 'without a goodbye just ends' : 'says the goodbye to'} running sessions`, async () => {
      const { port } = await start({}, goodbye === undefined ? {} : { goodbye });
      const a = await dial(port);
      await waitFor(() => a.text() === 'HELLO\r\n');
      await listener!.close();
      await a.closed;
      expect(a.text()).toBe(expected);
    });
  }

  it('drops a client that fails the implicit TLS handshake and logs why', async () => {
    const { createSecureContext } = await import('node:tls');
    const { createTestCertificates } = await import('@mail/test-servers');
    const certs = await createTestCertificates();
    const tls = createSecureContext({ key: certs.server.key, cert: certs.server.cert });
    const { port, logs } = await start({ options: { secure: true }, tls });
    expect(logs[0]).toBe(`test listening on 127.0.0.1:${port} (implicit TLS)`);
    const a = await dial(port);
    a.socket.write('EHLO plaintext\r\n');
    await a.closed;
    await waitFor(() => logs.some((l) => l.startsWith('test TLS handshake from 127.0.0.1 failed: TLS handshake failed')));
    expect(a.text()).toBe('');
  });
});
