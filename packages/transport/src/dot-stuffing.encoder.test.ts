import { describe, expect, it } from 'vitest';
import { chunkings } from '@mail/test-servers';
import { DotStuffer, LineEndingNormalizer } from './dot-stuffing.js';
import { MailError } from './errors.js';

const b = (s: string) => Buffer.from(s, 'latin1');

function stuff(chunks: string[]): string {
  const enc = new DotStuffer();
  const out = chunks.map((c) => enc.push(b(c)));
  out.push(enc.end());
  return Buffer.concat(out).toString('latin1');
}

function norm(chunks: string[], finalNewline = false): string {
  const enc = new LineEndingNormalizer({ finalNewline });
  const out = chunks.map((c) => enc.push(b(c)));
  out.push(enc.end());
  return Buffer.concat(out).toString('latin1');
}

describe('DotStuffer', () => {
  // [input, DATA output] — RFC 5321 §4.5.2 transparency, §2.3.8 line endings.
  const table: Array<[string, string]> = [
    ['', '.\r\n'],
    ['a', 'a\r\n.\r\n'],
    ['a\r\n', 'a\r\n.\r\n'],
    ['a\n', 'a\r\n.\r\n'],
    ['a\r', 'a\r\n.\r\n'],
    ['\n', '\r\n.\r\n'],
    ['\r', '\r\n.\r\n'],
    ['\r\n\r\n', '\r\n\r\n.\r\n'],
    ['\n\r', '\r\n\r\n.\r\n'],
    ['\r\r\n', '\r\n\r\n.\r\n'],
    ['.', '..\r\n.\r\n'],
    ['.\r\n', '..\r\n.\r\n'],
    ['..', '...\r\n.\r\n'],
    ['a.b\r\n.c\r\n', 'a.b\r\n..c\r\n.\r\n'],
    ['x\n.\ny', 'x\r\n..\r\ny\r\n.\r\n'],
    ['x\r.\ry', 'x\r\n..\r\ny\r\n.\r\n'],
    ['x\r\n.\ny', 'x\r\n..\r\ny\r\n.\r\n'],
    ['x\n.\r\ny', 'x\r\n..\r\ny\r\n.\r\n'],
    ['x\r.\r\ny', 'x\r\n..\r\ny\r\n.\r\n'],
    ['x\r\n.\r\ny', 'x\r\n..\r\ny\r\n.\r\n'],
    ['a\r\n\r\n.\r\n', 'a\r\n\r\n..\r\n.\r\n'],
    [' .x', ' .x\r\n.\r\n'],
    ['\0\xff\r\n', '\0\xff\r\n.\r\n'],
  ];

  it.each(table)('encodes %j for every chunking', (input, expected) => {
    for (const chunks of chunkings(input)) expect(stuff(chunks), JSON.stringify(chunks)).toBe(expected);
  });

  it('passes an unchanged chunk through as a view of the input (no copy)', () => {
    const enc = new DotStuffer();
    const input = b('Subject: hi\r\n\r\nbody\r\n');
    const out = enc.push(input);
    expect(out.buffer).toBe(input.buffer);
    expect(out.toString('latin1')).toBe('Subject: hi\r\n\r\nbody\r\n');
  });

  it('accepts a plain Uint8Array', () => {
    const enc = new DotStuffer();
    const out = Buffer.concat([enc.push(new TextEncoder().encode('.a\nb')), enc.end()]);
    expect(out.toString('latin1')).toBe('..a\r\nb\r\n.\r\n');
  });

  it('counts bytes, line lengths and rewritten line endings', () => {
    const enc = new DotStuffer();
    enc.push(b('.abc\nde\r'));
    enc.push(b('\nfghij\r'));
    enc.push(b('x'));
    enc.end();
    expect(enc.bytesIn).toBe(16);
    // "..abc\r\nde\r\nfghij\r\nx" + "\r\n.\r\n"
    expect(enc.bytesOut).toBe(Buffer.byteLength('..abc\r\nde\r\nfghij\r\nx\r\n.\r\n'));
    expect(enc.maxLineLength).toBe(5);
    expect(enc.bareLineEndings).toBe(2);
  });

  it('counts a CR that ends the input as bare', () => {
    const enc = new DotStuffer();
    enc.push(b('a\r'));
    expect(enc.end().toString('latin1')).toBe('.\r\n');
    expect(enc.bareLineEndings).toBe(1);
  });

  it('refuses push() after end() and a second end() with MAIL_INVALID_ARGUMENT', () => {
    const enc = new DotStuffer();
    enc.end();
    expect(() => enc.push(b('x'))).toThrow(MailError);
    expect(() => enc.end()).toThrow(/called twice/);
    try {
      enc.push(b('x'));
    } catch (e) {
      expect(MailError.hasCode(e, 'MAIL_INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('LineEndingNormalizer', () => {
  const table: Array<[string, string]> = [
    ['', ''],
    ['a', 'a'],
    ['.a\n.b', '.a\r\n.b'],
    ['a\rb\nc\r\nd', 'a\r\nb\r\nc\r\nd'],
    ['\r', '\r\n'],
    ['\r\n.\r\n', '\r\n.\r\n'],
  ];
  it.each(table)('normalises %j for every chunking, without stuffing or terminator', (input, expected) => {
    for (const chunks of chunkings(input)) expect(norm(chunks), JSON.stringify(chunks)).toBe(expected);
  });

  it('adds a final CRLF only when asked and only when the last line is unfinished', () => {
    expect(norm(['a'], true)).toBe('a\r\n');
    expect(norm(['a\n'], true)).toBe('a\r\n');
    expect(norm([''], true)).toBe('');
    expect(norm(['a'], false)).toBe('a');
  });

  it('reports the running byte count a BDAT command needs', () => {
    const enc = new LineEndingNormalizer();
    const first = enc.push(b('a\nb\n'));
    expect(enc.bytesOut).toBe(first.length);
    expect(enc.bytesOut).toBe(6);
    enc.push(b('c'));
    enc.end();
    expect(enc.bytesOut).toBe(7);
  });
});
