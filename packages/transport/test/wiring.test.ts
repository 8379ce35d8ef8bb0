// Proves the test wiring of this package for real: the fake SMTP server from
// @mail/test-servers over plain, implicit TLS and STARTTLS, driven by a raw node:net/node:tls
// client written here (independent of this package's Connection), asserting the exact
// transcript; and the generated TLS material verifies only for the names it was made for.
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { FakeServer, type Security } from '@mail/test-servers';
import { describe, expect, it } from 'vitest';

/** Read until `count` CRLF-terminated lines arrived (5 s bound). */
function lines(socket: Socket | TLSSocket, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => { cleanup(); reject(new Error(`timeout, got ${JSON.stringify(buf)}`)); }, 5000);
    const onData = (d: Buffer): void => {
      buf += d.toString('utf8');
      const got = buf.split('\r\n');
      if (got.length > count) { cleanup(); resolve(got.slice(0, count)); }
    };
    const cleanup = (): void => { clearTimeout(timer); socket.off('data', onData); };
    socket.on('data', onData);
  });
}

describe.each(['none', 'tls', 'starttls'] as const satisfies readonly Security[])('fake SMTP server over %s, raw socket client', (security) => {
  it('sees exactly the bytes written, marked plain or TLS', async () => {
    await using server = await FakeServer.start({ protocol: 'smtp', security });
    let socket: Socket | TLSSocket = security === 'tls'
      ? tlsConnect({ host: server.host, port: server.port, ca: server.ca, servername: 'localhost' })
      : netConnect({ host: server.host, port: server.port });
    await once(socket, security === 'tls' ? 'secureConnect' : 'connect');
    try {
      expect(await lines(socket, 1)).toEqual(['220 localhost ESMTP fake server']);
      if (security === 'starttls') {
        socket.write('STARTTLS\r\n');
        expect(await lines(socket, 1)).toEqual(['220 2.0.0 Ready to start TLS']);
        socket = tlsConnect({ socket, ca: server.ca, servername: 'localhost' });
        await once(socket, 'secureConnect');
      }
      socket.write('HELO raw.test\r\nNOOP\r\nQUIT\r\n');
      expect(await lines(socket, 3)).toEqual(['250 localhost', '250 2.0.0 Ok', '221 2.0.0 Bye']);
    } finally {
      socket.destroy();
    }
    const tls = security !== 'none';
    expect(server.transcript.map(({ tls: t, line }) => ({ tls: t, line }))).toEqual([
      ...(security === 'starttls' ? [{ tls: false, line: 'STARTTLS' }] : []),
      { tls, line: 'HELO raw.test' }, { tls, line: 'NOOP' }, { tls, line: 'QUIT' },
    ]);
    expect(server.sessions[0]!.chunks.at(-1)).toEqual({ tls, data: Buffer.from('HELO raw.test\r\nNOOP\r\nQUIT\r\n') });
  });
});

it('the generated certificate is refused for a name it was not issued for', async () => {
  await using server = await FakeServer.start({ protocol: 'smtp', security: 'tls' });
  const socket = tlsConnect({ host: server.host, port: server.port, ca: server.ca, servername: 'other.example' });
  const [err] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
  expect(err.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  socket.destroy();
});
