/**
 * Turns every body source the clients accept into a stream of byte chunks, and coalesces
 * small output pieces so the writer makes few, large writes.
 */
import { MailError } from '../errors.js';
import { asBuffer } from './bytes.js';

/** One chunk of a body: bytes, or text sent as UTF-8. */
export type BodyChunk = Uint8Array | string;

/** The reader half of a WHATWG `ReadableStream`, structurally (Node's or a DOM one). */
export interface ReadableStreamReaderLike<T> {
  read(): Promise<{ done: boolean; value?: T }>;
  releaseLock(): void;
  cancel(reason?: unknown): Promise<void>;
}

/** A WHATWG `ReadableStream`, structurally, so both Node's and a DOM one are accepted. */
export interface ReadableStreamLike<T> {
  getReader(): ReadableStreamReaderLike<T>;
}

/**
 * Anything a body can come from: a string (sent as UTF-8), bytes, a sync or async iterable
 * of chunks (a Node `Readable` is one), or a web `ReadableStream`.
 */
export type BodySource =
  | string
  | Uint8Array
  | Iterable<BodyChunk>
  | AsyncIterable<BodyChunk>
  | ReadableStreamLike<BodyChunk>
  | NodeJS.ReadableStream;

/** Input is fed to the encoders in slices of at most this size, bounding each output buffer. */
const SLICE = 1024 * 1024;

/** Output pieces are joined until at least this many bytes are pending. */
export const COALESCE_BYTES = 64 * 1024;

function isAsyncIterable(value: object): value is AsyncIterable<unknown> {
  return typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}

function isIterable(value: object): value is Iterable<unknown> {
  return typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}

function isReadableStreamLike(value: object): value is ReadableStreamLike<unknown> {
  return typeof (value as Partial<ReadableStreamLike<unknown>>).getReader === 'function';
}

/**
 * UTF-8 for string chunks, keeping a high surrogate that ends one chunk for the next so a
 * character split across chunks is not replaced by U+FFFD.
 */
class TextChunks {
  private carry = '';

  bytes(chunk: unknown): Buffer | undefined {
    if (typeof chunk === 'string') {
      let text = this.carry + chunk;
      this.carry = '';
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        this.carry = text.slice(-1);
        text = text.slice(0, -1);
      }
      return text.length === 0 ? undefined : Buffer.from(text, 'utf8');
    }
    if (chunk instanceof Uint8Array) {
      const flushed = this.flush();
      const buf = asBuffer(chunk);
      return flushed ? Buffer.concat([flushed, buf]) : buf;
    }
    throw new MailError('MAIL_INVALID_ARGUMENT', `a body chunk must be a string or Uint8Array, not ${typeof chunk}`);
  }

  /** A lone high surrogate left at the end becomes U+FFFD, as Buffer.from would make it. */
  flush(): Buffer | undefined {
    if (this.carry === '') return undefined;
    const out = Buffer.from(this.carry, 'utf8');
    this.carry = '';
    return out;
  }
}

function* slices(buf: Buffer): Generator<Buffer> {
  if (buf.length <= SLICE) {
    if (buf.length > 0) yield buf;
    return;
  }
  for (let i = 0; i < buf.length; i += SLICE) yield buf.subarray(i, i + SLICE);
}

/**
 * The source as a sequence of non-empty byte chunks (views where possible).
 * @throws MailError `MAIL_INVALID_ARGUMENT` for an unsupported source or chunk type.
 */
export async function* chunksOf(source: BodySource): AsyncGenerator<Buffer, void, undefined> {
  if (typeof source === 'string') {
    yield* slices(Buffer.from(source, 'utf8'));
    return;
  }
  if (source instanceof Uint8Array) {
    yield* slices(asBuffer(source));
    return;
  }
  const text = new TextChunks();
  if (typeof source === 'object' && source !== null) {
    if (isAsyncIterable(source)) {
      for await (const chunk of source) {
        const buf = text.bytes(chunk);
        if (buf) yield* slices(buf);
      }
    } else if (isIterable(source)) {
      for (const chunk of source) {
        const buf = text.bytes(chunk);
        if (buf) yield* slices(buf);
      }
    } else if (isReadableStreamLike(source)) {
      const reader = source.getReader();
      let complete = false;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const buf = text.bytes(value);
          if (buf) yield* slices(buf);
        }
        complete = true;
      } finally {
        // The consumer stopped early or a chunk was bad: tell the producer.
        if (!complete) await reader.cancel().catch(() => undefined);
        reader.releaseLock();
      }
    } else {
      throw unsupported(source);
    }
    const tail = text.flush();
    if (tail) yield tail;
    return;
  }
  throw unsupported(source);
}

function unsupported(source: unknown): MailError {
  return new MailError('MAIL_INVALID_ARGUMENT', `unsupported body source: ${Object.prototype.toString.call(source)}`);
}

/** Joins small pieces into buffers of at least {@link COALESCE_BYTES}; big pieces pass as they are. */
export class Coalescer {
  private pending: Buffer[] = [];
  private bytes = 0;

  /** Adds a piece; returns a buffer to write when enough is pending. */
  add(piece: Buffer): Buffer | undefined {
    if (piece.length === 0) return undefined;
    if (this.bytes === 0 && piece.length >= COALESCE_BYTES) return piece;
    this.pending.push(piece);
    this.bytes += piece.length;
    return this.bytes >= COALESCE_BYTES ? this.flush() : undefined;
  }

  /** Everything pending, joined; undefined when nothing is. */
  flush(): Buffer | undefined {
    if (this.bytes === 0) return undefined;
    const out = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.bytes);
    this.pending = [];
    this.bytes = 0;
    return out;
  }
}
