import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeXtext, encodeUtf8AddrXtext, encodeXtext } from './xtext.js';
import { SMTPProtocolError } from './errors.js';

describe('xtext (RFC 3461 §4)', () => {
  it.each([
    ['user@example.com', 'user@example.com'],
    ['a+b=c', 'a+2Bb+3Dc'],
    ['with space', 'with+20space'],
    ['é', '+C3+A9'],
    ['tab\t', 'tab+09'],
  ])('%j -> %j', (plain, encoded) => {
    expect(encodeXtext(plain)).toBe(encoded);
    expect(decodeXtext(encoded)).toBe(plain);
  });

  it('round-trips any string and encodes only to xchar/hexchar (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
      const e = encodeXtext(s);
      expect(e).toMatch(/^(?:[!-*,-<>-~]|\+[0-9A-F]{2})*$/);
      expect(decodeXtext(e)).toBe(s);
    }));
  });

  it('rejects malformed xtext with MAIL_PROTOCOL', () => {
    expect(() => decodeXtext('a+zz')).toThrow(SMTPProtocolError);
    expect(() => decodeXtext('a b')).toThrow(/outside xtext/);
  });

  it('encodes utf-8-addr-xtext (RFC 6533 §3)', () => {
    expect(encodeUtf8AddrXtext('用户@例子.test')).toBe('\\x{7528}\\x{6237}@\\x{4F8B}\\x{5B50}.test');
    expect(encodeUtf8AddrXtext('a+b=c\\d')).toBe('a\\x{2B}b\\x{3D}c\\x{5C}d');
    expect(() => encodeUtf8AddrXtext('a\nb')).toThrow(/control/);
  });
});
