import { describe, expect, it } from 'vitest';
import { prepareWhole } from './body.js';
import { EnvelopeMemo } from './envelope-memo.js';
import { AddressCache, normalizeAddresses, planEnvelope } from './envelope.js';
import { parseEhlo } from './protocol/ehlo.js';
import { makeReply } from './protocol/reply.js';
import type { SendMailOptions } from './result.js';

const ehlo = (...keywords: string[]) => parseEhlo(makeReply(250, ['mx.example.test', ...keywords]));
const capsA = ehlo('PIPELINING', '8BITMIME', 'SIZE 100000', 'DSN', 'SMTPUTF8');
const capsB = ehlo('PIPELINING', 'SIZE 3000');
const capsC = ehlo('PIPELINING', '8BITMIME', 'CHUNKING');

const text = 'Subject: x\r\n\r\nhello\r\n';
const bodies = [text, `${text}more text\r\n`, 'Subject: x\r\n\r\nh\u00e9llo\r\n', 'Subject: h\u00e9\r\n\r\nhi\r\n', `Subject: x\r\n\r\n${'y'.repeat(1200)}\r\n`, `Subject: x\r\n\r\n${'z'.repeat(4000)}\r\n`, `Subject: x\r\n\r\n${'w'.repeat(70).concat('\r\n').repeat(60)}`, 'Subject: x\r\n\r\nnul\u0000\r\n'];
const options: SendMailOptions[] = [
  { from: 'a@example.test', to: ['b@example.test'], message: '' },
  { from: 'a@example.test', to: 'b@example.test', message: '' },
  { from: 'a@example.test', to: ['b@example.test', 'c@example.test'], message: '' },
  { from: 'other@example.test', to: ['b@example.test'], message: '' },
  { from: '', to: ['b@example.test'], message: '' },
  { from: 'a@example.test', to: ['\u00fc@example.test'], message: '' },
  { from: 'a@example.test', to: [{ address: 'b@example.test', notify: ['FAILURE'] }], message: '' },
  { from: 'a@example.test', to: ['b@example.test'], message: '', dsn: { ret: 'HDRS', onUnsupported: 'omit' } },
  { from: 'a@example.test', to: ['b@example.test'], message: '', mailParams: { 'X-TEST': 'yes' } },
  { from: 'a@example.test', to: ['b@example.test'], message: '', smtputf8: false },
  { from: 'a@example.test', to: ['b@example.test'], message: '', body: '8BITMIME' },
  { from: 'a@example.test', to: ['b@example.test'], message: '', requireTLS: true },
];

/** What planning gave: the plan, or the error it threw. */
function outcome(plan: () => unknown): unknown {
  try {
    return { plan: plan() };
  } catch (error) {
    return { error: String(error) };
  }
}

describe('EnvelopeMemo', () => {
  it('gives exactly what planning afresh gives, whatever the sequence of calls', () => {
    const memo = new EnvelopeMemo();
    const cache = new AddressCache();
    let compared = 0;
    // A fixed pseudo-random walk through the cases, with repeats (where the memo is used).
    let seed = 7;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const repeat = seed % 3 === 0;
      const o = options[repeat ? 0 : seed % options.length]!;
      const body = prepareWhole(bodies[repeat ? 0 : (seed >> 4) % bodies.length]!);
      const caps = [capsA, capsB, capsC][(seed >> 8) % 3]!;
      const session = { secure: (seed >> 10) % 2 === 0, chunking: (seed >> 11) % 4 !== 0 };
      const addresses = normalizeAddresses(o, cache);
      expect(outcome(() => memo.plan(o, addresses, body, caps, session))).toEqual(outcome(() => planEnvelope(o, addresses, body, caps, session)));
      compared++;
    }
    expect(compared).toBe(3000);
  });

  it('reuses the last plain plan, and plans again when the size, a recipient or the capabilities change', () => {
    const memo = new EnvelopeMemo();
    const cache = new AddressCache();
    const session = { secure: false, chunking: true };
    const o: SendMailOptions = { from: 'a@example.test', to: ['b@example.test'], message: '' };
    const first = memo.plan(o, normalizeAddresses(o, cache), prepareWhole(text), capsA, session);
    const again = memo.plan(o, normalizeAddresses(o, cache), prepareWhole(text), capsA, session);
    expect(again.mailLine).toBe(first.mailLine);
    expect(again.recipients).toBe(first.recipients); // the remembered lines, not formatted again
    expect(first.mailLine).toBe(`MAIL FROM:<a@example.test> SIZE=${Buffer.byteLength(text)}`);

    const longer = memo.plan(o, normalizeAddresses(o, cache), prepareWhole(`${text}x\r\n`), capsA, session);
    expect(longer.mailLine).toBe(`MAIL FROM:<a@example.test> SIZE=${Buffer.byteLength(text) + 3}`);
    const o2: SendMailOptions = { ...o, to: ['c@example.test'] };
    expect(memo.plan(o2, normalizeAddresses(o2, cache), prepareWhole(text), capsA, session).recipients).toEqual([{ address: 'c@example.test', line: 'RCPT TO:<c@example.test>' }]);
    expect(memo.plan(o, normalizeAddresses(o, cache), prepareWhole(text), capsC, session).mailLine).toBe('MAIL FROM:<a@example.test>');
    // Same size, both 8-bit: only the header section's 8-bit octets differ (RFC 6532 needs SMTPUTF8).
    const inBody = prepareWhole('Subject: xx\r\n\r\nh\u00e9\r\n');
    const inHeaders = prepareWhole('Subject: x\u00e9\r\n\r\nhi\r\n');
    expect(inBody.inspector.info.size).toBe(inHeaders.inspector.info.size);
    expect(memo.plan(o, normalizeAddresses(o, cache), inBody, capsA, session).mailLine).not.toContain('SMTPUTF8');
    expect(memo.plan(o, normalizeAddresses(o, cache), inHeaders, capsA, session).mailLine).toContain('SMTPUTF8');
    expect(memo.plan(o, normalizeAddresses(o, cache), inBody, capsA, session).mailLine).not.toContain('SMTPUTF8');
    // Same size, 7-bit then 8-bit content: BODY=8BITMIME (RFC 6152) only for the second.
    const seven = prepareWhole('Subject: x\r\n\r\nhix\r\n');
    const eight = prepareWhole('Subject: x\r\n\r\nh\u00e9\r\n');
    expect(memo.plan(o, normalizeAddresses(o, cache), seven, capsA, session).mailLine).not.toContain('BODY=');
    expect(memo.plan(o, normalizeAddresses(o, cache), eight, capsA, session).mailLine).toContain('BODY=8BITMIME');
    // Same everything but the recipient.
    expect(memo.plan(o, normalizeAddresses(o, cache), seven, capsA, session).recipients[0]!.address).toBe('b@example.test');
    expect(memo.plan(o2, normalizeAddresses(o2, cache), seven, capsA, session).recipients[0]!.address).toBe('c@example.test');
  });

  it('refuses on every call what planning refuses (a refusal is never remembered)', () => {
    const memo = new EnvelopeMemo();
    const cache = new AddressCache();
    const session = { secure: false, chunking: true };
    const o: SendMailOptions = { from: 'a@example.test', to: ['b@example.test'], message: '' };
    const big = prepareWhole(`Subject: x\r\n\r\n${'z'.repeat(70).concat('\r\n').repeat(60)}`);
    expect(memo.plan(o, normalizeAddresses(o, cache), prepareWhole(text), capsB, session).mailLine).toContain('SIZE=');
    for (let i = 0; i < 2; i++) expect(() => memo.plan(o, normalizeAddresses(o, cache), big, capsB, session)).toThrow(/SIZE limit/);
  });
});
