import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DotStuffer } from '@mail/transport';
import { prepareBody, prepareWhole } from './body.js';
import { stuffNormalized } from './stuff-normalized.js';

/** What the streaming DotStuffer sends for the raw content (normalising and stuffing it itself). */
function reference(raw: Buffer): Buffer {
  const s = new DotStuffer();
  return Buffer.concat([s.push(raw), s.end()]);
}

function stuffed(chunks: readonly Buffer[]): { out: Buffer; bytes: number } {
  const parts: Buffer[] = [];
  const bytes = stuffNormalized(chunks, parts);
  return { out: Buffer.concat(parts), bytes };
}

/** Splits `buf` at the given cut points (in any order, duplicates allowed: empty chunks). */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const at = cuts.map((c) => c % (buf.length + 1)).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let s = 0;
  for (const c of at) {
    out.push(buf.subarray(s, c));
    s = c;
  }
  out.push(buf.subarray(s));
  return out;
}

const content = fc
  .array(fc.constantFrom('.', '..', '\r', '\n', '\r\n', 'a', 'é', ' ', '\0'), { maxLength: 60 })
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));

describe('stuffNormalized', () => {
  it('stuffs like DotStuffer, with the terminator', () => {
    const cases: Array<[string, string]> = [
      ['', '.\r\n'],
      ['.', '..\r\n.\r\n'],
      ['a\r\n.b\r\n', 'a\r\n..b\r\n.\r\n'],
      ['.\r\n..\r\n', '..\r\n...\r\n.\r\n'],
      ['a\n.\r.', 'a\r\n..\r\n..\r\n.\r\n'],
    ];
    for (const [raw, wire] of cases) {
      const body = prepareWhole(raw);
      expect(stuffed(body.head).out.toString('latin1')).toBe(wire);
    }
  });

  it('equals DotStuffer over the raw content for any content, read in any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(content, fc.array(fc.nat(), { maxLength: 6 }), async (raw, cuts) => {
        const chunks = split(raw, cuts);
        const body = await prepareBody((async function* () {
          yield* chunks;
        })());
        expect(body.complete).toBe(true);
        const { out, bytes } = stuffed(body.head);
        expect(out.equals(reference(raw))).toBe(true);
        expect(bytes).toBe(out.length);
        // Split the normalised content again: a dot may start any chunk, "\n." may straddle two.
        const again = split(Buffer.concat(body.head), cuts.map((c) => c * 7 + 3));
        expect(stuffed(again).out.equals(out)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
