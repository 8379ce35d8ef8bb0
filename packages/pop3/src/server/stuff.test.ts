import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '@mail/test-servers';
import { BodyStuffer, TopLimiter } from './stuff.js';

function stuff(chunks: Buffer[]): string {
  const s = new BodyStuffer();
  return Buffer.concat([...chunks.flatMap((c) => s.push(c)), s.end()]).toString();
}

/** Reference: normalise LF to CRLF, stuff line-initial dots, terminate. */
function reference(text: string): string {
  const lines = text.replace(/\r?\n/g, '\r\n').split('\r\n');
  const last = lines.pop()!;
  const body = lines.map((l) => `${l.startsWith('.') ? '.' : ''}${l}\r\n`).join('') + (last === '' ? '' : `${last.startsWith('.') ? '.' : ''}${last}\r\n`);
  return `${body}.\r\n`;
}

describe('BodyStuffer', () => {
  it('matches the reference under any chunking', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[.a\r\n]{0,40}$/).filter((s) => !/\r(?!\n)/.test(s)), fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        expect(stuff(splitAt(Buffer.from(text), cuts))).toBe(reference(text));
      }),
      { numRuns: 500 },
    );
  });

  it('examples', () => {
    expect(stuff([Buffer.from('.a\r\nb\n.')])).toBe('..a\r\nb\r\n..\r\n.\r\n');
    expect(stuff([])).toBe('.\r\n');
    expect(stuff([Buffer.from('x\r'), Buffer.from('\n.y')])).toBe('x\r\n..y\r\n.\r\n');
  });
});

describe('TopLimiter', () => {
  it('keeps the headers, the blank line and n body lines under any chunking', () => {
    const message = 'A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n';
    fc.assert(
      fc.property(fc.nat({ max: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (n, cuts) => {
        const limiter = new TopLimiter(n);
        const out: Buffer[] = [];
        for (const c of splitAt(Buffer.from(message), cuts)) {
          out.push(Buffer.from(limiter.push(c)));
          if (limiter.done) break;
        }
        const expected = 'A: 1\r\nB: 2\r\n\r\n' + ['l1\r\n', 'l2\r\n', 'l3\r\n'].slice(0, n).join('');
        expect(Buffer.concat(out).toString()).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
