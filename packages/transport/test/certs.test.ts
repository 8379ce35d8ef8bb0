import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { makeMaterial } from './helpers/certs.js';

const m = makeMaterial();
afterAll(() => m.cleanup());

describe('test TLS material', () => {
  it('has a CA-signed server cert, another host, self-signed, expired and rogue-CA certs', () => {
    const ca = new X509Certificate(m.ca.cert);
    expect(new X509Certificate(m.server.cert).checkIssued(ca)).toBe(true);
    expect(new X509Certificate(m.server.cert).checkHost('localhost')).toBe('localhost');
    expect(new X509Certificate(m.otherHost.cert).checkHost('localhost')).toBeUndefined();
    const self = new X509Certificate(m.selfSigned.cert);
    expect(self.checkIssued(self)).toBe(true);
    const expired = new X509Certificate(m.expired.cert);
    expect(expired.checkIssued(ca)).toBe(true);
    expect(Date.parse(expired.validTo)).toBeLessThan(Date.now());
    expect(new X509Certificate(m.untrusted.cert).checkIssued(ca)).toBe(false);
  });
});
