import { once } from 'node:events';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import { createTestCertificates } from '@mail/test-servers';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelError } from './channel-error.js';
import { ServerChannel } from './channel.js';

const open: Array<Server | Socket> = [];
afterEach(() => {
  for (const x of open.splice(0)) {
    if ('destroy' in x) x.destroy();
    else x.close();
  }
});

/** A connected pair on loopback: our channel on the accepted side, a plain client socket. */
async function pair(): Promise<{ channel: ServerChannel; client: Socket; received: () => string }> {
  const server = createServer({ pauseOnConnect: true });
  open.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = netConnect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  open.push(client);
  const [socket] = await accepted;
  open.push(socket);
  let text = '';
  client.setEncoding('latin1');
  client.on('data', (d: string) => (text += d));
  return { channel: new ServerChannel(socket), client, received: () => text };
}

/** Polls `check` every 5 ms, failing after 2 s. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

const soon = () => Date.now() + 2000;

describe('ServerChannel', () => {
  it('holds replies while pipelined commands are buffered, then writes them together (RFC 2920 §3.2)', async () => {
    const { channel, client, received } = await pair();
    client.write('NOOP\r\nRSET\r\n');
    expect((await channel.readLine(100, soon())).text).toBe('NOOP');
    channel.send('250 first\r\n');
    await channel.flush();
    expect(channel.pendingBytes).toBe(11);
    expect((await channel.readLine(100, soon())).text).toBe('RSET');
    channel.send(Buffer.from('250 second\r\n'));
    await channel.flush();
    expect(channel.pendingBytes).toBe(0);
    await until(() => received() === '250 first\r\n250 second\r\n');
  });

  it('flushes held replies before it waits for more input', async () => {
    const { channel, client, received } = await pair();
    channel.send('220 ready\r\n');
    const line = channel.readLine(100, soon());
    await until(() => received() === '220 ready\r\n');
    client.write('QUIT\r\n');
    expect((await line).text).toBe('QUIT');
  });

  it('times out without closing, so the session can still send 421 / -ERR', async () => {
    const { channel, received } = await pair();
    const error = await channel.readLine(100, Date.now() + 30).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).reason).toBe('timeout');
    expect(channel.socket.destroyed).toBe(false);
    channel.send('421 4.4.2 Timeout\r\n');
    await channel.end();
    await until(() => received() === '421 4.4.2 Timeout\r\n');
  });

  it('readCommand queues the farewell on timeout and on an overlong line, not when the peer closed', async () => {
    const reasons: string[] = [];
    const farewell = (r: string) => reasons.push(r);
    const timedOut = await pair();
    expect(await timedOut.channel.readCommand(100, Date.now() + 30, farewell)).toBeUndefined();
    const overlong = await pair();
    overlong.client.write(`${'x'.repeat(200)}\r\n`);
    expect(await overlong.channel.readCommand(100, soon(), farewell)).toBeUndefined();
    const closed = await pair();
    closed.client.end();
    expect(await closed.channel.readCommand(100, soon(), farewell)).toBeUndefined();
    expect(reasons).toEqual(['timeout', 'line-too-long']);
    const fine = await pair();
    fine.client.write('QUIT\r\n');
    expect(await fine.channel.readCommand(100, soon(), farewell)).toEqual({ text: 'QUIT', bare: false });
  });

  it('reports a peer that closed as closed', async () => {
    const { channel, client } = await pair();
    client.end('HALF');
    const error = await channel.readLine(100, soon()).catch((e: unknown) => e);
    expect((error as ChannelError).reason).toBe('closed');
  });

  it('discards plaintext pipelined behind STARTTLS and reads only TLS afterwards (CVE-2011-0411)', async () => {
    const certs = await createTestCertificates();
    const { channel, client, received } = await pair();
    client.write('STARTTLS\r\nMAIL FROM:<evil@example>\r\n');
    expect((await channel.readLine(100, soon())).text).toBe('STARTTLS');
    await until(() => channel.hasBufferedData());
    channel.send('220 go ahead\r\n');
    const upgraded = channel.startTLS(createSecureContext({ key: certs.server.key, cert: certs.server.cert }), soon());
    expect(channel.upgrading).toBe(true);
    await until(() => received() === '220 go ahead\r\n');
    const secure = tlsConnect({ socket: client, ca: certs.ca.cert, servername: 'localhost' });
    open.push(secure);
    await once(secure, 'secureConnect');
    expect(await upgraded).toBe('MAIL FROM:<evil@example>\r\n'.length);
    expect(channel.secure).toBe(true);
    expect(channel.upgrading).toBe(false);
    expect(channel.tlsDescription()).toMatch(/^TLSv1\.[23] /);
    secure.write('EHLO client\r\n');
    expect(await channel.readLine(100, soon())).toEqual({ text: 'EHLO client', bare: false });
  });
});
