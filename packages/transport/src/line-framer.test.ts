import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '@mail/test-servers';
import { MailError } from './errors.js';
import { LineFramer } from './line-framer.js';

/** Pushes `chunks` and collects every complete line as latin1 text. */
function frame(chunks: Uint8Array[], max = 64 * 1024): { lines: string[]; rest: number } {
  const f = new LineFramer(max);
  const lines: string[] = [];
  for (const c of chunks) {
    f.push(c);
    for (let line = f.nextLine(); line !== undefined; line = f.nextLine()) lines.push(line.toString('latin1'));
  }
  return { lines, rest: f.length };
}

describe('LineFramer', () => {
  it('splits CRLF and bare LF lines and strips the terminator', () => {
    const { lines, rest } = frame([Buffer.from('+OK hi\r\nsecond\nthird\r\r\nparti')]);
    expect(lines).toEqual(['+OK hi', 'second', 'third\r']);
    expect(rest).toBe(5);
  });

  it('joins a line split across many chunks', () => {
    const text = 'a'.repeat(1000) + '\r\n';
    const chunks = [...text].map((ch) => Buffer.from(ch));
    expect(frame(chunks).lines).toEqual(['a'.repeat(1000)]);
  });

  it('refuses a line over the limit as soon as the limit is buffered, terminator included', () => {
    const f = new LineFramer(10);
    f.push(Buffer.from('123456789'));
    expect(f.nextLine()).toBeUndefined();
    f.push(Buffer.from('0'));
    expect(() => f.nextLine()).toThrow(expect.objectContaining({ code: 'MAIL_LINE_TOO_LONG' }));
    const g = new LineFramer(10);
    g.push(Buffer.from('12345678\r\n'));
    expect(g.nextLine()?.toString()).toBe('12345678');
    g.push(Buffer.from('123456789\r\n'));
    expect(() => g.nextLine()).toThrow(expect.objectContaining({ code: 'MAIL_LINE_TOO_LONG' }));
  });

  it('take, takeChunks and unshift keep byte order', () => {
    const f = new LineFramer();
    f.push(Buffer.from('abc'));
    f.push(Buffer.from('def\r\nx'));
    expect(f.take(4).toString()).toBe('abcd');
    f.unshift(Buffer.from('Z'));
    expect(f.nextLine()?.toString()).toBe('Zef');
    expect(Buffer.concat(f.takeChunks()).toString()).toBe('x');
    expect(f.length).toBe(0);
  });

  it('property: every chunking gives the same lines and the same remainder', () => {
    const byte = fc.constantFrom(0x0d, 0x0a, 0x2e, 0x41, 0x20, 0x00, 0xff);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(byte, { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 20 }), (random, structured, cuts) => {
        const data = Buffer.concat([Buffer.from(structured), Buffer.from(random)]);
        const whole = frame([data]);
        const pieces = frame(splitAt(data, cuts, { keepEmpty: true }));
        expect(pieces).toEqual(whole);
        // And the lines are what a naive split gives.
        const text = data.toString('latin1');
        const naive = text.split('\n');
        naive.pop();
        expect(whole.lines).toEqual(naive.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)));
      }),
      { numRuns: 500 },
    );
  });

  it('property: lines, take, takeChunks and unshift in any order match a plain byte queue', () => {
    const op = fc.oneof(
      fc.record({ push: fc.uint8Array({ maxLength: 40 }).map((b) => b.map((x) => [0x0a, 0x0d, 0x41][x % 3]!)) }),
      fc.record({ line: fc.constant(true) }),
      fc.record({ take: fc.nat({ max: 30 }) }),
      fc.record({ chunks: fc.constant(true) }),
      fc.record({ unshift: fc.uint8Array({ minLength: 1, maxLength: 5 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const f = new LineFramer();
        let model = Buffer.alloc(0);
        for (const o of ops) {
          if ('push' in o) {
            f.push(o.push);
            model = Buffer.concat([model, o.push]);
          } else if ('line' in o) {
            const lf = model.indexOf(0x0a);
            const got = f.nextLine();
            if (lf === -1) expect(got).toBeUndefined();
            else {
              const line = model.subarray(0, lf > 0 && model[lf - 1] === 0x0d ? lf - 1 : lf);
              expect(got?.toString('latin1')).toBe(line.toString('latin1'));
              model = model.subarray(lf + 1);
            }
          } else if ('take' in o) {
            const n = Math.min(o.take, model.length);
            expect(f.take(o.take).toString('latin1')).toBe(model.subarray(0, n).toString('latin1'));
            model = model.subarray(n);
          } else if ('chunks' in o) {
            expect(Buffer.concat(f.takeChunks()).toString('latin1')).toBe(model.toString('latin1'));
            model = Buffer.alloc(0);
          } else {
            f.unshift(Buffer.from(o.unshift));
            model = Buffer.concat([Buffer.from(o.unshift), model]);
          }
          expect(f.length).toBe(model.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: arbitrary bytes and limits throw nothing but MailError, and memory stays bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 30 }), fc.integer({ min: 1, max: 50 }), (chunks, max) => {
        const f = new LineFramer(max);
        try {
          for (const c of chunks) {
            f.push(c);
            for (let line = f.nextLine(); line !== undefined; line = f.nextLine()) expect(line.length).toBeLessThan(max);
            expect(f.length).toBeLessThan(max + 64);
          }
        } catch (err) {
          expect(MailError.is(err)).toBe(true);
          expect((err as MailError).code).toBe('MAIL_LINE_TOO_LONG');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('frames 100k pipelined lines quickly (indexOf, no per-byte loop)', () => {
    const line = 'OK 12345 some reply text here\r\n';
    const data = Buffer.from(line.repeat(100_000));
    const chunks = splitAt(data, Array.from({ length: 300 }, (_, i) => i * 10_007), { keepEmpty: true });
    const start = performance.now();
    const { lines } = frame(chunks);
    const ms = performance.now() - start;
    expect(lines).toHaveLength(100_000);
    // Generous bound: a per-byte loop or an O(n^2) rescan would be far slower.
    expect(ms).toBeLessThan(5000);
  });
});
