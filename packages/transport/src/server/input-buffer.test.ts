import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChannelError } from './channel-error.js';
import { InputBuffer } from './input-buffer.js';

function bufferOf(...chunks: string[]): InputBuffer {
  const input = new InputBuffer();
  for (const c of chunks) input.push(Buffer.from(c, 'latin1'));
  return input;
}

describe('InputBuffer.takeLine', () => {
  it('frames CRLF lines across chunk boundaries and waits for the rest', () => {
    const input = bufferOf('EHLO a', '.test\r', '\nNOOP');
    expect(input.takeLine(100)).toEqual({ text: 'EHLO a.test', bare: false });
    expect(input.takeLine(100)).toBeUndefined();
    expect(input.length).toBe(4);
  });

  it('marks a bare LF and a lone CR inside the line as bare (RFC 5321 §2.3.8)', () => {
    const input = bufferOf('RSET\nNO\rOP\r\n');
    expect(input.takeLine(100)).toEqual({ text: 'RSET', bare: true });
    expect(input.takeLine(100)).toEqual({ text: 'NO\rOP', bare: true });
  });

  it('consumes a complete overlong line before throwing, so the next line is intact', () => {
    const input = bufferOf(`${'x'.repeat(20)}\r\nQUIT\r\n`);
    expect(() => input.takeLine(10)).toThrow(ChannelError);
    expect(input.takeLine(10)).toEqual({ text: 'QUIT', bare: false });
  });

  it('throws line-too-long for an unterminated line already longer than the limit', () => {
    const input = bufferOf('y'.repeat(11));
    let reason: string | undefined;
    try {
      input.takeLine(10);
    } catch (error) {
      reason = (error as ChannelError).reason;
    }
    expect(reason).toBe('line-too-long');
    expect(input.length).toBe(11);
  });
});

describe('InputBuffer raw reads', () => {
  it('takeRawLine keeps the LF and cuts long lines into pieces of at most max bytes', () => {
    const input = bufferOf('abcdefg\r\nhi\n');
    expect(input.takeRawLine(4)?.toString()).toBe('abcd');
    expect(input.takeRawLine(4)?.toString()).toBe('efg\r');
    expect(input.takeRawLine(4)?.toString()).toBe('\n');
    expect(input.takeRawLine(4)?.toString()).toBe('hi\n');
    expect(input.takeRawLine(4)).toBeUndefined();
  });

  it('takeChunk returns at most max bytes and undefined when empty', () => {
    const input = bufferOf('12345');
    expect(input.takeChunk(3)?.toString()).toBe('123');
    expect(input.takeChunk(3)?.toString()).toBe('45');
    expect(input.takeChunk(3)).toBeUndefined();
  });

  it('clear drops everything and reports how much', () => {
    const input = bufferOf('STARTTLS\r\n', 'MAIL FROM:<x>\r\n');
    expect(input.takeLine(100)?.text).toBe('STARTTLS');
    expect(input.clear()).toBe(15);
    expect(input.length).toBe(0);
  });

  it('takeRawLine pieces reassemble the input exactly, under any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), fc.integer({ min: 1, max: 16 }), (chunks, max) => {
        const input = new InputBuffer();
        const pieces: Buffer[] = [];
        for (const c of chunks) {
          input.push(Buffer.from(c));
          for (let piece = input.takeRawLine(max); piece !== undefined; piece = input.takeRawLine(max)) {
            expect(piece.length).toBeLessThanOrEqual(max);
            pieces.push(piece);
          }
        }
        const rest = input.takeChunk(Number.MAX_SAFE_INTEGER);
        if (rest) pieces.push(rest);
        expect(Buffer.concat(pieces)).toEqual(Buffer.concat(chunks.map((c) => Buffer.from(c))));
      }),
    );
  });
});
