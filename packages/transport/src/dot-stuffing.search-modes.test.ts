import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { splitAt } from '@mail/test-servers';
import { BodyInspector, DotStuffer, LineEndingNormalizer } from './dot-stuffing.js';
import { setColdOctets } from './dot-stuffing/crlf-core.js';

const runs = Number(process.env.FUZZ_RUNS ?? 300);
const token = fc.constantFrom('\r', '\n', '.', '..', 'a', 'b c', '\r\n', '\r\n.\r\n', '\n.\n', '\r.\r', '\0', '\xff');
const body = fc.oneof(
  fc.array(token, { maxLength: 60 }).map((t) => Buffer.from(t.join(''), 'latin1')),
  fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)),
);
const cuts = fc.array(fc.nat(), { maxLength: 10 });

/** Everything the walker decides for `chunks`: DATA wire form, BDAT form, and the figures. */
function run(chunks: readonly Buffer[]): unknown {
  const stuffer = new DotStuffer({ inspect: true });
  const normalizer = new LineEndingNormalizer({ finalNewline: true });
  const inspector = new BodyInspector();
  const wire: Buffer[] = [];
  const bdat: Buffer[] = [];
  for (const c of chunks) {
    wire.push(...stuffer.pushParts(c));
    bdat.push(normalizer.push(c));
    inspector.push(c);
  }
  wire.push(stuffer.end());
  bdat.push(normalizer.end());
  return { wire: Buffer.concat(wire).toString('latin1'), bdat: Buffer.concat(bdat).toString('latin1'), info: inspector.end(), stuffed: stuffer.info };
}

/** Reference: per-line string code (RFC 5321 §2.3.8 and §4.5.2). */
function refStuff(s: string): string {
  const n = s.replace(/\r\n|\r|\n/g, '\r\n');
  if (n === '') return '.\r\n';
  return n.replace(/(^|\r\n)\./g, '$1..') + (n.endsWith('\r\n') ? '.\r\n' : '\r\n.\r\n');
}

describe('line walker: cold (typed-array) and warm (memchr) searches', () => {
  afterEach(() => {
    setColdOctets(0);
  });

  it('give the same output and figures, also when the search switches in the middle of a stream', () => {
    fc.assert(
      fc.property(body, cuts, fc.nat({ max: 400 }), (input, points, budget) => {
        const chunks = splitAt(input, points, { keepEmpty: true });
        setColdOctets(Number.MAX_SAFE_INTEGER);
        const cold = run(chunks);
        setColdOctets(0);
        const warm = run(chunks);
        setColdOctets(budget);
        const mixed = run(chunks);
        expect(warm).toEqual(cold);
        expect(mixed).toEqual(cold);
        expect((cold as { wire: string }).wire).toBe(refStuff(input.toString('latin1')));
      }),
      { numRuns: runs },
    );
  });

  it('the cold search ends after its budget of octets', () => {
    setColdOctets(10);
    new BodyInspector().push(Buffer.alloc(16, 0x61));
    expect(setColdOctets(0)).toBeLessThanOrEqual(0);
  });
});
