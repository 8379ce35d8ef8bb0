import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, encodeBase64 } from './base64.js';
import { createMechanism } from './registry.js';

const TOKEN = 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==';

describe('OAUTHBEARER (RFC 7628 §4 examples)', () => {
  it('§4.1 IMAP: initial client response', () => {
    const mech = createMechanism('OAUTHBEARER', { username: 'user@example.com', token: TOKEN }, { secure: true, host: 'server.example.com', port: 143 });
    const first = mech.start() as Buffer;
    expect(first.toString()).toBe(`n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer ${TOKEN}\x01\x01`);
    expect(encodeBase64(first)).toBe(
      'bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB',
    );
    expect(mech.done).toBe(true);
    expect(mech.serverError).toBeUndefined();
  });

  it('§4.2 SMTP: the same with port 587', () => {
    const mech = createMechanism('OAUTHBEARER', { username: 'user@example.com', token: TOKEN }, { secure: true, host: 'server.example.com', port: 587 });
    expect(encodeBase64(mech.start() as Buffer)).toBe(
      'bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB',
    );
  });

  it('failed exchange: the error challenge gets the %x01 dummy response and is surfaced', () => {
    const mech = createMechanism('OAUTHBEARER', { username: 'user@example.com', token: TOKEN }, { secure: true, host: 'server.example.com', port: 587 });
    mech.start();
    const challenge = decodeBase64Strict(
      'eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=',
    );
    const response = mech.step(challenge);
    expect(encodeBase64(response)).toBe('AQ==');
    expect(mech.serverError).toBe('status invalid_token, scope example_scope');
    expect(() => mech.step(challenge)).toThrow(expect.objectContaining({ code: 'MAIL_SASL' }));
  });

  it('omits host and port when unknown and escapes the authzid (RFC 5801 saslname)', () => {
    const mech = createMechanism('OAUTHBEARER', { username: 'a,b=c', token: 't' }, { secure: true });
    expect(mech.start()?.toString()).toBe('n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01');
  });

  it('refuses tokens that would break the framing, without echoing them', () => {
    let message = '';
    try {
      createMechanism('OAUTHBEARER', { username: 'u', token: 'abc\x01host=evil' }, { secure: true });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/token/);
    expect(message).not.toContain('abc');
    expect(() => createMechanism('OAUTHBEARER', { username: 'u' }, { secure: true })).toThrow(/needs an OAuth token/);
  });
});

describe('XOAUTH2 (Google format)', () => {
  it('builds user=...^Aauth=Bearer ...^A^A (Google example)', () => {
    const mech = createMechanism('XOAUTH2', { username: 'someuser@example.com', token: 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg' }, { secure: true });
    expect(encodeBase64(mech.start() as Buffer)).toBe(
      'dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==',
    );
  });

  it('answers a JSON error challenge with an empty response and surfaces the status', () => {
    const mech = createMechanism('XOAUTH2', { username: 'u@example.com', token: 'tok' }, { secure: true });
    mech.start();
    const json = Buffer.from(JSON.stringify({ status: '401', schemes: 'Bearer', scope: 'https://mail.google.com/' }));
    expect(mech.step(json).length).toBe(0);
    expect(mech.serverError).toBe('status 401, schemes Bearer, scope https://mail.google.com/');
  });

  it('sanitises a hostile error challenge', () => {
    const mech = createMechanism('XOAUTH2', { username: 'u', token: 'tok' }, { secure: true });
    mech.start();
    mech.step(Buffer.from(JSON.stringify({ status: '\x1b[31mred\x1b[0m' })));
    expect(mech.serverError).toBe('status ?[31mred?[0m');
    const other = createMechanism('XOAUTH2', { username: 'u', token: 'tok' }, { secure: true });
    other.start();
    other.step(Buffer.from('not json'));
    expect(other.serverError).toMatch(/not JSON/);
  });
});
