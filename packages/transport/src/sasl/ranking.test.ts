import { describe, expect, it } from 'vitest';
import { MailError } from '../errors.js';
import { assertMechanismAllowed, chooseMechanism, isCleartextMechanism, type ChooseMechanismOptions } from './ranking.js';

const password = { username: 'u', password: 'p' };
const token = { username: 'u', token: 't' };
const both = { username: 'u', password: 'p', token: 't' };
const ALL = ['LOGIN', 'PLAIN', 'CRAM-MD5', 'XOAUTH2', 'OAUTHBEARER', 'SCRAM-SHA-1', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-256', 'SCRAM-SHA-256-PLUS', 'EXTERNAL', 'ANONYMOUS'];

describe('chooseMechanism', () => {
  const cases: Array<[string, string[], ChooseMechanismOptions, string | undefined]> = [
    ['strongest with channel binding', ALL, { secure: true, channelBinding: true, credentials: password }, 'SCRAM-SHA-256-PLUS'],
    ['-PLUS needs channel binding', ALL, { secure: true, credentials: password }, 'SCRAM-SHA-256'],
    ['-PLUS needs TLS even if binding is claimed', ALL, { secure: false, channelBinding: true, credentials: password }, 'SCRAM-SHA-256'],
    ['SHA-1-PLUS over SHA-1', ['SCRAM-SHA-1', 'SCRAM-SHA-1-PLUS', 'PLAIN'], { secure: true, channelBinding: true, credentials: password }, 'SCRAM-SHA-1-PLUS'],
    ['SCRAM-SHA-1 over CRAM-MD5', ['CRAM-MD5', 'SCRAM-SHA-1', 'PLAIN'], { secure: true, credentials: password }, 'SCRAM-SHA-1'],
    ['CRAM-MD5 over PLAIN', ['PLAIN', 'LOGIN', 'CRAM-MD5'], { secure: true, credentials: password }, 'CRAM-MD5'],
    ['PLAIN over LOGIN', ['LOGIN', 'PLAIN'], { secure: true, credentials: password }, 'PLAIN'],
    ['LOGIN when alone', ['LOGIN'], { secure: true, credentials: password }, 'LOGIN'],
    ['case-insensitive offers', ['plain'], { secure: true, credentials: password }, 'PLAIN'],
    ['plaintext refused without TLS', ['PLAIN', 'LOGIN'], { secure: false, credentials: password }, undefined],
    ['plaintext allowed with opt-in', ['PLAIN', 'LOGIN'], { secure: false, allowPlaintext: true, credentials: password }, 'PLAIN'],
    ['CRAM-MD5 is fine without TLS', ['PLAIN', 'CRAM-MD5'], { secure: false, credentials: password }, 'CRAM-MD5'],
    ['SCRAM is fine without TLS', ['PLAIN', 'SCRAM-SHA-256'], { secure: false, credentials: password }, 'SCRAM-SHA-256'],
    ['token mechanisms need a token', ['XOAUTH2', 'OAUTHBEARER', 'PLAIN'], { secure: true, credentials: password }, 'PLAIN'],
    ['OAUTHBEARER over XOAUTH2', ['XOAUTH2', 'OAUTHBEARER', 'PLAIN'], { secure: true, credentials: token }, 'OAUTHBEARER'],
    ['XOAUTH2 when alone', ['XOAUTH2', 'PLAIN'], { secure: true, credentials: token }, 'XOAUTH2'],
    ['token over CRAM-MD5', ['CRAM-MD5', 'XOAUTH2'], { secure: true, credentials: both }, 'XOAUTH2'],
    ['SCRAM over token', ['SCRAM-SHA-256', 'OAUTHBEARER'], { secure: true, credentials: both }, 'SCRAM-SHA-256'],
    ['bearer tokens need TLS too', ['OAUTHBEARER', 'XOAUTH2'], { secure: false, credentials: token }, undefined],
    ['password mechanisms need a password', ['PLAIN', 'SCRAM-SHA-256'], { secure: true, credentials: token }, undefined],
    ['EXTERNAL and ANONYMOUS only when allowed', ['EXTERNAL', 'ANONYMOUS'], { secure: true, credentials: password }, undefined],
    ['EXTERNAL first when allowed', ALL, { secure: true, channelBinding: true, credentials: password, allowed: ['external', 'SCRAM-SHA-256-PLUS'] }, 'EXTERNAL'],
    ['ANONYMOUS last when allowed', ['ANONYMOUS', 'PLAIN'], { secure: true, credentials: password, allowed: ['ANONYMOUS', 'PLAIN'] }, 'PLAIN'],
    ['allowed restricts the choice', ALL, { secure: true, channelBinding: true, credentials: password, allowed: ['plain', 'login'] }, 'PLAIN'],
    ['allowed cannot bypass TLS policy', ['PLAIN'], { secure: false, credentials: password, allowed: ['PLAIN'] }, undefined],
    ['channel binding probed through a function', ALL, { secure: true, channelBinding: (k) => (k === 'tls-unique' ? Buffer.alloc(12) : undefined), credentials: password }, 'SCRAM-SHA-256-PLUS'],
    ['a probe that finds nothing means no -PLUS', ALL, { secure: true, channelBinding: () => undefined, credentials: password }, 'SCRAM-SHA-256'],
    ['nothing in common', ['GSSAPI', 'NTLM'], { secure: true, credentials: password }, undefined],
  ];
  it.each(cases)('%s', (_name, offers, options, expected) => {
    expect(chooseMechanism(offers, options)).toBe(expected);
  });
});

describe('assertMechanismAllowed', () => {
  it('throws MAIL_TLS_REQUIRED for cleartext mechanisms over an unencrypted connection', () => {
    for (const name of ['PLAIN', 'login', 'XOAUTH2', 'OAUTHBEARER']) {
      let error: unknown;
      try {
        assertMechanismAllowed(name, { secure: false });
      } catch (e) {
        error = e;
      }
      expect(MailError.hasCode(error, 'MAIL_TLS_REQUIRED')).toBe(true);
      expect((error as Error).message).toMatch(/cleartext.*allowPlaintext/s);
    }
  });

  it('passes with TLS, with the opt-in, and for challenge-response mechanisms', () => {
    expect(() => assertMechanismAllowed('PLAIN', { secure: true })).not.toThrow();
    expect(() => assertMechanismAllowed('PLAIN', { secure: false, allowPlaintext: true })).not.toThrow();
    expect(() => assertMechanismAllowed('SCRAM-SHA-256', { secure: false })).not.toThrow();
    expect(() => assertMechanismAllowed('CRAM-MD5', { secure: false })).not.toThrow();
    expect(isCleartextMechanism('cram-md5')).toBe(false);
    expect(isCleartextMechanism('plain')).toBe(true);
  });
});
