// Property tests: no parser throws on arbitrary input, and every failure carries a code the
// client can throw as a MailError.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseStatusLine, formatResponse } from './status.js';
import { parseCapa } from './capa.js';
import { parseListLine, parseListing, parseStat, parseUidlLine } from './listing.js';
import { apopTimestamp } from './greeting.js';
import { parseCommandLine } from './commands.js';
import { parseChallenge } from './sasl.js';
import type { Parsed } from './result.js';

const runs = Number(process.env.FUZZ_RUNS ?? 500);
const CODES = new Set(['MAIL_PROTOCOL', 'MAIL_LINE_TOO_LONG']);

function wellFormed(r: Parsed<unknown> | undefined): boolean {
  return r === undefined || r.ok || (CODES.has(r.code) && typeof r.message === 'string');
}

// Lines biased towards the interesting prefixes.
const line = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.tuple(fc.constantFrom('+OK', '-ERR', '+', '+ ', '-ERR [', '1 ', 'SASL '), fc.string({ unit: 'binary', maxLength: 100 })).map(([a, b]) => a + b),
  fc.string({ maxLength: 3000 }),
);

describe('parsers never throw', () => {
  it('on arbitrary lines', () => {
    fc.assert(
      fc.property(line, (l) => {
        expect(wellFormed(parseStatusLine(l))).toBe(true);
        expect(wellFormed(parseStat(l))).toBe(true);
        expect(wellFormed(parseListLine(l))).toBe(true);
        expect(wellFormed(parseUidlLine(l))).toBe(true);
        expect(wellFormed(parseCommandLine(l))).toBe(true);
        expect(wellFormed(parseChallenge(l))).toBe(true);
        const ts = apopTimestamp(l);
        expect(ts === undefined || (ts.startsWith('<') && ts.endsWith('>'))).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it('on arbitrary multi-line responses', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        expect(wellFormed(parseCapa(lines))).toBe(true);
        expect(wellFormed(parseListing(lines, parseListLine))).toBe(true);
        expect(wellFormed(parseListing(lines, parseUidlLine))).toBe(true);
      }),
      { numRuns: runs },
    );
  });
});

describe('round trips', () => {
  it('formatResponse → parseStatusLine', () => {
    const level = fc.stringMatching(/^[A-Z0-9-]{1,8}$/);
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.option(fc.array(level, { minLength: 1, maxLength: 3 }).map((l) => l.join('/')), { nil: undefined }),
        fc.stringMatching(/^[^\r\n\0[]{0,60}$/).filter((t) => !t.startsWith(' ')),
        (ok, code, text) => {
          const parsed = parseStatusLine(formatResponse(ok, text, code));
          expect(parsed).toEqual({ ok: true, value: { ok, responseCode: code, text } });
        },
      ),
      { numRuns: runs },
    );
  });

  it('LIST and UIDL lines', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.nat(), fc.stringMatching(/^[\x21-\x7e]{1,70}$/), (msg, size, uid) => {
        expect(parseListLine(`${msg} ${size}`)).toEqual({ ok: true, value: { msg, size } });
        expect(parseUidlLine(`${msg} ${uid}`)).toEqual({ ok: true, value: { msg, uid } });
      }),
      { numRuns: runs },
    );
  });
});
