import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitAt } from '@mail/test-servers';
import { ReplyAssembler, ReplyParser, describeReply, formatReply, makeReply, parseEnhancedStatus, parseQueueId, type Reply } from './reply.js';
import { SMTPProtocolError } from './errors.js';

const runs = Number(process.env.FUZZ_RUNS ?? 300);

describe('ReplyParser', () => {
  it.each([
    ['220 mx.example ESMTP\r\n', 220, ['mx.example ESMTP'], undefined, 'mx.example ESMTP'],
    ['250-a\r\n250-b\r\n250 c\r\n', 250, ['a', 'b', 'c'], undefined, 'a\nb\nc'],
    ['550 5.1.1 User unknown\r\n', 550, ['5.1.1 User unknown'], '5.1.1', 'User unknown'],
    ['550-5.1.1 one\r\n550 5.1.1 two\r\n', 550, ['5.1.1 one', '5.1.1 two'], '5.1.1', 'one\ntwo'],
    ['250\r\n', 250, [''], undefined, ''],
    ['250 \r\n', 250, [''], undefined, ''],
    ['250-\r\n250 x\n', 250, ['', 'x'], undefined, '\nx'],
    // Class digit must match the reply code's first digit (RFC 2034 §4).
    ['250 5.1.1 odd\r\n', 250, ['5.1.1 odd'], undefined, '5.1.1 odd'],
    ['421 4.3.2 Shutting down\r\n', 421, ['4.3.2 Shutting down'], '4.3.2', 'Shutting down'],
    ['250 2.0.0\r\n', 250, ['2.0.0'], '2.0.0', ''],
  ])('%j', (wire, code, lines, status, text) => {
    const replies = new ReplyParser().push(wire);
    expect(replies).toEqual([{ code, lines, enhancedStatus: status, text }]);
  });

  it('returns several replies from one chunk, in order', () => {
    const replies = new ReplyParser().push('250 ok\r\n550 5.1.1 no\r\n354 go\r\n');
    expect(replies.map((r) => r.code)).toEqual([250, 550, 354]);
  });

  it.each([
    ['250-a\r\n251 b\r\n', /changed code from 250 to 251/],
    ['25 short\r\n', /malformed/],
    ['hello\r\n', /malformed/],
    ['250x\r\n', /malformed/],
    ['150 not smtp\r\n', /malformed/],
  ])('rejects %j with MAIL_PROTOCOL', (wire, message) => {
    const parser = new ReplyParser();
    let error: unknown;
    try { parser.push(wire); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(SMTPProtocolError);
    expect((error as SMTPProtocolError).code).toBe('MAIL_PROTOCOL');
    expect((error as Error).message).toMatch(message);
  });

  it('bounds line length and reply size', () => {
    expect(() => new ReplyParser({ maxLineLength: 10 }).push('250 this is too long\r\n')).toThrow(/longer than 10/);
    expect(() => new ReplyParser({ maxLineLength: 10 }).push('250 this is too long')).toThrow(/longer than 10/);
    const many = '250-x\r\n'.repeat(5) + '250 x\r\n';
    expect(() => new ReplyParser({ maxLines: 3 }).push(many)).toThrow(expect.objectContaining({ code: 'MAIL_RESPONSE_TOO_LARGE' }));
  });

  it('gives the same result for every chunking of the input (property)', () => {
    const line = fc.tuple(fc.constantFrom(220, 250, 354, 421, 550), fc.stringMatching(/^[ -~]{0,20}$/));
    const reply = fc.array(line, { minLength: 1, maxLength: 4 }).map((ls) => {
      const code = ls[0]![0];
      return ls.map(([, t], i) => `${code}${i === ls.length - 1 ? ' ' : '-'}${t}\r\n`).join('');
    });
    fc.assert(
      fc.property(fc.array(reply, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (replies, cuts) => {
        const wire = Buffer.from(replies.join(''));
        const whole = new ReplyParser().push(wire);
        const parser = new ReplyParser();
        const pieces: Reply[] = [];
        for (const chunk of splitAt(wire, cuts, { keepEmpty: true })) pieces.push(...parser.push(chunk));
        expect(pieces).toEqual(whole);
        expect(whole).toHaveLength(replies.length);
        expect(parser.pending).toBe(false);
      }),
      { numRuns: runs },
    );
  });

  it('throws nothing but SMTPProtocolError on arbitrary bytes, for any chunking (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 300 }), (bytes, cut) => {
        const outcome = (chunks: Uint8Array[]): unknown => {
          const parser = new ReplyParser({ maxLineLength: 100 });
          const out: Reply[] = [];
          try {
            for (const c of chunks) out.push(...parser.push(c));
            return out;
          } catch (e) {
            expect(e).toBeInstanceOf(SMTPProtocolError);
            return 'error';
          }
        };
        const whole = outcome([bytes]);
        const split = outcome([bytes.subarray(0, cut), bytes.subarray(cut)]);
        expect(split).toEqual(whole);
      }),
      { numRuns: runs },
    );
  });
});

// The regular expressions the hand-written checks replaced (RFC 5321 §4.2, RFC 3463 §2).
const LINE = /^([2-5]\d\d)(?:([ -])([\s\S]*))?$/;
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?= |$)/;

/** The assembler's former implementation, kept as the reference for the property below. */
function reference(lines: string[]): Array<Reply | 'error' | undefined> {
  let pending: string[] = [];
  let code = 0;
  return lines.map((line) => {
    const m = LINE.exec(line);
    if (!m) return 'error';
    const c = Number(m[1]);
    if (pending.length > 0 && c !== code) {
      pending = [];
      return 'error';
    }
    code = c;
    pending.push(m[3] ?? '');
    if (m[2] === '-') return undefined;
    let enhancedStatus: string | undefined;
    const stripped = pending.map((l) => {
      const e = ENHANCED.exec(l);
      if (!e || Number(e[1]) !== Math.floor(c / 100)) return l;
      enhancedStatus ??= `${e[1]}.${Number(e[2])}.${Number(e[3])}`;
      return l.replace(ENHANCED, '').replace(/^ /, '');
    });
    const reply = { code: c, enhancedStatus, lines: pending, text: stripped.join('\n') };
    pending = [];
    return reply;
  });
}

describe('ReplyAssembler', () => {
  it('accepts, splits and strips exactly what the reply grammar regexes did (property)', () => {
    const digit = fc.constantFrom(...'0123456789x. -'.split(''));
    const status = fc.tuple(fc.constantFrom('2', '4', '5', '3', '22'), fc.array(digit, { maxLength: 5 }), fc.constantFrom('.', ''), fc.array(digit, { maxLength: 5 }))
      .map(([a, b, dot, c]) => `${a}.${b.join('')}${dot}${c.join('')}`);
    const text = fc.oneof(fc.string({ maxLength: 12 }), status, fc.tuple(status, fc.string({ maxLength: 6 })).map(([s, t]) => `${s} ${t}`));
    const line = fc.tuple(fc.constantFrom('250', '550', '421', '354', '199', '25', '2x0', '٣50', '250'), fc.constantFrom(' ', '-', '', 'x', '\t'), text)
      .map(([c, sep, t]) => `${c}${sep}${sep === '' ? '' : t}`);
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (lines) => {
        const a = new ReplyAssembler();
        const got = lines.map((l) => {
          try {
            return a.push(l);
          } catch (e) {
            expect(e).toBeInstanceOf(SMTPProtocolError);
            return 'error' as const;
          }
        });
        expect(got).toEqual(reference(lines));
      }),
      { numRuns: runs * 3 },
    );
  });

  it('applies maxLines and maxSize to single-line replies too', () => {
    expect(() => new ReplyAssembler({ maxLines: 0 }).push('250 ok')).toThrow(expect.objectContaining({ code: 'MAIL_RESPONSE_TOO_LARGE' }));
    expect(() => new ReplyAssembler({ maxSize: 5 }).push('250 too long')).toThrow(expect.objectContaining({ code: 'MAIL_RESPONSE_TOO_LARGE' }));
    expect(new ReplyAssembler({ maxSize: 6 }).push('250 ok')?.text).toBe('ok');
  });

  it('resets after an inconsistent reply so the next one parses', () => {
    const a = new ReplyAssembler();
    a.push('250-a');
    expect(() => a.push('550 b')).toThrow(SMTPProtocolError);
    expect(a.pending).toBe(false);
    expect(a.push('250 ok')?.code).toBe(250);
  });
});

describe('helpers', () => {
  it('formats replies for the wire and round-trips them', () => {
    expect(formatReply(250, ['mx', 'PIPELINING', 'SIZE 10'])).toBe('250-mx\r\n250-PIPELINING\r\n250 SIZE 10\r\n');
    expect(formatReply(550, 'User unknown', '5.1.1')).toBe('550 5.1.1 User unknown\r\n');
    expect(formatReply(250, '')).toBe('250\r\n');
    expect(() => formatReply(250, 'a\r\nb')).toThrow(/CR, LF/);
    expect(() => formatReply(199, 'x')).toThrow(/2xx-5xx/);
    expect(new ReplyParser().push(formatReply(550, ['a', 'b'], '5.7.1'))).toEqual([makeReply(550, ['5.7.1 a', '5.7.1 b'])]);
  });

  it('describes a reply in one escaped line', () => {
    expect(describeReply(makeReply(550, ['5.1.1 User unknown']))).toBe('550 5.1.1 User unknown');
    expect(describeReply(makeReply(554, ['a', 'b\x1b[31m']))).toBe('554 a / b\\x1b[31m');
  });

  it('parses enhanced status codes with numeric normalisation', () => {
    expect(parseEnhancedStatus(550, '5.001.01 x')).toBe('5.1.1');
    expect(parseEnhancedStatus(550, '5.1.1234 x')).toBeUndefined();
    expect(parseEnhancedStatus(250, '2.0.0Ok')).toBeUndefined();
    expect(parseEnhancedStatus(250, '2.0.0')).toBe('2.0.0');
    expect(parseEnhancedStatus(354, '3.0.0 go')).toBeUndefined();
    expect(parseEnhancedStatus(550, '5..1 x')).toBeUndefined();
    expect(parseEnhancedStatus(550, '5.1234.1 x')).toBeUndefined();
  });

  it.each([
    ['2.0.0 Ok: queued as 4XkT1b2cZ9z5', '4XkT1b2cZ9z5'],
    ['OK id=1rAbcD-0001aB-2x', '1rAbcD-0001aB-2x'],
    ['2.0.0 3AQGt1x0012345 Message accepted for delivery', '3AQGt1x0012345'],
    ['2.0.0 OK  1700000000 d9443c01a7336-abc123.45 - gsmtp', 'd9443c01a7336-abc123.45'],
    ['Message accepted for delivery', undefined],
  ])('queue id of %j', (line, id) => {
    expect(parseQueueId(makeReply(250, [line]))).toBe(id);
  });
});
