import { describe, expect, it } from 'vitest';
import { isAsciiAddress, normalizeAddress, parseEsmtpParams, parsePathArgument } from './address.js';

describe('normalizeAddress', () => {
  it.each([
    ['user@example.com', 'user@example.com'],
    ['<user@example.com>', 'user@example.com'],
    ['  <user@example.com>  ', 'user@example.com'],
    ['"john doe"@example.com', '"john doe"@example.com'],
    ['"a<b>"@example.com', '"a<b>"@example.com'],
    ['user@[127.0.0.1]', 'user@[127.0.0.1]'],
    ['用户@例子.test', '用户@例子.test'],
    ['a+tag@example.com', 'a+tag@example.com'],
  ])('accepts %j', (input, out) => {
    expect(normalizeAddress(input, 'address')).toBe(out);
  });

  it.each([
    ['a@b\r\nRCPT TO:<evil@x>', /CR, LF or NUL/],
    ['a@b\n', /CR, LF or NUL/],
    ['a\0@b', /CR, LF or NUL/],
    ['a@b\x1b', /control/],
    ['', /empty/],
    ['<>', /empty/],
    ['nodomain', /local@domain/],
    ['@example.com', /local@domain/],
    ['user@', /local@domain/],
    ['us er@example.com', /quoting/],
    ['a>b@example.com', /quoting/],
    ['a@exa mple.com', /invalid domain/],
    ['a@b> SIZE=1', /invalid domain/],
    [`${'x'.repeat(250)}@example.com`, /256 octets/],
  ])('rejects %j', (input, message) => {
    expect(() => normalizeAddress(input, 'address')).toThrow(expect.objectContaining({ code: 'MAIL_INVALID_ARGUMENT', message: expect.stringMatching(message) }));
  });

  it('allows <> and postmaster only when asked', () => {
    expect(normalizeAddress('<>', 'sender', { allowNull: true })).toBe('');
    expect(normalizeAddress('Postmaster', 'rcpt', { allowPostmaster: true })).toBe('Postmaster');
    expect(() => normalizeAddress('Postmaster', 'rcpt')).toThrow(/local@domain/);
  });

  it('detects non-ASCII addresses', () => {
    expect(isAsciiAddress('a@b.c')).toBe(true);
    expect(isAsciiAddress('ü@b.c')).toBe(false);
  });
});

describe('parsePathArgument (server half)', () => {
  it.each([
    ['FROM:<a@b.c>', 'FROM', 'a@b.c', {}],
    ['from:<> SIZE=100 BODY=8BITMIME', 'FROM', '', { SIZE: '100', BODY: '8BITMIME' }],
    ['FROM: <a@b.c> SMTPUTF8', 'FROM', 'a@b.c', { SMTPUTF8: true }],
    ['TO:<"x y"@b.c> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+40b', 'TO', '"x y"@b.c', { NOTIFY: 'SUCCESS,FAILURE', ORCPT: 'rfc822;x+40b' }],
  ] as const)('%j', (arg, prefix, address, params) => {
    const parsed = parsePathArgument(arg, prefix);
    expect(parsed.address).toBe(address);
    expect(Object.fromEntries(parsed.params)).toEqual(params);
  });

  it.each(['FROM:a@b', 'TO:<a@b>', 'FROM:<a@b>SIZE=1', 'FROM:<a@b> =x'])('rejects %j', (arg) => {
    expect(() => parsePathArgument(arg, 'FROM')).toThrow(expect.objectContaining({ code: 'MAIL_PROTOCOL' }));
  });

  it('rejects malformed parameters', () => {
    expect(() => parseEsmtpParams('A=b=c')).toThrow(/malformed/);
  });
});
