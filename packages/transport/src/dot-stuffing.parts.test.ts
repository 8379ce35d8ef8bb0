import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '@mail/test-servers';
import { DotStuffer, LineEndingNormalizer } from './dot-stuffing.js';

const runs = Number(process.env.FUZZ_RUNS ?? 300);

const token = fc.constantFrom('\r', '\n', '.', '..', 'a', 'b c', '\r\n', '\r\n.\r\n', '\n.\n', '\r.\r', '\0', '\xff');
const body = fc.oneof(
  fc.array(token, { maxLength: 40 }).map((t) => Buffer.from(t.join(''), 'latin1')),
  fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
);
const cuts = fc.array(fc.nat(), { maxLength: 12 });

/** A buffer with its own ArrayBuffer (not a slice of Node's shared pool), so identity checks mean something. */
const own = (text: string): Buffer => {
  const b = Buffer.alloc(text.length);
  b.write(text, 'latin1');
  return b;
};

describe('pushParts', () => {
  it('property: DotStuffer.pushParts gives exactly the bytes and statistics of push, for every chunking', () => {
    fc.assert(
      fc.property(body, cuts, (input, points) => {
        const chunks = splitAt(input, points, { keepEmpty: true });
        const a = new DotStuffer();
        const b = new DotStuffer();
        const viaPush = Buffer.concat([...chunks.map((c) => a.push(c)), a.end()]);
        const viaParts = Buffer.concat([...chunks.flatMap((c) => b.pushParts(c)), b.end()]);
        expect(viaParts.toString('latin1')).toBe(viaPush.toString('latin1'));
        expect([b.bytesIn, b.bytesOut, b.maxLineLength, b.bareLineEndings]).toEqual([a.bytesIn, a.bytesOut, a.maxLineLength, a.bareLineEndings]);
      }),
      { numRuns: runs },
    );
  });

  it('property: LineEndingNormalizer.pushParts gives exactly the bytes of push', () => {
    fc.assert(
      fc.property(body, cuts, (input, points) => {
        const chunks = splitAt(input, points, { keepEmpty: true });
        const a = new LineEndingNormalizer();
        const b = new LineEndingNormalizer();
        const viaPush = Buffer.concat([...chunks.map((c) => a.push(c)), a.end()]);
        const viaParts = Buffer.concat([...chunks.flatMap((c) => b.pushParts(c)), b.end()]);
        expect(viaParts.toString('latin1')).toBe(viaPush.toString('latin1'));
      }),
      { numRuns: runs },
    );
  });

  it('stuffs dots with views of the input, no copy', () => {
    const input = own('.a\r\nb\r\n..c\r\n');
    const parts = new DotStuffer().pushParts(input);
    expect(Buffer.concat(parts).toString('latin1')).toBe('..a\r\nb\r\n...c\r\n');
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.buffer).toBe(input.buffer);
  });

  it('a chunk needing a CR or LF inserted comes back as one new buffer', () => {
    const input = own('.a\nb\r\n');
    const parts = new DotStuffer().pushParts(input);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.toString('latin1')).toBe('..a\r\nb\r\n');
    expect(parts[0]!.buffer).not.toBe(input.buffer);
  });

  it('refuses after end()', () => {
    const s = new DotStuffer();
    s.end();
    expect(() => s.pushParts(Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'MAIL_INVALID_ARGUMENT' }));
  });
});
