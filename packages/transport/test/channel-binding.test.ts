import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { endPointHash, signatureAlgorithmOid } from '../src/channel-binding.js';

const dir = mkdtempSync(join(tmpdir(), 'mail-cb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate made with `args` (key type and digest). */
function cert(name: string, keyArgs: string[], digest: string[]): Buffer {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  execFileSync('openssl', ['genpkey', ...keyArgs, '-out', key], { stdio: 'ignore' });
  execFileSync('openssl', ['req', '-x509', '-new', '-key', key, ...digest, '-subj', `/CN=${name}`, '-days', '1', '-out', crt], { stdio: 'ignore' });
  return new X509Certificate(readFileSync(crt)).raw;
}

describe('tls-server-end-point hash choice (RFC 5929 §4.1)', () => {
  const rsa = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
  it.each([
    ['rsa-sha256', rsa, ['-sha256'], '1.2.840.113549.1.1.11', 'sha256'],
    ['rsa-sha384', rsa, ['-sha384'], '1.2.840.113549.1.1.12', 'sha384'],
    ['rsa-sha512', rsa, ['-sha512'], '1.2.840.113549.1.1.13', 'sha512'],
    ['rsa-sha1', rsa, ['-sha1'], '1.2.840.113549.1.1.5', 'sha256'],
    ['ec-sha384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], ['-sha384'], '1.2.840.10045.4.3.3', 'sha384'],
    ['ed25519', ['-algorithm', 'ED25519'], [], '1.3.101.112', 'sha256'],
  ])('%s', (name, keyArgs, digest, oid, hash) => {
    const der = cert(name, keyArgs, digest);
    expect(signatureAlgorithmOid(der)).toBe(oid);
    expect(endPointHash(der)).toBe(hash);
  });

  it('garbage is not a certificate', () => {
    expect(signatureAlgorithmOid(Buffer.from([0x30, 0x82, 0xff]))).toBeUndefined();
    expect(signatureAlgorithmOid(Buffer.alloc(0))).toBeUndefined();
    expect(endPointHash(Buffer.from('nope'))).toBe('sha256');
  });

  it('property: the DER walk never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const der = Buffer.concat([Buffer.from([0x30, 0x81, bytes.length]), Buffer.from(bytes)]);
        const oid = signatureAlgorithmOid(der);
        expect(oid === undefined || /^\d+(\.\d+)+$/.test(oid)).toBe(true);
        expect(['sha256', 'sha384', 'sha512']).toContain(endPointHash(Buffer.from(bytes)));
      }),
      { numRuns: 1000 },
    );
  });
});
