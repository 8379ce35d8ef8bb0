/**
 * RETR and TOP bodies (RFC 1939 §5, §7): buffered with a bound, or streamed with
 * backpressure.
 */
import { MailError } from '@mail/transport';
import { BodyStream } from './body-stream.js';
import type { Core } from './core.js';
import type { CallOptions } from './options.js';
import { MAX_NUMBER } from './protocol/index.js';

/** Validates a message number (or a TOP line count with `min` 0) before any I/O. */
export function checkMsg(n: number, min = 1): number {
  if (!Number.isInteger(n) || n < min || n > MAX_NUMBER) {
    throw new MailError('MAIL_INVALID_ARGUMENT', `expected an integer >= ${min}, got ${String(n)}`);
  }
  return n;
}

/**
 * Reads one dot-terminated body after its `+OK`, whole, up to `max` octets: beyond that
 * `MAIL_RESPONSE_TOO_LARGE` and the connection is closed (the rest is unread).
 */
export async function readBody(core: Core, signal: AbortSignal | undefined, max = core.maxMessageSize): Promise<Buffer> {
  try {
    return await core.conn.readDotBytes({
      signal,
      phase: 'data',
      maxSize: max,
      tooLarge: (limit) => new MailError('MAIL_RESPONSE_TOO_LARGE', `POP3 message larger than ${limit} octets (maxMessageSize); use retrStream`),
    });
  } catch (error) {
    // The transport destroyed the connection; the session is over.
    if (core.conn.closed) core.state = 'CLOSED';
    throw error;
  }
}

/**
 * {@link readBody} when the whole body is already buffered (pipelined replies), else
 * undefined with nothing consumed. A body over the bound is left to `readBody`.
 */
export function readBodyNow(core: Core, max = core.maxMessageSize): Buffer | undefined {
  try {
    return core.conn.readDotBytesNow({ maxSize: max });
  } catch (error) {
    if (core.conn.closed) core.state = 'CLOSED';
    throw error;
  }
}

/** Sends `line` (RETR or TOP) and returns the whole body. */
export function retrieve(core: Core, line: string, options: CallOptions): Promise<Buffer> {
  const { signal } = options;
  return core.queue.run(async () => {
    await core.exchange(line, { signal });
    return readBody(core, signal);
  }, signal);
}

/**
 * Sends `line` when iteration starts and yields the body's chunks. The command queue is
 * held until the body ends; stopping early closes the connection (it is out of sync).
 */
export function retrieveStream(core: Core, line: string, options: CallOptions): AsyncIterableIterator<Buffer> {
  return new BodyStream(core, line, options);
}
