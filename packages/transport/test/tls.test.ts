import { createHash, X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, Connection, type ConnectOptions } from '../src/index.js';
import { makeMaterial, type Material } from './helpers/certs.js';
import { collect, duplexPair, sleep, startServer, startTLSServer, type TestServer } from './helpers/server.js';

let m: Material;
let server: TestServer | undefined;
beforeAll(() => {
  m = makeMaterial();
});
afterAll(() => m.cleanup());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const pinOf = (pem: string, enc: 'base64' | 'hex' = 'base64'): string =>
  createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest(enc);

async function implicit(pair: { key: string; cert: string }, tlsOpts: ConnectOptions['tls'], host = '127.0.0.1') {
  server = await startTLSServer(pair, (s) => s.write('220 secure hello\r\n'));
  return connect({ host, port: server.port, security: 'tls', tls: tlsOpts, timeout: 5_000 });
}

describe('implicit TLS (RFC 8314)', () => {
  it('verifies against tls.ca and the host (IP SAN), TLS 1.2+ only', async () => {
    const conn = await implicit(m.server, { ca: m.ca.cert });
    expect(conn.secure).toBe(true);
    expect(conn.tlsInfo?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(conn.tlsInfo?.authorized).toBe(true);
    expect(await conn.readLine({ phase: 'greeting' })).toBe('220 secure hello');
    await conn.close();
  });

  it('verifies against tls.servername when given', async () => {
    const conn = await implicit(m.server, { ca: m.ca.cert, servername: 'localhost' });
    expect(conn.secure).toBe(true);
    conn.destroy();
  });

  it.each([
    ['a certificate for another host', () => m.otherHost, 'not valid for the host name "127.0.0.1"'],
    ['a self-signed certificate', () => m.selfSigned, 'self-signed'],
    ['a certificate from an untrusted CA', () => m.untrusted, 'not signed by a trusted CA'],
    ['an expired certificate', () => m.expired, 'has expired'],
  ])('refuses %s with MAIL_TLS and a clear message', async (_name, pair, message) => {
    const err = await implicit(pair(), { ca: m.ca.cert }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TLS' });
    expect((err as Error).message).toContain(message);
  });

  it('accepts a pinned key even with an untrusted chain (base64 and hex pins)', async () => {
    const a = await implicit(m.selfSigned, { pins: [`sha256/${pinOf(m.selfSigned.cert)}`] });
    expect(a.secure).toBe(true);
    expect(await a.readLine()).toBe('220 secure hello');
    a.destroy();
    await server?.close();
    const b = await implicit(m.selfSigned, { pins: [pinOf(m.selfSigned.cert, 'hex')] });
    expect(b.secure).toBe(true);
    b.destroy();
  });

  it('refuses an unpinned key even when the chain is trusted', async () => {
    const err = await implicit(m.server, { ca: m.ca.cert, pins: [pinOf(m.selfSigned.cert)] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TLS' });
    expect((err as Error).message).toContain('not one of tls.pins');
  });

  it('a pinned key still needs the right host name and validity', async () => {
    const wrongHost = await implicit(m.otherHost, { pins: [pinOf(m.otherHost.cert)] }).catch((e: unknown) => e);
    expect(wrongHost).toMatchObject({ code: 'MAIL_TLS' });
    expect((wrongHost as Error).message).toContain('not valid for the host name');
    await server?.close();
    const expired = await implicit(m.expired, { pins: [pinOf(m.expired.cert)] }).catch((e: unknown) => e);
    expect(expired).toMatchObject({ code: 'MAIL_TLS' });
    expect((expired as Error).message).toContain('expired');
  });

  it('refuses a malformed pin before connecting', async () => {
    let called = false;
    const err = await connect({
      host: 'x', port: 1, security: 'tls', tls: { pins: ['not-a-pin'] },
      socketFactory: () => { called = true; throw new Error('must not be called'); },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_INVALID_ARGUMENT' });
    expect(called).toBe(false);
  });

  it('a stalled handshake times out in phase tls', async () => {
    server = await startServer(); // accepts TCP, never answers the ClientHello
    const start = Date.now();
    const err = await connect({ host: '127.0.0.1', port: server.port, security: 'tls', timeouts: { tls: 200 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TIMEOUT', phase: 'tls' });
    expect(Date.now() - start).toBeLessThan(2000);
  });

  it.each(['220 mail.example ESMTP ready\r\n', '+OK POP3 ready\r\n', '* OK IMAP4rev1\r\n'])(
    "security 'tls' against a plaintext server (%j) explains the mismatch",
    async (greeting) => {
      server = await startServer((s) => s.write(greeting));
      const err = await connect({ host: '127.0.0.1', port: server.port, security: 'tls', timeout: 5_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'MAIL_TLS_MODE_MISMATCH' });
      const message = (err as Error).message;
      expect(message).toContain('speaks plaintext');
      expect(message).toContain("security 'starttls'");
      expect(message).toContain(greeting.slice(0, 5));
      expect(message).not.toMatch(/wrong version number/i);
    },
  );

  it("security 'tls' over a duplex that already holds a plaintext greeting explains the mismatch", async () => {
    const [a, b] = duplexPair();
    b.write('+OK POP3 ready\r\n');
    const err = await connect({ host: 'pop.example', port: 995, security: 'tls', socketFactory: () => a }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TLS_MODE_MISMATCH' });
    expect((err as Error).message).toContain('pop.example:995 speaks plaintext');
    expect((err as Error).message).toContain('+OK POP3 ready');
  });

  it('exposes matching channel bindings on both sides (TLS 1.3: tls-exporter, end-point)', async () => {
    const pair = await starttlsPair();
    for (const kind of ['tls-exporter', 'tls-server-end-point'] as const) {
      const c = pair.client.channelBinding(kind);
      expect(c?.length).toBeGreaterThanOrEqual(32);
      expect(c).toEqual(pair.server.channelBinding(kind));
    }
    expect(pair.client.channelBinding('tls-unique')).toBeUndefined();
    expect(pair.client.channelBinding('tls-server-end-point')).toEqual(
      createHash('sha256').update(new X509Certificate(m.server.cert).raw).digest(),
    );
    pair.client.destroy();
    pair.server.destroy();
  });

  it('exposes tls-unique on TLS 1.2, equal on both sides', async () => {
    const pair = await starttlsPair(tls.createSecureContext({ key: m.server.key, cert: m.server.cert, maxVersion: 'TLSv1.2' }));
    expect(pair.client.tlsInfo?.protocol).toBe('TLSv1.2');
    const unique = pair.client.channelBinding('tls-unique');
    expect(unique?.length).toBe(12);
    expect(unique).toEqual(pair.server.channelBinding('tls-unique'));
    expect(pair.client.channelBinding('tls-exporter')).toBeUndefined();
    pair.client.destroy();
    pair.server.destroy();
  });
});

/** A client and a server Connection after a STARTTLS exchange over TCP. */
async function starttlsPair(context?: tls.SecureContext): Promise<{ client: Connection; server: Connection; serverSaw: string[] }> {
  const serverSaw: string[] = [];
  let serverConn!: Promise<Connection>;
  server = await startServer((socket) => {
    serverConn = (async () => {
      const s = Connection.fromSocket(socket, { server: true });
      await s.writeCommand('220 ready');
      serverSaw.push(await s.readLine());
      await s.upgradeToTLSServer(context ?? { key: m.server.key, cert: m.server.cert }, { goAhead: '220 go ahead' });
      serverSaw.push(await s.readLine());
      return s;
    })();
  });
  const client = await connect({ host: '127.0.0.1', port: server.port, security: 'starttls', tls: { ca: m.ca.cert }, timeout: 5_000 });
  expect(await client.readLine()).toBe('220 ready');
  expect(client.secure).toBe(false);
  await client.writeCommand('STARTTLS');
  expect(await client.readLine()).toBe('220 go ahead');
  await client.upgradeToTLS();
  expect(client.secure).toBe(true);
  await client.writeCommand('EHLO after');
  const s = await serverConn;
  expect(serverSaw).toEqual(['STARTTLS', 'EHLO after']);
  return { client, server: s, serverSaw };
}

describe('STARTTLS (RFC 3207, RFC 2595)', () => {
  it('upgrades both halves and verifies the original host', async () => {
    const { client, server: s } = await starttlsPair();
    expect(s.secure).toBe(true);
    client.destroy();
    s.destroy();
  });

  it('verifies the certificate against the host after STARTTLS too', async () => {
    server = await startServer((socket) => {
      void (async () => {
        const s = Connection.fromSocket(socket, { server: true });
        await s.readLine();
        await s.upgradeToTLSServer({ key: m.otherHost.key, cert: m.otherHost.cert }, { goAhead: '220 go' }).catch(() => undefined);
      })();
    });
    const client = await connect({ host: '127.0.0.1', port: server.port, security: 'starttls', tls: { ca: m.ca.cert }, timeout: 5_000 });
    await client.writeCommand('STARTTLS');
    expect(await client.readLine()).toBe('220 go');
    const err = await client.upgradeToTLS().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_TLS' });
    expect((err as Error).message).toContain('not valid for the host name');
    expect(client.closed).toBe(true);
  });

  it.each([
    ['a complete injected line', '220 go ahead\r\n250-INJECTED\r\n'],
    ['a partial injected line', '220 go ahead\r\n25'],
  ])('refuses %s after the go-ahead and writes nothing more', async (_name, reply) => {
    let afterStarttls: () => Buffer = () => Buffer.alloc(0);
    server = await startServer((socket) => {
      socket.write('220 ready\r\n');
      let buf = '';
      const onData = (c: Buffer): void => {
        buf += c.toString('latin1');
        if (buf.includes('STARTTLS\r\n')) {
          socket.off('data', onData);
          afterStarttls = collect(socket);
          socket.write(reply);
        }
      };
      socket.on('data', onData);
    });
    const client = await connect({ host: '127.0.0.1', port: server.port, security: 'starttls', tls: { ca: m.ca.cert }, timeout: 5_000 });
    expect(await client.readLine()).toBe('220 ready');
    await client.writeCommand('STARTTLS');
    expect(await client.readLine()).toBe('220 go ahead');
    await sleep(50); // let the injected bytes arrive, as they would on a real network
    const err = await client.upgradeToTLS().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_STARTTLS_INJECTION' });
    expect(client.closed).toBe(true);
    await expect(client.writeCommand('AUTH PLAIN secret')).rejects.toMatchObject({ code: 'MAIL_STARTTLS_INJECTION' });
    await sleep(50);
    expect(afterStarttls().length).toBe(0); // not even a ClientHello
  });

  it('refuses writes issued while the upgrade is in progress; nothing goes out in plaintext', async () => {
    let serverLines!: Promise<string[]>;
    server = await startServer((socket) => {
      serverLines = (async () => {
        const s = Connection.fromSocket(socket, { server: true });
        expect(await s.readLine()).toBe('STARTTLS');
        await s.upgradeToTLSServer({ key: m.server.key, cert: m.server.cert }, { goAhead: '220 go' });
        const line = await s.readLine();
        s.destroy();
        return [line];
      })();
    });
    const client = await connect({ host: '127.0.0.1', port: server.port, security: 'starttls', tls: { ca: m.ca.cert }, timeout: 5_000 });
    await client.writeCommand('STARTTLS');
    expect(await client.readLine()).toBe('220 go');
    const upgrading = client.upgradeToTLS();
    await expect(client.writeCommand('AUTH PLAIN c2VjcmV0')).rejects.toMatchObject({ code: 'MAIL_INVALID_ARGUMENT' });
    await upgrading;
    await client.writeCommand('EHLO again');
    // Had AUTH gone out during the handshake, the handshake or this first TLS line would break.
    expect(await serverLines).toEqual(['EHLO again']);
    client.destroy();
  });

  it('the server half refuses commands pipelined after STARTTLS (CVE-2011-0411)', async () => {
    let result!: Promise<unknown>;
    server = await startServer((socket) => {
      result = (async () => {
        const s = Connection.fromSocket(socket, { server: true });
        expect(await s.readLine()).toBe('STARTTLS');
        await sleep(50);
        return s.upgradeToTLSServer({ key: m.server.key, cert: m.server.cert }, { goAhead: '220 go' }).catch((e: unknown) => e);
      })();
    });
    const raw = net.connect(server.port, '127.0.0.1');
    raw.on('error', () => undefined);
    const got = collect(raw);
    raw.write('STARTTLS\r\nMAIL FROM:<evil@example>\r\n');
    await sleep(20);
    expect(await result).toMatchObject({ code: 'MAIL_STARTTLS_INJECTION' });
    await sleep(20);
    expect(got().toString()).toBe(''); // the go-ahead was never sent
    raw.destroy();
  });
});
