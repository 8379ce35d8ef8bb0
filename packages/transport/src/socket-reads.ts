/**
 * Reads of a plain TCP socket without the stream machinery: `net.connect({ onread })` reads
 * into buffers we allocate and hands each read to our callback, which emits it as `data`
 * directly. Measured on a 100 MiB POP3 RETR (64 KiB reads): ≈ 20 % less CPU than a stream
 * `data` listener (no Readable push/flow bookkeeping per read, no zero-filled buffer per read).
 *
 * Stream semantics are kept: while the socket is paused, not flowing, or still holds
 * buffered bytes, a read goes through `push` (so `readableLength` counts it, as the STARTTLS
 * injection check needs, and a later listener gets it in order); `pause()` stops the reads
 * of an `onread` socket at once (readStop).
 */
import type net from 'node:net';

/** Bytes per read: Node's own default read size. */
const READ_SIZE = 64 * 1024;
/**
 * Reads shorter than this are copied out and their buffer reused, so that a consumer (or
 * the framer, while the socket is paused) holding many short reads never holds a 64 KiB
 * backing store per read: what is retained stays within 4× the bytes received.
 */
const COPY_BELOW = READ_SIZE / 4;

/** The `onread` option for `net.connect`; call `bind` with the socket before it connects. */
export function directReads(): { onread: net.OnReadOpts; bind(socket: net.Socket): void } {
  let socket: net.Socket | undefined;
  let buffer = Buffer.allocUnsafeSlow(READ_SIZE);
  const onread: net.OnReadOpts = {
    // Called after each read for the buffer of the next one: the same buffer unless handed out.
    buffer: () => buffer,
    callback: (n: number): boolean => {
      let chunk: Buffer;
      if (n < COPY_BELOW) {
        chunk = Buffer.from(buffer.subarray(0, n));
      } else {
        chunk = buffer.subarray(0, n);
        buffer = Buffer.allocUnsafeSlow(READ_SIZE);
      }
      const s = socket!;
      if (s.readableFlowing !== true || s.readableLength > 0) return s.push(chunk);
      s.emit('data', chunk);
      return true;
    },
  };
  return { onread, bind: (s) => (socket = s) };
}
