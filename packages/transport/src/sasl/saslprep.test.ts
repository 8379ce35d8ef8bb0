import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MailError } from '../errors.js';
import { saslprep } from './saslprep.js';
import { L_CAT, MAPPED_TO_NOTHING, NON_ASCII_SPACE, PROHIBITED, RAND_AL_CAT, UNASSIGNED, inTable, type RangeTable } from './saslprep-tables.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return MailError.is(e) ? e.code : `non-MailError: ${String(e)}`;
  }
  return undefined;
}

describe('saslprep: RFC 4013 §3 examples', () => {
  it.each([
    ['I\u00ADX', 'IX'], // SOFT HYPHEN mapped to nothing
    ['user', 'user'], // no transformation
    ['USER', 'USER'], // case preserved, will not match #2
    ['\u00AA', 'a'], // output is NFKC, input in ISO 8859-1
    ['\u2168', 'IX'], // output is NFKC, will match #1
  ])('%j -> %j', (input, output) => {
    expect(saslprep(input)).toBe(output);
  });

  it('"\\u0007" is prohibited', () => {
    expect(codeOf(() => saslprep('\u0007'))).toBe('MAIL_INVALID_ARGUMENT');
    expect(() => saslprep('\u0007')).toThrow(/prohibited/);
  });

  it('"\\u0627\\u0031" is a bidi error', () => {
    expect(() => saslprep('\u0627\u0031')).toThrow(/right-to-left/);
  });
});

describe('saslprep: more cases', () => {
  it('maps non-ASCII spaces to SPACE, including U+200B (C.1.2 before B.1)', () => {
    expect(saslprep('a\u00A0b\u3000c\u200Bd')).toBe('a b c d');
  });
  it('removes B.1 characters and applies NFKC', () => {
    expect(saslprep('\uFB01x\uFEFF\u200D')).toBe('fix');
    expect(saslprep('\uFF21')).toBe('A');
    expect(saslprep('e\u0301')).toBe('\u00E9');
  });
  it('prohibits C.2-C.9 output', () => {
    for (const bad of ['a\u007F', '\u0085', '\u2028', '\uE000', '\uFDD0', '\u{1FFFE}', '\uFFFD', '\u2FF0', '\u202E', '\u{E0041}', '\u{100000}', '\uD800']) {
      expect(codeOf(() => saslprep(bad)), JSON.stringify(bad)).toBe('MAIL_INVALID_ARGUMENT');
    }
  });
  it('checks prohibition after NFKC (U+0340 normalises to the allowed U+0300)', () => {
    expect(saslprep('x\u0340')).toBe('x\u0300');
  });
  it('checks bidi: no L with RandAL; RandAL first and last', () => {
    expect(saslprep('\u0627\u0031\u0628')).toBe('\u0627\u0031\u0628');
    expect(saslprep('\u05D0\u05D1')).toBe('\u05D0\u05D1');
    expect(() => saslprep('\u0627a\u0628')).toThrow(/mixes/);
    expect(() => saslprep('1\u0627')).toThrow(/start and end/);
  });
  it('allows unassigned code points in queries, refuses them in stored strings', () => {
    expect(saslprep('a\u0221')).toBe('a\u0221');
    expect(() => saslprep('a\u0221', { allowUnassigned: false })).toThrow(/unassigned/);
    expect(saslprep('a\u00E9', { allowUnassigned: false })).toBe('a\u00E9');
  });
  it('names the value but never quotes it', () => {
    expect(() => saslprep('hunter2\u0000', { what: 'the password' })).toThrow(/^the password is not allowed/);
    expect(() => saslprep('hunter2\u0000', { what: 'the password' })).not.toThrow(/hunter2/);
  });
  it('returns printable ASCII unchanged (fast path)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...' !~azAZ09=,'.split('')) }), (s) => saslprep(s) === s));
  });
  it('throws nothing but MailError, and its output is stable under a second pass', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (s) => {
        let out: string;
        try {
          out = saslprep(s);
        } catch (e) {
          return MailError.hasCode(e, 'MAIL_INVALID_ARGUMENT');
        }
        return saslprep(out) === out;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('saslprep tables', () => {
  const tables: Record<string, RangeTable> = { NON_ASCII_SPACE, MAPPED_TO_NOTHING, PROHIBITED, RAND_AL_CAT, L_CAT, UNASSIGNED };
  it.each(Object.keys(tables))('%s is sorted and non-overlapping', (name) => {
    const t = tables[name] as RangeTable;
    for (let i = 0; i < t.length; i += 2) {
      expect(t[i]! <= t[i + 1]!, `${name} range ${i / 2}`).toBe(true);
      if (i > 0) expect(t[i - 1]! < t[i]!, `${name} order at ${i / 2}`).toBe(true);
    }
  });

  // Cross-checks of the transcribed Unicode 3.2 tables against the engine's (newer) Unicode:
  // anything unassigned today was unassigned in 3.2, and anything in D.1/D.2 was assigned then.
  it('agrees with the engine Unicode data', () => {
    const unassignedNow = /\p{Cn}/u;
    const problems: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const nonChar = (cp & 0xfffe) === 0xfffe || (cp >= 0xfdd0 && cp <= 0xfdef);
      const a1 = inTable(UNASSIGNED, cp);
      const d1 = inTable(RAND_AL_CAT, cp);
      const d2 = inTable(L_CAT, cp);
      if (unassignedNow.test(String.fromCodePoint(cp)) && !nonChar && !a1) problems.push(`U+${cp.toString(16)} unassigned now but not in A.1`);
      if (a1 && (d1 || d2)) problems.push(`U+${cp.toString(16)} in A.1 and in D.1/D.2`);
      if (d1 && d2) problems.push(`U+${cp.toString(16)} in D.1 and D.2`);
      if (nonChar && a1) problems.push(`U+${cp.toString(16)} non-character in A.1`);
      if (problems.length > 20) break;
    }
    expect(problems).toEqual([]);
  });

  it('classifies sample characters as Unicode does', () => {
    for (const ch of 'AzÀßΩЖאבתابي') {
      const cp = ch.codePointAt(0)!;
      const rtl = /[\p{Script=Hebrew}\p{Script=Arabic}]/u.test(ch);
      expect([ch, inTable(RAND_AL_CAT, cp), inTable(L_CAT, cp)]).toEqual([ch, rtl, !rtl]);
    }
  });
});
