import { describe, expect, it } from 'vitest';
import { MailError, assertSafeArgument, brandCheck, markBrand } from './errors.js';

describe('MailError', () => {
  it('carries code, transient, phase and cause', () => {
    const cause = new Error('boom');
    const e = new MailError('MAIL_TIMEOUT', 'greeting timed out', { transient: true, phase: 'greeting', cause });
    expect(e.code).toBe('MAIL_TIMEOUT');
    expect(e.transient).toBe(true);
    expect(e.phase).toBe('greeting');
    expect(e.cause).toBe(cause);
    expect(e.name).toBe('MailError');
  });

  it('is() recognises errors by brand, not by class identity', () => {
    const e = new MailError('MAIL_PROTOCOL', 'x');
    const lookalike = Object.assign(new Error('x'), { code: 'MAIL_PROTOCOL' });
    expect(MailError.is(e)).toBe(true);
    expect(MailError.is(lookalike)).toBe(false);
    // A copy from another package instance: same Symbol.for brand, different class.
    const foreign = Object.defineProperty(new Error('y'), Symbol.for('@mail/transport.MailError'), { value: true });
    expect(MailError.is(foreign)).toBe(true);
    expect(MailError.hasCode(e, 'MAIL_PROTOCOL')).toBe(true);
    expect(MailError.hasCode(e, 'MAIL_TIMEOUT')).toBe(false);
  });

  it('subclass brands work through brandCheck/markBrand', () => {
    class Sub extends MailError {
      static isSub = brandCheck<Sub>('@mail/test.Sub');
      constructor() { super('X', 'sub'); markBrand(this, '@mail/test.Sub'); }
    }
    expect(Sub.isSub(new Sub())).toBe(true);
    expect(Sub.isSub(new MailError('X', 'plain'))).toBe(false);
  });

  it('assertSafeArgument refuses CR, LF and NUL', () => {
    for (const bad of ['a\rb', 'a\nb', 'a\0b']) {
      expect(() => assertSafeArgument(bad, 'address')).toThrow(expect.objectContaining({ code: 'MAIL_INVALID_ARGUMENT' }));
    }
    expect(() => assertSafeArgument('user@example.com', 'address')).not.toThrow();
  });
});
