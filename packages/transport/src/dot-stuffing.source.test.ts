import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { describe, expect, it } from 'vitest';
import {
  BodyInspector,
  COALESCE_BYTES,
  MAX_TEXT_LINE_OCTETS,
  dotStuff,
  inspectBody,
  normalize,
  type BodySource,
} from './dot-stuffing.js';
import { MailError } from './errors.js';

async function collect(gen: AsyncGenerator<Buffer, unknown>): Promise<{ chunks: Buffer[]; text: string; returned: unknown }> {
  const chunks: Buffer[] = [];
  for (;;) {
    const r = await gen.next();
    if (r.done) return { chunks, text: Buffer.concat(chunks).toString('latin1'), returned: r.value };
    chunks.push(r.value);
  }
}

const text = '.a\nb\r\nc\r.d';
const expected = '..a\r\nb\r\nc\r\n..d\r\n.\r\n';

describe('dotStuff() sources', () => {
  const sources: Array<[string, () => BodySource]> = [
    ['string', () => text],
    ['Buffer', () => Buffer.from(text)],
    ['Uint8Array', () => new TextEncoder().encode(text)],
    ['array of strings', () => text.split('')],
    ['array of bytes', () => [...Buffer.from(text)].map((x) => new Uint8Array([x]))],
    ['sync generator', () => (function* () { yield '.a\n'; yield Buffer.from('b\r'); yield '\nc\r'; yield '.d'; })()],
    ['async generator', () => (async function* () { yield '.a\n'; yield Buffer.from('b\r\nc\r.'); yield 'd'; })()],
    ['Node Readable', () => Readable.from([Buffer.from('.a\nb\r'), Buffer.from('\nc\r.d')])],
    ['Node Readable with encoding', () => Readable.from([Buffer.from(text)]).setEncoding('utf8')],
    ['web ReadableStream', () => new ReadableStream<Uint8Array>({
      start(c) { c.enqueue(Buffer.from('.a\nb')); c.enqueue(Buffer.from('\r\nc\r.d')); c.close(); },
    })],
    ['reader-only stream (no async iterator)', () => {
      const web = new ReadableStream<string>({ start(c) { c.enqueue('.a\nb\r\nc'); c.enqueue('\r.d'); c.close(); } });
      return { getReader: () => web.getReader() };
    }],
  ];

  it.each(sources)('encodes a %s', async (_name, make) => {
    expect((await collect(dotStuff(make()))).text).toBe(expected);
  });

  it('keeps a character split across string chunks intact (surrogate pair)', async () => {
    const emoji = '\u{1F600}';
    const got = await collect(dotStuff([emoji.slice(0, 1), emoji.slice(1) + '\n']));
    expect(Buffer.concat(got.chunks).toString('utf8')).toBe(`${emoji}\r\n.\r\n`);
  });

  it('refuses unsupported sources and chunk types with MAIL_INVALID_ARGUMENT', async () => {
    for (const bad of [42, null, {}, [1, 2]] as unknown as BodySource[]) {
      const err = await collect(dotStuff(bad)).catch((e: unknown) => e);
      expect(MailError.hasCode(err, 'MAIL_INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('cancels a web stream when the consumer stops early', async () => {
    let cancelled = false;
    const web = new ReadableStream<Uint8Array>({
      pull(c) { c.enqueue(Buffer.alloc(COALESCE_BYTES, 0x61)); },
      cancel() { cancelled = true; },
    });
    for await (const chunk of dotStuff({ getReader: () => web.getReader() })) {
      expect(chunk.length).toBeGreaterThanOrEqual(COALESCE_BYTES);
      break;
    }
    expect(cancelled).toBe(true);
  });
});

describe('dotStuff() output sizes', () => {
  it('coalesces many small input chunks into writes of at least 64 KiB', async () => {
    const line = 'x'.repeat(70) + '\n';
    const pieces = Array.from({ length: 4000 }, () => line); // LF input: every line is rewritten
    const { chunks, text: out } = await collect(dotStuff(pieces));
    expect(out).toBe(pieces.join('').replace(/\n/g, '\r\n') + '.\r\n');
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(COALESCE_BYTES);
    expect(chunks.length).toBeLessThanOrEqual(Math.ceil(out.length / COALESCE_BYTES));
  });

  it('slices a huge buffer instead of producing one giant output buffer', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 0x61);
    const { chunks } = await collect(dotStuff(big));
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(1024 * 1024 + 5);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(big.length + 5);
  });
});

describe('normalize()', () => {
  it('normalises line endings only, and returns the octet count', async () => {
    const got = await collect(normalize(['.a\n', 'b\r', '\nc\r']));
    expect(got.text).toBe('.a\r\nb\r\nc\r\n');
    expect(got.returned).toBe(got.text.length);
  });

  it('can add the final CRLF', async () => {
    expect((await collect(normalize('a\nb', { finalNewline: true }))).text).toBe('a\r\nb\r\n');
  });
});

describe('inspectBody() / BodyInspector', () => {
  const table: Array<[string, BodySource, Partial<Awaited<ReturnType<typeof inspectBody>>>]> = [
    ['empty', '', { size: 0, has8bit: false, hasNul: false, maxLineLength: 0, endsWithLineBreak: true }],
    ['ASCII with CRLF', 'ab\r\ncde\r\n', { size: 9, has8bit: false, maxLineLength: 3, endsWithLineBreak: true }],
    ['bare LF counted as CRLF in size', 'ab\ncde', { size: 7, maxLineLength: 3, endsWithLineBreak: false, bareLineEndings: 1 }],
    ['UTF-8 text is 8-bit', 'caf\u00e9\r\n', { has8bit: true, size: 7, maxLineLength: 5 }],
    ['NUL byte', Buffer.from('a\0b'), { hasNul: true, has8bit: false }],
    ['dots do not count', '.'.repeat(10), { maxLineLength: 10, size: 10 }],
  ];
  it.each(table)('%s', async (_name, source, want) => {
    expect(await inspectBody(source)).toMatchObject(want);
  });

  it('BodyInspector takes string chunks as UTF-8 and refuses pushes after end()', () => {
    const ins = new BodyInspector().push('\u00e9\n').push(Buffer.from('ab'));
    expect(ins.info).toMatchObject({ size: 6, has8bit: true, maxLineLength: 2, endsWithLineBreak: false });
    expect(ins.end()).toEqual(ins.info);
    expect(() => ins.push('x')).toThrow(MailError);
  });

  it(`measures lines longer than ${MAX_TEXT_LINE_OCTETS} octets across chunks`, async () => {
    const long = 'y'.repeat(MAX_TEXT_LINE_OCTETS + 1);
    const info = await inspectBody(['short\r\n', long.slice(0, 500), long.slice(500), '\r', '\nend']);
    expect(info.maxLineLength).toBe(MAX_TEXT_LINE_OCTETS + 1);
    expect(info.maxLineLength > MAX_TEXT_LINE_OCTETS).toBe(true);
  });
});
