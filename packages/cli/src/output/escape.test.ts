import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeLines, escapeText } from './escape.js';

describe('escapeText', () => {
  it('neutralises terminal control sequences and bidi overrides', () => {
    expect(escapeText('ok\x1b[31mred\x07')).toBe('ok\\x1b[31mred\\x07');
    expect(escapeText('a\r\nb')).toBe('a\\r\\nb');
    expect(escapeText('\u202eevil')).toBe('\\u{202e}evil');
    expect(escapeText('tab\there ünïcode')).toBe('tab\there ünïcode');
    expect(escapeText('\x9b2J')).toBe('\\x9b2J');
  });

  it('never lets a control character through (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        // eslint-disable-next-line no-control-regex
        expect(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e]/.test(escapeText(s))).toBe(false);
      }),
    );
  });

  it('keeps line structure in escapeLines', () => {
    expect(escapeLines('a\x1b\r\nb\n')).toBe('a\\x1b\nb\n');
  });
});
