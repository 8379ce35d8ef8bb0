import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { planBody, prepareBody, prepareWhole, rawChunks, streamViolation } from './body.js';
import { Recycler } from './data.js';
import { parseEhlo } from './protocol/ehlo.js';
import { makeReply } from './protocol/reply.js';

const caps = (...keywords: string[]) => parseEhlo(makeReply(250, ['mx', ...keywords]));

describe('prepareWhole / prepareBody', () => {
  it('normalises line endings, adds a final CRLF and inspects', () => {
    const body = prepareWhole('a\nb\rc');
    expect(Buffer.concat(body.head).toString()).toBe('a\r\nb\r\nc\r\n');
    expect(body.complete).toBe(true);
    expect(body.inspector.info).toMatchObject({ size: 9, has8bit: false, hasNul: false, maxLineLength: 1 });
  });

  it('reads a stream up to the look-ahead and leaves the rest', async () => {
    const body = await prepareBody(Readable.from(Array.from({ length: 10 }, () => 'x'.repeat(99) + '\n')), 300);
    expect(body.complete).toBe(false);
    expect(body.head.reduce((n, b) => n + b.length, 0)).toBeGreaterThanOrEqual(300);
    const small = await prepareBody(Readable.from(['Subject: é\n', '\nbody']));
    expect(small.complete).toBe(true);
    expect(small.headers8bit).toBe(true);
    expect(Buffer.concat(small.head).toString()).toBe('Subject: é\r\n\r\nbody\r\n');
  });

  it('finds 8-bit only in the header section for headers8bit', () => {
    expect(prepareWhole('Subject: x\r\n\r\ncafé').headers8bit).toBe(false);
    expect(prepareWhole('Subject: café\r\n\r\nx').headers8bit).toBe(true);
  });
});

describe('planBody (SECURITY.md promise 3)', () => {
  it.each([
    ['7-bit text', 'hello', ['PIPELINING'], { body: '7BIT', bdat: false }],
    ['8-bit with 8BITMIME', 'café', ['8BITMIME'], { body: '8BITMIME', bdat: false }],
    ['8-bit with only SMTPUTF8', 'café', ['SMTPUTF8'], { body: '7BIT', bdat: false }],
    ['BDAT when CHUNKING', 'hello', ['CHUNKING'], { body: '7BIT', bdat: true }],
    ['NUL with BINARYMIME', 'a\0b', ['CHUNKING', 'BINARYMIME'], { body: 'BINARYMIME', bdat: true }],
    ['long line with BINARYMIME', 'x'.repeat(2000), ['CHUNKING', 'BINARYMIME'], { body: 'BINARYMIME', bdat: true }],
  ] as const)('%s', (_n, text, kw, plan) => {
    expect(planBody(prepareWhole(text), caps(...kw), {})).toEqual(plan);
  });

  it.each([
    ['NUL without BINARYMIME', 'a\0b', ['8BITMIME', 'CHUNKING'], /NUL/],
    ['999-octet line', 'x'.repeat(999), ['8BITMIME'], /999 octets/],
    ['8-bit without 8BITMIME', 'café', [], /8-bit/],
  ])('refuses %s', (_n, text, kw, message) => {
    expect(() => planBody(prepareWhole(text), caps(...kw), {})).toThrow(expect.objectContaining({ code: 'SMTP_MESSAGE', message: expect.stringMatching(message) }));
  });

  it('998 octets is still fine (RFC 5321 §4.5.3.1.6)', () => {
    expect(planBody(prepareWhole('x'.repeat(998)), caps(), {}).body).toBe('7BIT');
  });

  it('honours the caller: no chunking, forced BINARYMIME', () => {
    expect(planBody(prepareWhole('x'), caps('CHUNKING'), { chunking: false }).bdat).toBe(false);
    expect(() => planBody(prepareWhole('x'), caps('CHUNKING'), { body: 'BINARYMIME' })).toThrow(expect.objectContaining({ code: 'SMTP_NOT_SUPPORTED' }));
  });

  it('flags a streamed tail that breaks the plan', () => {
    const info = { size: 10, has8bit: true, hasNul: false, maxLineLength: 5, endsWithLineBreak: true, bareLineEndings: 0 };
    expect(streamViolation(info, { body: '7BIT', bdat: false }, undefined)).toMatch(/8-bit/);
    expect(streamViolation(info, { body: '8BITMIME', bdat: false }, 5)).toMatch(/SIZE limit of 5/);
    expect(streamViolation({ ...info, hasNul: true }, { body: 'BINARYMIME', bdat: true }, undefined)).toBeUndefined();
  });
});

describe('streamed bodies: raw chunks, recycled only once written', () => {
  it('keeps the raw chunks of a body longer than the look-ahead, and hands them all out once', async () => {
    const chunks = ['a\n', '.b\r', '\nc', 'd'.repeat(10)];
    const body = await prepareBody(Readable.from(chunks), 3);
    expect(body.complete).toBe(false);
    expect(Buffer.concat(body.head).toString()).toBe('a\n.b\r');
    expect(body.inspector.info.maxLineLength).toBe(2);
    const all: string[] = [];
    for await (const chunk of rawChunks(body)) all.push(chunk.toString());
    expect(all.join('')).toBe(chunks.join(''));
  });

  it('Recycler hands chunks back only when the socket holds no unwritten byte', () => {
    const back: Buffer[] = [];
    const a = Buffer.from('a');
    const b = Buffer.from('b');
    const recycler = new Recycler({ head: [], rest: undefined, complete: false, inspector: { info: prepareWhole('').inspector.info }, headers8bit: false, recycle: (c) => back.push(c) });
    recycler.written(a, 10);
    expect(back).toEqual([]);
    recycler.written(b, 0);
    expect(back).toEqual([a, b]);
    recycler.written(undefined, 0);
    expect(back).toHaveLength(2);
  });
});
