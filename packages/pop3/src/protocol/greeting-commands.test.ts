import { describe, expect, it } from 'vitest';
import { apopTimestamp } from './greeting.js';
import { formatCommand, isSafeArgument, parseCommandLine } from './commands.js';
import { MAX_COMMAND_LINE } from './limits.js';

describe('apopTimestamp', () => {
  it.each([
    ['POP3 server ready <1896.697170952@dbc.mtview.ca.us>', '<1896.697170952@dbc.mtview.ca.us>'],
    ['Dovecot ready. <1a2b.3.5f1d@host>', '<1a2b.3.5f1d@host>'],
    ['<a@b> first wins <c@d>', '<a@b>'],
    ['ready', undefined],
    ['ready <no-at-sign>', undefined],
    ['ready <a b@c>', undefined],
    ['ready <caf\u00e9@host>', undefined],
    ['ready <@host>', undefined],
    ['ready <a@>', undefined],
    ['ready <a<b@c>', '<b@c>'],
  ])('%j → %s', (text, ts) => {
    expect(apopTimestamp(text)).toBe(ts);
  });
});

describe('formatCommand', () => {
  it('joins with single spaces', () => {
    expect(formatCommand('LIST')).toBe('LIST');
    expect(formatCommand('TOP', 1, 0)).toBe('TOP 1 0');
    expect(formatCommand('PASS', 'with space')).toBe('PASS with space');
  });
  it.each(['a\r\nDELE 1', 'a\n', 'a\r', 'a\0'])('refuses %j', (arg) => {
    expect(isSafeArgument(arg)).toBe(false);
    expect(() => formatCommand('USER', arg)).toThrow(RangeError);
  });
});

describe('parseCommandLine', () => {
  it.each([
    ['QUIT', 'QUIT', [], ''],
    ['retr 1', 'RETR', ['1'], '1'],
    ['TOP 1 10', 'TOP', ['1', '10'], '1 10'],
    ['PASS my secret', 'PASS', ['my', 'secret'], 'my secret'],
    ['USER ', 'USER', [], ''],
  ])('%j', (line, verb, args, argText) => {
    expect(parseCommandLine(line)).toEqual({ ok: true, value: { verb, args, argText } });
  });
  it.each(['', ' QUIT', 'QU\u0000IT', 'RETR 1\u001b', 'X\u00ff'])('rejects %j', (line) => {
    expect(parseCommandLine(line)).toMatchObject({ ok: false, code: 'MAIL_PROTOCOL' });
  });
  it('bounds the length (RFC 2449 §4: 255 octets with CRLF)', () => {
    expect(parseCommandLine(`PASS ${'x'.repeat(MAX_COMMAND_LINE - 7)}`).ok).toBe(true);
    expect(parseCommandLine(`PASS ${'x'.repeat(MAX_COMMAND_LINE - 6)}`)).toMatchObject({ ok: false, code: 'MAIL_LINE_TOO_LONG' });
    expect(parseCommandLine(`PASS ${'x'.repeat(400)}`, { maxLength: 1000 }).ok).toBe(true);
  });
});
