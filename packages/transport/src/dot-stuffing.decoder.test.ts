import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkings, splitAt } from '@mail/test-servers';
import { DotUnstuffer } from './dot-stuffing.js';
import { MailError } from './errors.js';

const b = (s: string) => Buffer.from(s, 'latin1');

interface Decoded {
  body: string;
  done: boolean;
  rest: string;
}

function decode(chunks: string[], strict = false): Decoded {
  const dec = new DotUnstuffer({ strict });
  const body: Buffer[] = [];
  const rest: Buffer[] = [];
  let done = false;
  for (const c of chunks) {
    const r = dec.push(b(c));
    body.push(...r.chunks);
    rest.push(r.rest);
    if (r.done) done = true;
    expect(r.done).toBe(dec.done);
  }
  return { body: Buffer.concat(body).toString('latin1'), done, rest: Buffer.concat(rest).toString('latin1') };
}

function expectProtocolError(fn: () => unknown): MailError {
  try {
    fn();
  } catch (e) {
    expect(MailError.hasCode(e, 'MAIL_PROTOCOL')).toBe(true);
    return e as MailError;
  }
  throw new Error('expected MAIL_PROTOCOL');
}

// [wire bytes, body, done, rest] valid in both modes (RFC 5321 §4.5.2, RFC 1939 §3).
const common: Array<[string, string, boolean, string]> = [
  ['.\r\n', '', true, ''],
  ['.\r\n+OK next\r\n', '', true, '+OK next\r\n'],
  ['a\r\n.\r\n', 'a\r\n', true, ''],
  ['a\r\n.\r\nrest', 'a\r\n', true, 'rest'],
  ['..\r\n.\r\n', '.\r\n', true, ''],
  ['...\r\n.\r\n', '..\r\n', true, ''],
  ['..a\r\n.b\r\n.\r\n', '.a\r\nb\r\n', true, ''],
  ['a.\r\n.\r\n', 'a.\r\n', true, ''],
  ['\r\n.\r\n', '\r\n', true, ''],
  ['\r\n\r\n.\r\n.\r\n', '\r\n\r\n', true, '.\r\n'],
  ['a\r\n.', 'a\r\n', false, ''],
  ['a\r\n.\r', 'a\r\n', false, ''],
  ['a\r\n', 'a\r\n', false, ''],
  ['a', 'a', false, ''],
  ['', '', false, ''],
  ['\0\xff\x80\r\n.\r\n', '\0\xff\x80\r\n', true, ''],
];

describe('DotUnstuffer', () => {
  for (const strict of [false, true]) {
    describe(strict ? 'strict' : 'lenient', () => {
      it.each(common)('decodes %j for every chunking', (wire, body, done, rest) => {
        for (const chunks of chunkings(wire)) {
          expect(decode(chunks, strict), JSON.stringify(chunks)).toEqual({ body, done, rest });
        }
      });

      it('finds the terminator split at every byte position of a longer body', () => {
        const wire = 'Subject: x\r\n\r\n..dot\r\nline\r\n.\r\n+OK\r\n';
        for (let i = 0; i <= wire.length; i++) {
          for (let j = i; j <= wire.length; j++) {
            const got = decode([wire.slice(0, i), wire.slice(i, j), wire.slice(j)], strict);
            expect(got).toEqual({ body: 'Subject: x\r\n\r\n.dot\r\nline\r\n', done: true, rest: '+OK\r\n' });
          }
        }
      });

      it('returns later pushes whole as rest once done', () => {
        const dec = new DotUnstuffer({ strict });
        expect(dec.push(b('.\r\n')).done).toBe(true);
        const r = dec.push(b('more'));
        expect(r).toEqual({ chunks: [], done: true, rest: b('more') });
        expect(dec.size).toBe(0);
      });

      it('passes ordinary text on as a view of the pushed chunk', () => {
        const dec = new DotUnstuffer({ strict });
        const input = b('hello\r\nworld\r\n');
        const r = dec.push(input);
        expect(r.chunks).toHaveLength(1);
        expect(r.chunks[0]!.buffer).toBe(input.buffer);
        expect(dec.size).toBe(input.length);
      });
    });
  }

  it('accepts a plain Uint8Array and counts the body size', () => {
    const dec = new DotUnstuffer();
    const r = dec.push(new TextEncoder().encode('..x\r\n.\r\n+OK'));
    expect(Buffer.concat(r.chunks).toString('latin1')).toBe('.x\r\n');
    expect(r.rest.toString('latin1')).toBe('+OK');
    expect(dec.size).toBe(4);
  });

  describe('lenient (POP3 client)', () => {
    const table: Array<[string, string, boolean, string]> = [
      // A bare LF ends a line, as in Python's poplib.
      ['a\n.\n', 'a\n', true, ''],
      ['a\n..b\n.\r\n', 'a\n.b\n', true, ''],
      ['.\n', '', true, ''],
      ['a\n.\r\nX', 'a\n', true, 'X'],
      // A bare CR does not.
      ['a\r.\r\n.\r\n', 'a\r.\r\n', true, ''],
      ['a\r\n.\rb\r\n.\r\n', 'a\r\n\rb\r\n', true, ''],
    ];
    it.each(table)('decodes %j for every chunking', (wire, body, done, rest) => {
      for (const chunks of chunkings(wire)) expect(decode(chunks), JSON.stringify(chunks)).toEqual({ body, done, rest });
    });
  });

  describe('strict (SMTP server DATA)', () => {
    // SMTP smuggling end-of-data shapes (CVE-2023-51764/51765/51766) and other bare endings.
    const hostile = [
      'a\n.\n',
      'a\r.\r',
      'a\r\n.\n',
      'a\n.\r\n',
      'a\r.\r\n',
      'a\nb\r\n.\r\n',
      'a\rb\r\n.\r\n',
      '.\n',
      '\n',
      '\r\r\n',
      'x\r\n.\rb',
      'x\r\n..\n',
    ];
    it.each(hostile)('rejects %j with MAIL_PROTOCOL for every chunking', (wire) => {
      for (const chunks of chunkings(wire)) {
        const dec = new DotUnstuffer({ strict: true });
        const err = expectProtocolError(() => {
          for (const c of chunks) dec.push(b(c));
          // A CR at the very end is only known to be bare once the next byte arrives.
          dec.push(b('Z'));
        });
        expect(err.message).toMatch(/bare (CR|LF).*RFC 5321 §2\.3\.8/);
        // The decoder stays failed: the session is out of sync.
        expectProtocolError(() => dec.push(b('\r\n.\r\n')));
      }
    });

    it('never ends the data early on a smuggled terminator', () => {
      const dec = new DotUnstuffer({ strict: true });
      expectProtocolError(() => dec.push(b('Hi\r\n\n.\nMAIL FROM:<evil@x>\r\n')));
      expect(dec.done).toBe(false);
    });
  });
});

/** Like decode(), through pushInPlace; each chunk is a fresh copy (it is overwritten). */
function decodeInPlace(chunks: string[], strict = false): Decoded & { bodies: number } {
  const dec = new DotUnstuffer({ strict });
  const body: Buffer[] = [];
  const rest: Buffer[] = [];
  let done = false;
  for (const c of chunks) {
    const r = dec.pushInPlace(b(c));
    expect(r.body.length).toBeLessThanOrEqual(c.length);
    body.push(Buffer.from(r.body));
    rest.push(r.rest);
    if (r.done) done = true;
    expect(r.done).toBe(dec.done);
  }
  return { body: Buffer.concat(body).toString('latin1'), done, rest: Buffer.concat(rest).toString('latin1'), bodies: body.length };
}

describe('DotUnstuffer.pushInPlace', () => {
  const wires = [...common.map(([wire]) => wire), 'a\n..b\n.\r\n', '..x\r\n..\r\n...\r\nyy\r\n.\r\n+OK 1\r\n'];
  for (const strict of [false, true]) {
    it(`gives the same bytes as push for every chunking (${strict ? 'strict' : 'lenient'})`, () => {
      for (const wire of wires) {
        if (strict && /(^|[^\r])\n/.test(wire)) continue;
        for (const chunks of chunkings(wire)) {
          const { bodies: _n, ...got } = decodeInPlace(chunks, strict);
          expect(got, JSON.stringify(chunks)).toEqual(decode(chunks, strict));
        }
      }
    });
  }

  it('matches push on random bodies and random chunkings (property)', () => {
    const token = fc.constantFrom('\r\n', '\n', '.', '..', 'a', 'bc', '\r\n.', '\r\n..', '\r\n.\r\n', '\xff');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }), (tokens, cuts) => {
        const wire = Buffer.from(tokens.join('') + '\r\n.\r\nNEXT', 'latin1');
        const chunks = splitAt(wire, cuts, { keepEmpty: true }).map((c) => c.toString('latin1'));
        const { bodies: _n, ...got } = decodeInPlace(chunks);
        expect(got).toEqual(decode(chunks));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });

  it('returns one view of the chunk, stuffed dots removed in place, and leaves the rest untouched', () => {
    const chunk = b('..a\r\nb\r\n..c\r\n.\r\n+OK next\r\n');
    const dec = new DotUnstuffer();
    const r = dec.pushInPlace(chunk);
    expect(r.body.buffer).toBe(chunk.buffer);
    expect(r.body.byteOffset).toBe(chunk.byteOffset);
    expect(r.body.toString('latin1')).toBe('.a\r\nb\r\n.c\r\n');
    expect(r.done).toBe(true);
    expect(r.rest.toString('latin1')).toBe('+OK next\r\n');
    expect(r.rest.buffer).toBe(chunk.buffer);
    expect(dec.size).toBe(r.body.length);
  });

  it('returns later chunks whole as rest once done, and throws what push throws', () => {
    const dec = new DotUnstuffer();
    expect(dec.pushInPlace(b('.\r\n')).done).toBe(true);
    expect(dec.pushInPlace(b('more'))).toEqual({ body: Buffer.alloc(0), done: true, rest: b('more') });
    const strict = new DotUnstuffer({ strict: true });
    expectProtocolError(() => strict.pushInPlace(b('a\n.\n')));
    expectProtocolError(() => strict.pushInPlace(b('\r\n.\r\n')));
  });
});
