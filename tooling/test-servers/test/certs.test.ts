import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { certificateCacheDir, createTestCertificates, spkiSha256, type CertificateMaterial } from '../src/certs.js';

/** Serve `leaf` over TLS on 127.0.0.1 and try a verifying client connection trusting the CA. */
async function handshake(leaf: CertificateMaterial, ca: string, servername = 'localhost'): Promise<string> {
  const server = createServer({ key: leaf.key, cert: leaf.cert }, (s) => s.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve) => {
      const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca, servername }, () => {
        socket.destroy();
        resolve('ok');
      });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      socket.setTimeout(5000, () => { socket.destroy(); resolve('timeout'); });
    });
  } finally {
    server.close();
  }
}

describe('createTestCertificates', () => {
  it('is cached (per process in memory, per machine on disk) and writes the files', async () => {
    const [a, b] = await Promise.all([createTestCertificates(), createTestCertificates()]);
    expect(a).toBe(b);
    expect(a.dir).toBe(certificateCacheDir());
    expect(existsSync(join(a.dir, 'ready'))).toBe(true);
    for (const m of [a.ca, a.server, a.otherHost, a.selfSigned, a.expired]) {
      expect(existsSync(m.certPath) && existsSync(m.keyPath)).toBe(true);
      expect(m.cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(m.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(m.spkiSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
    expect(new Set([a.ca, a.server, a.otherHost, a.selfSigned, a.expired].map((m) => m.spkiSha256)).size).toBe(5);
  });

  it('issues certificates with the promised names, issuers and dates', async () => {
    const c = await createTestCertificates();
    const ca = new X509Certificate(c.ca.cert);
    const server = new X509Certificate(c.server.cert);
    expect(ca.ca).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(new X509Certificate(c.otherHost.cert).subjectAltName).toBe('DNS:other.example');
    expect(new X509Certificate(c.selfSigned.cert).checkIssued(ca)).toBe(false);
    const expired = new X509Certificate(c.expired.cert);
    expect(expired.checkIssued(ca)).toBe(true);
    expect(new Date(expired.validTo).getTime()).toBeLessThan(Date.now());
    expect(spkiSha256(c.server.cert)).toBe(c.server.spkiSha256);
  });

  it('verifies against the CA only when name, issuer and dates are right', async () => {
    const c = await createTestCertificates();
    expect(await handshake(c.server, c.ca.cert)).toBe('ok');
    expect(await handshake(c.server, c.ca.cert, 'other.example')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await handshake(c.otherHost, c.ca.cert)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await handshake(c.selfSigned, c.ca.cert)).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(await handshake(c.expired, c.ca.cert)).toBe('CERT_HAS_EXPIRED');
  });

  it('generates fresh, different material into a given directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certs-test-'));
    try {
      const [own, shared] = await Promise.all([createTestCertificates({ dir }), createTestCertificates()]);
      expect(own.dir).toBe(dir);
      expect(own.server.certPath).toBe(join(dir, 'server.crt'));
      expect(own.ca.spkiSha256).not.toBe(shared.ca.spkiSha256);
      expect(await handshake(own.server, own.ca.cert)).toBe('ok');
      expect(await handshake(own.server, shared.ca.cert)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
