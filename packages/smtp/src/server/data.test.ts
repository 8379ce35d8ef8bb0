import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '@mail/test-servers';
import { ServerChannel } from '@mail/transport';
import { ChunkReader, DotDataReader, MessageRejectedError } from './data.js';

/** A channel fed from a PassThrough, chunk by chunk as given. */
function channelOf(chunks: Buffer[]): ServerChannel {
  const input = new PassThrough();
  const channel = new ServerChannel(input as unknown as Socket);
  for (const c of chunks) input.write(c);
  return channel;
}

async function readAll(reader: DotDataReader | ChunkReader): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of reader.stream()) parts.push(c);
  return Buffer.concat(parts);
}

const deadline = () => Date.now() + 5000;
const lineArb = fc.stringMatching(/^[.a-z ]{0,12}$/);

describe('DotDataReader', () => {
  it('unstuffs any CRLF message under any chunking, and stops at CRLF.CRLF', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), async (lines, cuts) => {
        const message = lines.map((l) => `${l}\r\n`).join('');
        const stuffed = lines.map((l) => `${l.startsWith('.') ? '.' : ''}${l}\r\n`).join('') + '.\r\nNEXT\r\n';
        const channel = channelOf(splitAt(Buffer.from(stuffed), cuts));
        const reader = new DotDataReader(channel, 1e6, deadline());
        expect((await readAll(reader)).toString()).toBe(message);
        expect((await channel.readLine(100, deadline())).text).toBe('NEXT');
      }),
      { numRuns: 200 },
    );
  });

  it('rejects every smuggling shape yet stays in sync up to the real end', async () => {
    for (const shape of ['\n.\n', '\n.\r\n', '\r\n.\n', '\r.\r', '\r\n.\r\r\n', 'a\rb', 'a\nb']) {
      const channel = channelOf([Buffer.from(`head\r\n${shape}MAIL FROM:<x@y>\r\n.\r\nNEXT\r\n`)]);
      const reader = new DotDataReader(channel, 1e6, deadline());
      await expect(readAll(reader)).rejects.toBeInstanceOf(MessageRejectedError);
      await reader.drain();
      expect(reader.rejected).toBe('bare-line-ending');
      expect((await channel.readLine(100, deadline())).text).toBe('NEXT');
    }
  });

  it('enforces the size limit', async () => {
    const channel = channelOf([Buffer.from('0123456789\r\n0123456789\r\n.\r\n')]);
    const reader = new DotDataReader(channel, 15, deadline());
    await expect(readAll(reader)).rejects.toThrow('size limit');
    await reader.drain();
    expect(reader.rejected).toBe('too-large');
  });
});

describe('ChunkReader (BDAT)', () => {
  it('reads exactly the announced octets under any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), async (lines, cuts) => {
        const body = Buffer.from(lines.map((l) => `${l}\r\n`).join(''));
        const channel = channelOf(splitAt(Buffer.concat([body, Buffer.from('NEXT\r\n')]), cuts));
        const reader = new ChunkReader(channel, 1e6, deadline(), body.length, false, 0);
        expect((await readAll(reader)).equals(body)).toBe(true);
        expect((await channel.readLine(100, deadline())).text).toBe('NEXT');
      }),
      { numRuns: 200 },
    );
  });

  it('flags a bare LF', async () => {
    const channel = channelOf([Buffer.from('a\nb\r\n')]);
    const reader = new ChunkReader(channel, 1e6, deadline(), 5, false, 0);
    await expect(readAll(reader)).rejects.toBeInstanceOf(MessageRejectedError);
  });
});
