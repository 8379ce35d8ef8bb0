/**
 * The write side of a connection: refuses writes during a TLS upgrade, honours backpressure
 * (waits for `drain` within the phase deadline) with one shared wait per socket.
 */
import type { Duplex } from 'node:stream';
import { closedError } from './connection-errors.js';
import { ConnectionCore } from './connection-core.js';
import { MailError, type Phase } from './errors.js';
import { abortedError } from './open-socket.js';

/** Adds drain-aware writing to the connection machinery. Internal. */
export abstract class WritingConnection extends ConnectionCore {
  #drain: { socket: Duplex; promise: Promise<void> } | undefined;

  /**
   * Writes `buf` (a list is written as one gathered write: corked, so the socket sends it with
   * one `writev`); when the socket is full, waits for `drain` within the phase's deadline.
   */
  protected async send(buf: Uint8Array | readonly Uint8Array[], phase: Phase, signal: AbortSignal | undefined, deadline?: number): Promise<void> {
    this.assertOpen();
    if (this.socketClosed) throw closedError();
    if (signal?.aborted) throw this.fail(abortedError(signal));
    if (this.upgrading) {
      // RFC 3207 §4 / SECURITY.md promise 2: nothing is written between STARTTLS and the end
      // of the handshake (it would go out in plaintext or corrupt the handshake).
      throw new MailError('MAIL_INVALID_ARGUMENT', 'cannot write while the TLS handshake is in progress; await the upgrade first');
    }
    const socket = this.socket;
    if (writeAll(socket, buf)) return;
    const release = this.guard(phase, deadline ?? Date.now() + this.timeoutOf(phase), signal);
    try {
      await this.track(this.#drained(socket));
    } catch (err) {
      throw this.fail(err);
    } finally {
      release();
    }
  }

  /**
   * Octets accepted by {@link Connection.write} that the socket has not yet passed on to the
   * operating system. While it is not 0 the socket may still reference written buffers; at 0
   * every buffer written so far may be reused (a writer reading into a few recycled buffers
   * relies on this). 0 once the connection is closed.
   */
  get unflushedBytes(): number {
    return this.socketClosed ? 0 : this.socket.writableLength;
  }

  /** One shared wait for `drain` per socket, however many writes wait (no listener pile-up). */
  #drained(socket: Duplex): Promise<void> {
    if (this.#drain?.socket === socket) return this.#drain.promise;
    const promise = new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        socket.off('close', onClose);
        resolve();
      };
      const onClose = (): void => {
        socket.off('drain', onDrain);
        reject(closedError('connection closed while writing'));
      };
      socket.once('drain', onDrain);
      socket.once('close', onClose);
    });
    const entry = { socket, promise };
    this.#drain = entry;
    const clear = (): void => {
      if (this.#drain === entry) this.#drain = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

}

/** Writes one buffer, or a list corked into one gathered write; false when the socket is full. */
function writeAll(socket: Duplex, data: Uint8Array | readonly Uint8Array[]): boolean {
  if (data instanceof Uint8Array) return socket.write(data);
  if (data.length === 1) return socket.write(data[0]!);
  socket.cork();
  let ok = true;
  for (const part of data) if (part.length > 0) ok = socket.write(part);
  socket.uncork();
  return ok;
}
