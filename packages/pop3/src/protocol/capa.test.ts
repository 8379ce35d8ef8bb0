import { describe, expect, it } from 'vitest';
import { parseCapa } from './capa.js';

describe('parseCapa', () => {
  it('parses a Dovecot CAPA', () => {
    const r = parseCapa(['CAPA', 'TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE', 'STLS', 'USER',
      'SASL PLAIN LOGIN cram-md5 SCRAM-SHA-256', 'LOGIN-DELAY 900', 'EXPIRE NEVER', 'IMPLEMENTATION Dovecot (Debian)', '']);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const caps = r.value;
    expect(caps.pipelining).toBe(true);
    expect(caps.stls).toBe(true);
    expect(caps.has('uidl')).toBe(true);
    expect(caps.has('UTF8')).toBe(false);
    expect(caps.sasl).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256']);
    expect(caps.loginDelay).toBe(900);
    expect(caps.expire).toBe('NEVER');
    expect(caps.implementation).toBe('Dovecot (Debian)');
    expect(caps.get('SASL')).toEqual(['PLAIN', 'LOGIN', 'cram-md5', 'SCRAM-SHA-256']);
    expect(caps.names[0]).toBe('CAPA');
    expect(caps.toJSON().LOGIN_DELAY).toBeUndefined();
    expect(caps.toJSON()['LOGIN-DELAY']).toEqual(['900']);
  });

  it('handles missing and odd arguments', () => {
    const r = parseCapa(['EXPIRE 30 USER', 'LOGIN-DELAY soon', 'x-vendor.ext a\tb']);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.expire).toBe(30);
    expect(r.value.loginDelay).toBeUndefined();
    expect(r.value.sasl).toEqual([]);
    expect(r.value.pipelining).toBe(false);
    expect(r.value.implementation).toBeUndefined();
    expect(r.value.get('X-VENDOR.EXT')).toEqual(['a', 'b']);
  });

  it('keeps the first of repeated tags', () => {
    const r = parseCapa(['SASL PLAIN', 'SASL EXTERNAL']);
    expect(r.ok && r.value.sasl).toEqual(['PLAIN']);
  });

  it.each([['T\u00d6P'], ['SASL PLAIN\u001b[0m'], ['TOP\u0000']])('rejects %j', (line) => {
    expect(parseCapa([line])).toMatchObject({ ok: false, code: 'MAIL_PROTOCOL' });
  });
});
