import { describe, expect, it } from 'vitest';
import { parseListLine, parseListing, parseStat, parseUidlLine } from './listing.js';

describe('parseStat', () => {
  it.each([
    ['0 0', { count: 0, size: 0 }],
    ['2 320', { count: 2, size: 320 }],
    ['2 320 more info here', { count: 2, size: 320 }],
    ['999999999999999 1', { count: 999999999999999, size: 1 }],
  ])('%j', (text, value) => {
    expect(parseStat(text)).toEqual({ ok: true, value });
  });
  it.each(['', '2', '2  320', ' 2 320', '-1 3', '2 0x10', '2 320\u0000', '1e3 1', '9999999999999999 1', 'two 320'])(
    'rejects %j',
    (text) => {
      expect(parseStat(text)).toMatchObject({ ok: false, code: 'MAIL_PROTOCOL' });
    },
  );
});

describe('parseListLine / parseUidlLine', () => {
  it('parses valid lines', () => {
    expect(parseListLine('1 120')).toEqual({ ok: true, value: { msg: 1, size: 120 } });
    expect(parseListLine('3 5 extra')).toEqual({ ok: true, value: { msg: 3, size: 5 } });
    expect(parseUidlLine('1 whqtswO00WBw418f9t5JxYwZ')).toEqual({ ok: true, value: { msg: 1, uid: 'whqtswO00WBw418f9t5JxYwZ' } });
    expect(parseUidlLine(`7 ${'~'.repeat(70)}`).ok).toBe(true);
  });
  it.each(['0 120', '1', '1 -5', 'x 1', '1 120\t'])('rejects LIST %j', (t) => {
    expect(parseListLine(t).ok).toBe(false);
  });
  it.each(['0 abc', '1', '1 ', '1 a b', `1 ${'x'.repeat(71)}`, '1 caf\u00e9', '1 a\u007f', 'a 1'])('rejects UIDL %j', (t) => {
    expect(parseUidlLine(t)).toMatchObject({ ok: false, code: 'MAIL_PROTOCOL' });
  });
});

describe('parseListing', () => {
  it('accepts increasing numbers with gaps (deleted messages are omitted)', () => {
    expect(parseListing(['1 10', '3 30'], parseListLine)).toEqual({ ok: true, value: [{ msg: 1, size: 10 }, { msg: 3, size: 30 }] });
    expect(parseListing([], parseUidlLine)).toEqual({ ok: true, value: [] });
  });
  it.each([
    [['2 10', '1 20']],
    [['1 10', '1 20']],
    [['1 10', 'garbage']],
  ])('rejects LIST %j', (lines) => {
    expect(parseListing(lines, parseListLine).ok).toBe(false);
  });
  it('rejects duplicate unique ids', () => {
    expect(parseListing(['1 a', '2 a'], parseUidlLine)).toMatchObject({ ok: false, code: 'MAIL_PROTOCOL' });
  });
});
