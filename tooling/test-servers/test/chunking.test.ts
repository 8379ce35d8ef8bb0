import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkings, splitAt } from '../src/index.js';

describe('splitAt', () => {
  it('cuts at the given points, modulo length + 1, ignoring order and duplicates', () => {
    const pieces = splitAt(Buffer.from('abcdef'), [4, 2, 2, 9]); // 9 % 7 = 2
    expect(pieces.map((p) => p.toString())).toEqual(['ab', 'cd', 'ef']);
    expect(Buffer.isBuffer(pieces[0])).toBe(true);
  });

  it('drops empty pieces unless keepEmpty is set', () => {
    const data = Buffer.from('abc');
    expect(splitAt(data, [0, 3]).map(String)).toEqual(['abc']);
    expect(splitAt(data, [0, 3], { keepEmpty: true }).map(String)).toEqual(['', 'abc', '']);
    expect(splitAt(Buffer.alloc(0), [5])).toEqual([]);
  });

  it('property: pieces concatenate back to the input, and are non-empty unless asked', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), (bytes, cuts, keepEmpty) => {
      const pieces = splitAt(bytes, cuts, { keepEmpty });
      expect(Buffer.concat(pieces).equals(Buffer.from(bytes))).toBe(true);
      if (!keepEmpty) expect(pieces.every((p) => p.length > 0)).toBe(true);
    }), { numRuns: 200 });
  });
});

describe('chunkings', () => {
  it('gives the whole string, one character per chunk, and every two-chunk cut', () => {
    expect(chunkings('ab')).toEqual([['ab'], ['a', 'b'], ['', 'ab'], ['a', 'b'], ['ab', '']]);
  });
});
