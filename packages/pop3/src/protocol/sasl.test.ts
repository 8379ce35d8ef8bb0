import { describe, expect, it } from 'vitest';
import { encodeSaslResponse, formatAuthCommand, parseChallenge } from './sasl.js';

describe('formatAuthCommand', () => {
  it('sends the initial response base64, an empty one as "="', () => {
    expect(formatAuthCommand('plain', Buffer.from('\0u\0p'))).toEqual({ line: 'AUTH PLAIN AHUAcA==', redactAfter: 2, pending: null });
    expect(formatAuthCommand('EXTERNAL', Buffer.alloc(0)).line).toBe('AUTH EXTERNAL =');
    expect(formatAuthCommand('CRAM-MD5', null)).toEqual({ line: 'AUTH CRAM-MD5', redactAfter: 2, pending: null });
  });
  it('defers an initial response that would exceed 255 octets (RFC 5034 §4)', () => {
    const ir = Buffer.alloc(200, 1);
    const cmd = formatAuthCommand('XOAUTH2', ir);
    expect(cmd.line).toBe('AUTH XOAUTH2');
    expect(cmd.pending?.equals(ir)).toBe(true);
    // 182 bytes -> 244 base64 chars; "AUTH PLAIN " is 11; + CRLF = 257 > 255.
    expect(formatAuthCommand('PLAIN', Buffer.alloc(182)).pending).not.toBeNull();
    expect(formatAuthCommand('PLAIN', Buffer.alloc(180)).pending).toBeNull();
  });
  it('refuses malformed mechanism names', () => {
    expect(() => formatAuthCommand('PLAIN\r\nUSER x', null)).toThrow(RangeError);
  });
});

describe('parseChallenge', () => {
  it.each([
    ['+ ', ''],
    ['+', ''],
    ['+ PDEyMzQ1QGhvc3Q+', '<12345@host>'],
  ])('%j', (line, text) => {
    const r = parseChallenge(line);
    expect(r?.ok).toBe(true);
    if (r?.ok) expect(r.value.toString()).toBe(text);
  });
  it('ignores status lines', () => {
    expect(parseChallenge('+OK Logged in')).toBeUndefined();
    expect(parseChallenge('-ERR no')).toBeUndefined();
  });
  it.each(['+ abc', '+ ab!=', '+ ====', '+ YQ==YQ=='])('rejects %j', (line) => {
    expect(parseChallenge(line)).toMatchObject({ ok: false, code: 'MAIL_PROTOCOL' });
  });
  it('encodes responses', () => {
    expect(encodeSaslResponse(Buffer.alloc(0))).toBe('');
    expect(encodeSaslResponse(Buffer.from('hi'))).toBe('aGk=');
  });
});
