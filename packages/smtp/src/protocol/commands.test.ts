import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatAuth, formatBdat, formatCommand, formatEhlo, formatEnvid, formatHelo, formatLhlo, formatMailFrom,
  formatNotify, formatOrcpt, formatRcptTo, formatWithArgument,
} from './commands.js';
import { SMTPProtocolError } from './errors.js';

const invalid = expect.objectContaining({ code: 'MAIL_INVALID_ARGUMENT' });

describe('MAIL FROM', () => {
  it.each([
    [['a@b.c', {}], 'MAIL FROM:<a@b.c>'],
    [['', {}], 'MAIL FROM:<>'],
    [['a@b.c', { size: 1234, body: '8BITMIME' }], 'MAIL FROM:<a@b.c> SIZE=1234 BODY=8BITMIME'],
    [['a@b.c', { body: '7BIT' }], 'MAIL FROM:<a@b.c>'],
    [['ü@b.c', { smtputf8: true, body: '8BITMIME' }], 'MAIL FROM:<ü@b.c> BODY=8BITMIME SMTPUTF8'],
    [['a@b.c', { ret: 'HDRS', envid: 'QQ 314+1' }], 'MAIL FROM:<a@b.c> RET=HDRS ENVID=QQ+20314+2B1'],
    [['a@b.c', { requireTLS: true, body: 'BINARYMIME' }], 'MAIL FROM:<a@b.c> BODY=BINARYMIME REQUIRETLS'],
    [['a@b.c', { auth: '' }], 'MAIL FROM:<a@b.c> AUTH=<>'],
    [['a@b.c', { auth: 'e+x@b.c' }], 'MAIL FROM:<a@b.c> AUTH=e+2Bx@b.c'],
    [['a@b.c', { extra: { MTPRIORITY: '3', 'x-flag': true } }], 'MAIL FROM:<a@b.c> MTPRIORITY=3 X-FLAG'],
  ] as const)('%j', ([addr, params], line) => {
    expect(formatMailFrom(addr, params)).toBe(line);
  });

  it.each([
    ['a@b.c\r\nRSET', {}],
    ['a@b.c', { envid: 'x\r\nRCPT TO:<e@x>' }],
    ['a@b.c', { envid: 'é' }],
    ['a@b.c', { envid: 'x'.repeat(101) }],
    ['a@b.c', { size: -1 }],
    ['a@b.c', { size: 1.5 }],
    ['a@b.c', { ret: 'ALL' as 'FULL' }],
    ['a@b.c', { auth: 'a\nb' }],
    ['a@b.c', { extra: { 'BAD KEY': 'x' } }],
    ['a@b.c', { extra: { X: 'a b' } }],
    ['a@b.c', { extra: { X: 'a\r\nb' } }],
    ['a@b.c', { extra: { X: 'a=b' } }],
  ])('refuses %j %j before any write', (addr, params) => {
    expect(() => formatMailFrom(addr, params)).toThrow(invalid);
  });
});

describe('RCPT TO', () => {
  it.each([
    [['x@y.z', {}], 'RCPT TO:<x@y.z>'],
    [['postmaster', {}], 'RCPT TO:<postmaster>'],
    [['x@y.z', { notify: ['SUCCESS', 'FAILURE'], orcpt: 'x+1@y.z' }], 'RCPT TO:<x@y.z> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+2B1@y.z'],
    [['x@y.z', { notify: 'NEVER' }], 'RCPT TO:<x@y.z> NOTIFY=NEVER'],
    [['ü@y.z', { orcpt: 'ü@y.z' }], 'RCPT TO:<ü@y.z> ORCPT=utf-8;\\x{FC}@y.z'],
    [['x@y.z', { orcpt: 'x400;c=us' }], 'RCPT TO:<x@y.z> ORCPT=x400;c+3Dus'],
  ] as const)('%j', ([addr, params], line) => {
    expect(formatRcptTo(addr, params)).toBe(line);
  });

  it.each([
    ['x@y.z\n', {}],
    ['x@y.z', { notify: [] }],
    ['x@y.z', { notify: ['SOMETIMES' as 'DELAY'] }],
    ['x@y.z', { orcpt: 'a\r\nb' }],
    ['x@y.z', { orcpt: 'x'.repeat(600) }],
  ])('refuses %j %j', (addr, params) => {
    expect(() => formatRcptTo(addr, params)).toThrow(invalid);
  });

  it('NOTIFY deduplicates', () => {
    expect(formatNotify(['DELAY', 'DELAY'])).toBe('DELAY');
    expect(formatOrcpt('rfc822;a@b')).toBe('rfc822;a@b');
    expect(formatEnvid('abc')).toBe('abc');
  });
});

describe('other commands', () => {
  it('formats greetings, BDAT, VRFY/EXPN/HELP, AUTH', () => {
    expect(formatEhlo('client.example')).toBe('EHLO client.example');
    expect(formatHelo('[127.0.0.1]')).toBe('HELO [127.0.0.1]');
    expect(formatLhlo('x')).toBe('LHLO x');
    expect(formatBdat(10, false)).toBe('BDAT 10');
    expect(formatBdat(0, true)).toBe('BDAT 0 LAST');
    expect(formatWithArgument('VRFY', 'user')).toBe('VRFY user');
    expect(formatWithArgument('HELP')).toBe('HELP');
    expect(formatAuth('plain', 'AGEAYg==')).toBe('AUTH PLAIN AGEAYg==');
    expect(formatAuth('LOGIN')).toBe('AUTH LOGIN');
    expect(formatCommand('XCLIENT NAME=x')).toBe('XCLIENT NAME=x');
  });

  it.each([
    () => formatEhlo('a\r\nMAIL FROM:<x@y>'),
    () => formatEhlo('a b'),
    () => formatEhlo(''),
    () => formatHelo('x\0'),
    () => formatBdat(-1, true),
    () => formatWithArgument('EXPN'),
    () => formatWithArgument('VRFY', 'a\nb'),
    () => formatAuth('PL AIN'),
    () => formatAuth('PLAIN', 'x\r\n'),
    () => formatCommand('NOOP\r\nQUIT'),
    () => formatCommand('  '),
  ])('refuses unsafe input %#', (fn) => {
    expect(fn).toThrow(invalid);
  });

  it('no formatted command ever contains CR, LF or NUL (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 10 }), (addr, envid) => {
      for (const fn of [() => formatMailFrom(addr, { envid: envid || undefined }), () => formatRcptTo(addr, { orcpt: envid || undefined }), () => formatEhlo(addr)]) {
        try {
          expect(fn()).not.toMatch(/[\r\n\0]/);
        } catch (e) {
          expect(e).toBeInstanceOf(SMTPProtocolError);
        }
      }
    }));
  });
});

describe('mailFromLine / rcptToLine (addresses already checked by the client)', () => {
  it('format like formatMailFrom/formatRcptTo and still refuse a line break in the address', async () => {
    const { mailFromLine, rcptToLine, formatMailFrom, formatRcptTo } = await import('./commands.js');
    expect(mailFromLine('a@example.test', { body: '8BITMIME' })).toBe(formatMailFrom('a@example.test', { body: '8BITMIME' }));
    expect(rcptToLine('b@example.test', { notify: 'NEVER' })).toBe(formatRcptTo('b@example.test', { notify: 'NEVER' }));
    expect(() => mailFromLine('a@example.test>\r\nRCPT TO:<x@y')).toThrow(/CR, LF or NUL/);
    expect(() => rcptToLine('b@example.test\nDATA')).toThrow(/CR, LF or NUL/);
  });

  it('are not part of the public protocol namespace', async () => {
    const protocol = await import('./index.js');
    expect('mailFromLine' in protocol).toBe(false);
    expect('rcptToLine' in protocol).toBe(false);
    expect(typeof protocol.formatMailFrom).toBe('function');
    expect(typeof protocol.formatAuth).toBe('function');
  });
});
