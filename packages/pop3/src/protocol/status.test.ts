import { describe, expect, it } from 'vitest';
import { codeIs, formatResponse, isTransientCode, parseStatusLine } from './status.js';
import { MAX_STATUS_LINE } from './limits.js';

describe('parseStatusLine', () => {
  it.each([
    ['+OK', true, undefined, ''],
    ['+OK ', true, undefined, ''],
    ['+OK 2 320', true, undefined, '2 320'],
    ['-ERR', false, undefined, ''],
    ['-ERR no such message', false, undefined, 'no such message'],
    ['-ERR [IN-USE] Mailbox locked', false, 'IN-USE', 'Mailbox locked'],
    ['-ERR [LOGIN-DELAY] wait 900 s', false, 'LOGIN-DELAY', 'wait 900 s'],
    ['-ERR [SYS/TEMP] try later', false, 'SYS/TEMP', 'try later'],
    ['-ERR [SYS/PERM] disabled', false, 'SYS/PERM', 'disabled'],
    ['-ERR [AUTH] Authentication failed.', false, 'AUTH', 'Authentication failed.'],
    ['-ERR [UTF8]', false, 'UTF8', ''],
    ['-ERR [auth] lower', false, 'AUTH', 'lower'],
    ['+OK [SYS/TEMP/DISK]x', true, 'SYS/TEMP/DISK', 'x'],
    // Not a well-formed code: kept as text (servers without RESP-CODES may say anything).
    ['-ERR [IN USE] locked', false, undefined, '[IN USE] locked'],
    ['-ERR [] empty', false, undefined, '[] empty'],
    ['-ERR [A//B] x', false, undefined, '[A//B] x'],
    ['-ERR [unterminated', false, undefined, '[unterminated'],
  ])('%j', (line, ok, code, text) => {
    expect(parseStatusLine(line)).toEqual({ ok: true, value: { ok, responseCode: code, text } });
  });

  it.each(['', '+ok', 'OK', '+OKAY', '-ERROR x', '-Err x', '* OK', '+', '+ dGVzdA==', ' +OK', '\u0000+OK'])(
    'rejects %j as MAIL_PROTOCOL',
    (line) => {
      const r = parseStatusLine(line);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe('MAIL_PROTOCOL');
    },
  );

  it('bounds the line at MAX_STATUS_LINE octets including CRLF', () => {
    const fits = `+OK ${'x'.repeat(MAX_STATUS_LINE - 6)}`;
    expect(parseStatusLine(fits).ok).toBe(true);
    expect(parseStatusLine(`${fits}x`)).toMatchObject({ ok: false, code: 'MAIL_LINE_TOO_LONG' });
    // Counted in octets: 700 three-octet characters exceed 2048 although .length is 704.
    expect(parseStatusLine(`+OK ${'€'.repeat(700)}`)).toMatchObject({ ok: false, code: 'MAIL_LINE_TOO_LONG' });
  });

  it('quotes hostile text escaped in failure messages', () => {
    const r = parseStatusLine('\u001b[31mHELLO');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).not.toContain('\u001b');
  });
});

describe('response codes', () => {
  it.each([
    ['IN-USE', true],
    ['LOGIN-DELAY', true],
    ['SYS/TEMP', true],
    ['SYS/TEMP/DISK', true],
    ['sys/temp', true],
    ['SYS/PERM', false],
    ['SYS', false],
    ['SYS/TEMPORARY', false],
    ['AUTH', false],
    ['UTF8', false],
    [undefined, false],
  ])('%s transient = %s', (code, transient) => {
    expect(isTransientCode(code)).toBe(transient);
  });

  it('matches hierarchically', () => {
    expect(codeIs('SYS/PERM/X', 'SYS/PERM')).toBe(true);
    expect(codeIs('SYS/PERMX', 'SYS/PERM')).toBe(false);
    expect(codeIs(undefined, 'AUTH')).toBe(false);
  });
});

describe('formatResponse', () => {
  it.each([
    [true, '', undefined, '+OK'],
    [true, 'ready', undefined, '+OK ready'],
    [false, 'locked', 'IN-USE', '-ERR [IN-USE] locked'],
    [false, '', 'SYS/TEMP', '-ERR [SYS/TEMP]'],
  ] as const)('%s %j %s', (ok, text, code, line) => {
    expect(formatResponse(ok, text, code)).toBe(line);
    // Round trip through the parser.
    expect(parseStatusLine(line)).toEqual({ ok: true, value: { ok, responseCode: code, text } });
  });

  it('refuses CR, LF, NUL and malformed codes', () => {
    expect(() => formatResponse(true, 'a\r\n+OK b')).toThrow(RangeError);
    expect(() => formatResponse(false, 'a\0')).toThrow(RangeError);
    expect(() => formatResponse(false, 'x', 'IN USE')).toThrow(RangeError);
  });
});
