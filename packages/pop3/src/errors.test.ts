import { describe, expect, it } from 'vitest';
import { MailError } from '@mail/transport';
import {
  loginError,
  POP3AuthenticationError,
  POP3Error,
  POP3MailboxInUseError,
  POP3ReplyError,
} from './errors.js';
import type { StatusLine } from './protocol/index.js';

const err = (responseCode: string | undefined, text = 'x'): StatusLine => ({ ok: false, responseCode, text });

describe('POP3 errors', () => {
  it('carry code, response code, text, redacted command and transient', () => {
    const e = new POP3ReplyError('RETR 1', err('SYS/TEMP', 'try later'));
    expect(e.code).toBe('POP3_REPLY');
    expect(e.responseCode).toBe('SYS/TEMP');
    expect(e.text).toBe('try later');
    expect(e.command).toBe('RETR 1');
    expect(e.transient).toBe(true);
    expect(e.message).toBe('RETR 1 refused: -ERR [SYS/TEMP] try later');
    expect(e.name).toBe('POP3ReplyError');
  });

  it('escape terminal control sequences from the server in the message', () => {
    const e = new POP3ReplyError('NOOP', err(undefined, 'bad \u001b[2J news'));
    expect(e.message).not.toContain('\u001b');
    expect(e.text).toContain('\u001b');
  });

  it('brand checks work for the whole hierarchy', () => {
    const inUse = new POP3MailboxInUseError('PASS ****', err('IN-USE'));
    expect(MailError.is(inUse)).toBe(true);
    expect(POP3Error.is(inUse)).toBe(true);
    expect(POP3ReplyError.is(inUse)).toBe(true);
    expect(POP3MailboxInUseError.is(inUse)).toBe(true);
    expect(POP3AuthenticationError.is(inUse)).toBe(false);
    expect(POP3ReplyError.is(new MailError('POP3_REPLY', 'fake'))).toBe(false);
    expect(POP3Error.is({ code: 'POP3_REPLY' })).toBe(false);
  });

  it.each([
    [undefined, POP3AuthenticationError, false],
    ['AUTH', POP3AuthenticationError, false],
    ['IN-USE', POP3MailboxInUseError, true],
    ['LOGIN-DELAY', POP3ReplyError, true],
    ['SYS/TEMP', POP3ReplyError, true],
    ['SYS/PERM', POP3ReplyError, false],
  ])('loginError(%s) is %o', (code, cls, transient) => {
    const e = loginError('PASS ****', err(code));
    expect(e.constructor).toBe(cls);
    expect(e.transient).toBe(transient);
  });
});
