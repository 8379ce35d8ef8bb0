/**
 * A pass-through duplex that remembers the first bytes the peer sent.
 *
 * `tls.connect({ socket })` on a `net.Socket` hands the socket's handle to OpenSSL, so a
 * handshake that fails on a plaintext greeting leaves only "wrong version number" behind.
 * Routing the raw socket through this tap lets us see what the server actually said
 * (`220 ...`, `+OK ...`) and explain the TLS mode mismatch.
 */
import { Duplex } from 'node:stream';

/** How many leading bytes are kept for diagnosis. */
const PEEK_BYTES = 64;

/** A transparent duplex over `inner` that keeps the first {@link PEEK_BYTES} bytes read. */
export class PeekTap extends Duplex {
  #inner: Duplex;
  #head: Buffer[] = [];
  #headLength = 0;

  constructor(inner: Duplex) {
    super({ allowHalfOpen: true });
    this.#inner = inner;
    inner.on('data', (chunk: Buffer) => {
      if (this.#headLength < PEEK_BYTES) {
        this.#head.push(chunk.subarray(0, PEEK_BYTES - this.#headLength));
        this.#headLength += Math.min(chunk.length, PEEK_BYTES - this.#headLength);
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (err) => this.destroy(err));
    inner.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  /** The first bytes received from the peer (up to 64). */
  get head(): Buffer {
    return Buffer.concat(this.#head);
  }

  override _read(): void {
    this.#inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#inner.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#inner.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#inner.destroy();
    callback(error);
  }
}
