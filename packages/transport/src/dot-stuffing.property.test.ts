import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '@mail/test-servers';
import { BodyInspector, DotStuffer, DotUnstuffer, LineEndingNormalizer } from './dot-stuffing.js';
import { MailError } from './errors.js';

const runs = Number(process.env.FUZZ_RUNS ?? 300);
const latin1 = (buf: Uint8Array) => Buffer.from(buf).toString('latin1');

// Bodies rich in the bytes that matter, plus fully random bytes.
const token = fc.constantFrom('\r', '\n', '.', '..', 'a', 'b c', '\r\n', '\r\n.\r\n', '\n.\n', '\r.\r', '\0', '\xff', '\x80');
const body = fc.oneof(
  fc.array(token, { maxLength: 40 }).map((t) => Buffer.from(t.join(''), 'latin1')),
  fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
);
const cuts = fc.array(fc.nat(), { maxLength: 12 });

/** Splits `buf` at the given points (taken modulo its length + 1, empty pieces kept); `ones` gives 1-byte chunks. */
function split(buf: Buffer, points: number[], ones = false): Buffer[] {
  if (ones) return [...buf].map((x) => Buffer.from([x]));
  return splitAt(buf, points, { keepEmpty: true });
}

// ---- reference models: simple, per-line string code, obviously right ----

function refNormalize(s: string): string {
  return s.replace(/\r\n|\r|\n/g, '\r\n');
}

function refStuff(s: string): string {
  const n = refNormalize(s);
  const stuffed = n.replace(/(^|\r\n)\./g, '$1..');
  if (n === '') return '.\r\n';
  return stuffed + (n.endsWith('\r\n') ? '.\r\n' : '\r\n.\r\n');
}

type RefDecoded = { body: string; done: boolean; rest: string } | 'error';

function refDecode(s: string, strict: boolean): RefDecoded {
  let body = '';
  let pos = 0;
  const eol = strict ? '\r\n' : '\n';
  for (;;) {
    const j = s.indexOf(eol, pos);
    const line = j === -1 ? s.slice(pos) : s.slice(pos, j);
    if (strict) {
      // A CR as the very last byte may still get its LF.
      const inner = j === -1 && line.endsWith('\r') ? line.slice(0, -1) : line;
      if (/[\r\n]/.test(inner)) return 'error';
    }
    if (j === -1) {
      if (line !== '.' && line !== '.\r') body += line.startsWith('.') ? line.slice(1) : line;
      return { body, done: false, rest: '' };
    }
    if (line === '.' || (!strict && line === '.\r')) return { body, done: true, rest: s.slice(j + eol.length) };
    body += (line.startsWith('.') ? line.slice(1) : line) + eol;
    pos = j + eol.length;
  }
}

function encode(chunks: Buffer[]): string {
  const enc = new DotStuffer();
  const out = chunks.map((c) => enc.push(c));
  out.push(enc.end());
  return latin1(Buffer.concat(out));
}

function normalizeChunks(chunks: Buffer[]): string {
  const enc = new LineEndingNormalizer();
  const out = chunks.map((c) => enc.push(c));
  out.push(enc.end());
  expect(enc.bytesOut).toBe(Buffer.concat(out).length);
  return latin1(Buffer.concat(out));
}

function decode(chunks: Buffer[], strict: boolean): RefDecoded {
  const dec = new DotUnstuffer({ strict });
  const body: Buffer[] = [];
  const rest: Buffer[] = [];
  let done = false;
  try {
    for (const c of chunks) {
      const r = dec.push(c);
      body.push(...r.chunks);
      rest.push(r.rest);
      done ||= r.done;
    }
  } catch (e) {
    if (!MailError.hasCode(e, 'MAIL_PROTOCOL')) throw e;
    return 'error';
  }
  return { body: latin1(Buffer.concat(body)), done, rest: latin1(Buffer.concat(rest)) };
}

describe('dot-stuffing properties', () => {
  it('encoder: matches the reference model for every chunking, 1-byte chunks included', () => {
    fc.assert(
      fc.property(body, cuts, fc.boolean(), (input, points, ones) => {
        expect(encode(split(input, points, ones))).toBe(refStuff(latin1(input)));
      }),
      { numRuns: runs },
    );
  });

  it('normaliser: matches the reference model for every chunking', () => {
    fc.assert(
      fc.property(body, cuts, fc.boolean(), (input, points, ones) => {
        expect(normalizeChunks(split(input, points, ones))).toBe(refNormalize(latin1(input)));
      }),
      { numRuns: runs },
    );
  });

  it('encoder output: no bare CR or LF, no line that is a lone dot or starts with an unstuffed dot', () => {
    fc.assert(
      fc.property(body, cuts, (input, points) => {
        const out = encode(split(input, points));
        expect(out.endsWith('.\r\n')).toBe(true);
        const lines = out.slice(0, -3).split('\r\n');
        expect(lines.pop()).toBe(''); // the body part ends with CRLF (or is empty)
        for (const line of lines) {
          expect(line).not.toMatch(/[\r\n]/);
          if (line.startsWith('.')) expect(line.startsWith('..')).toBe(true);
        }
        const original = refNormalize(latin1(input)).split('\r\n');
        // Each dot-led line gained exactly one dot, so no line is a lone "." before the end.
        lines.forEach((line, i) => expect(line).toBe((original[i]!.startsWith('.') ? '.' : '') + original[i]));
      }),
      { numRuns: runs },
    );
  });

  it('unstuff(stuff(x)) is normalize(x) plus a final CRLF when missing, in both modes, ending exactly at the end', () => {
    fc.assert(
      fc.property(body, cuts, cuts, fc.boolean(), (input, p1, p2, strict) => {
        const wire = Buffer.from(encode(split(input, p1)), 'latin1');
        const n = refNormalize(latin1(input));
        const expected = n === '' || n.endsWith('\r\n') ? n : n + '\r\n';
        expect(decode(split(wire, p2), strict)).toEqual({ body: expected, done: true, rest: '' });
      }),
      { numRuns: runs },
    );
  });

  it('decoder: matches the reference model for every chunking; throws only MailError MAIL_PROTOCOL, only when strict', () => {
    fc.assert(
      fc.property(body, cuts, fc.boolean(), fc.boolean(), (input, points, ones, strict) => {
        const got = decode(split(input, points, ones), strict);
        expect(got).toEqual(refDecode(latin1(input), strict));
        if (!strict) expect(got).not.toBe('error');
      }),
      { numRuns: runs },
    );
  });

  it('decoder: the terminator is found wherever the network splits it, and the rest is kept', () => {
    fc.assert(
      fc.property(body, body, cuts, fc.boolean(), (content, after, points, strict) => {
        const wire = Buffer.concat([Buffer.from(encode([content]), 'latin1'), after]);
        const got = decode(split(wire, points), strict);
        expect(got).not.toBe('error');
        if (got === 'error') return;
        expect(got.done).toBe(true);
        expect(got.rest).toBe(latin1(after));
      }),
      { numRuns: runs },
    );
  });

  it('smuggling shapes inside content never end the data early', () => {
    const shape = fc.constantFrom('\n.\n', '\r.\r', '\r\n.\n', '\n.\r\n', '\r.\r\n', '\r\n.\r\n');
    fc.assert(
      fc.property(body, shape, body, fc.constantFrom('MAIL FROM:<x@y>\r\n', ''), (pre, s, post, cmd) => {
        const input = Buffer.concat([pre, Buffer.from(s + cmd, 'latin1'), post]);
        const wire = encode([input]);
        // The only end-of-data in the encoded stream is the final one.
        const first = ('\r\n' + wire).indexOf('\r\n.\r\n');
        expect(first).toBe(wire.length + 2 - 5);
        expect(decode([Buffer.from(wire, 'latin1')], true)).toMatchObject({ done: true, rest: '' });
      }),
      { numRuns: runs },
    );
  });

  it('inspector: same figures for every chunking, equal to the reference', () => {
    fc.assert(
      fc.property(body, cuts, fc.boolean(), (input, points, ones) => {
        const ins = new BodyInspector();
        for (const c of split(input, points, ones)) ins.push(c);
        const info = ins.end();
        const s = latin1(input);
        const n = refNormalize(s);
        expect(info).toEqual({
          size: n.length,
          has8bit: /[\x80-\xff]/.test(s),
          hasNul: s.includes('\0'),
          maxLineLength: Math.max(...n.split('\r\n').map((l) => l.length)),
          endsWithLineBreak: n === '' || n.endsWith('\r\n'),
          bareLineEndings: (s.match(/\r(?!\n)|(?<!\r)\n/g) ?? []).length,
        });
      }),
      { numRuns: runs },
    );
  });

  it('inspecting encoders: one pass gives the figures BodyInspector gives for the content as sent', () => {
    fc.assert(
      fc.property(body, cuts, fc.boolean(), fc.boolean(), (input, points, ones, stuff) => {
        const enc = stuff ? new DotStuffer({ inspect: true }) : new LineEndingNormalizer({ finalNewline: true, inspect: true });
        const s = latin1(input);
        const n = refNormalize(s);
        const sent = n === '' || n.endsWith('\r\n') ? n : `${n}\r\n`;
        const out: Buffer[] = [];
        for (const c of split(input, points, ones)) {
          out.push(...(stuff ? enc.pushParts(c) : [enc.push(c)]));
          // While streaming, `size` is a lower bound of the final size (RFC 1870 checks never miss).
          expect(enc.info!.size).toBeLessThanOrEqual(sent.length);
        }
        out.push(enc.end());
        const ref = new BodyInspector().push(Buffer.from(sent, 'latin1')).end();
        expect(enc.info).toEqual({ ...ref, bareLineEndings: (s.match(/\r(?!\n)|(?<!\r)\n/g) ?? []).length });
        expect(latin1(Buffer.concat(out))).toBe(stuff ? refStuff(s) : sent);
      }),
      { numRuns: runs },
    );
  });

  it('encoders without inspect report no figures', () => {
    expect(new DotStuffer().info).toBeUndefined();
    expect(new LineEndingNormalizer().info).toBeUndefined();
  });
});
