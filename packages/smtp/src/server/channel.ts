/**
 * The server side of one accepted socket: a contiguous input buffer with line framing,
 * exact-length reads (BDAT), corked output for pipelining, and the STARTTLS upgrade that
 * refuses to carry plaintext bytes across it.
 *
 * Local to the server halves: the shared `Connection` of @mail/transport is built for the
 * clients; a server wants to see every pipelined command already in the buffer before it
 * flushes replies (RFC 2920 §3.2: one write per group), which this class makes direct.
 */
import { TLSSocket, type SecureContext } from 'node:tls';
import { serverHandshake } from './handshake.js';
import type { Socket } from 'node:net';

/** Why a read ended without data. */
export class ChannelError extends Error {
  constructor(
    readonly reason: 'closed' | 'timeout' | 'line-too-long',
    message: string,
  ) {
    super(message);
  }
}

/** One framed input line. */
export interface InputLine {
  /** The line without its terminator, decoded as UTF-8. */
  text: string;
  /** The line ended in a bare LF, or contains a CR not followed by LF (RFC 5321 §2.3.8). */
  bare: boolean;
}

/** Most bytes held unread before the socket is paused (backpressure on pipelining clients). */
const HIGH_WATER = 256 * 1024;

/** Line framing and corked replies over an accepted socket. */
export class ServerChannel {
  #socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  #off = 0;
  #ended = false;
  #waiter: (() => void) | undefined;
  #out: string[] = [];
  #upgrading = false;
  #onData = (chunk: Buffer) => this.#push(chunk);
  #onEnd = () => this.#finish();
  /** Bytes read and written, for logs. */
  bytesIn = 0;

  constructor(socket: Socket) {
    this.#socket = socket;
    this.#attach();
  }

  /** The underlying socket (a TLSSocket after an upgrade or with implicit TLS). */
  get socket(): Socket {
    return this.#socket;
  }

  /** A STARTTLS/STLS handshake is running: nothing may be written underneath it. */
  get upgrading(): boolean {
    return this.#upgrading;
  }

  /** `TLSv1.3 TLS_AES_256_GCM_SHA384`, for logs; empty without TLS. */
  tlsDescription(): string {
    if (!(this.#socket instanceof TLSSocket)) return '';
    return `${this.#socket.getProtocol() ?? '?'} ${this.#socket.getCipher()?.name ?? '?'}`;
  }

  /** Whether the session runs over TLS. */
  get secure(): boolean {
    return this.#socket instanceof TLSSocket && this.#socket.encrypted;
  }

  /** Whether input is buffered and unread (then replies to pipelined commands are held back). */
  hasBufferedData(): boolean {
    return this.#buf.length > this.#off;
  }

  /** Whether the peer closed its side and everything was read. */
  get ended(): boolean {
    return this.#ended && !this.hasBufferedData();
  }

  /** Reads one line (LF-terminated). */
  async readLine(maxLength: number, deadline: number): Promise<InputLine> {
    for (;;) {
      const lf = this.#buf.indexOf(0x0a, this.#off);
      if (lf !== -1) {
        const end = lf > this.#off && this.#buf[lf - 1] === 0x0d ? lf - 1 : lf;
        const bareLF = end === lf;
        const raw = this.#buf.subarray(this.#off, end);
        if (lf + 1 - this.#off > maxLength) {
          this.#off = lf + 1;
          throw new ChannelError('line-too-long', 'line too long');
        }
        this.#off = lf + 1;
        this.#compact();
        return { text: raw.toString('utf8'), bare: bareLF || raw.includes(0x0d) };
      }
      if (this.#buf.length - this.#off > maxLength) throw new ChannelError('line-too-long', 'line too long');
      await this.#wait(deadline);
    }
  }

  /**
   * Returns whatever is buffered (at most `max` bytes), waiting for data if nothing is. Used by
   * the DATA and BDAT readers, which do their own framing.
   */
  async readChunk(max: number, deadline: number): Promise<Buffer> {
    while (!this.hasBufferedData()) await this.#wait(deadline);
    const end = Math.min(this.#buf.length, this.#off + max);
    const chunk = this.#buf.subarray(this.#off, end);
    this.#off = end;
    this.#compact();
    return chunk;
  }

  /**
   * Returns the next line including its LF, or, when no LF comes within `max` bytes, the
   * next `max` bytes (a piece of a long line). Used by the DATA reader, which frames itself.
   */
  async readRawLine(max: number, deadline: number): Promise<Buffer> {
    for (;;) {
      const lf = this.#buf.indexOf(0x0a, this.#off);
      const available = this.#buf.length - this.#off;
      if ((lf !== -1 && lf - this.#off < max) || available >= max) {
        const end = lf !== -1 && lf - this.#off < max ? lf + 1 : this.#off + max;
        const piece = this.#buf.subarray(this.#off, end);
        this.#off = end;
        this.#compact();
        return piece;
      }
      await this.#wait(deadline);
    }
  }

  /** Queues a reply; it is written by {@link flush}. */
  send(text: string): void {
    this.#out.push(text);
  }

  /**
   * Writes the queued replies in one write unless more pipelined input is already buffered
   * (RFC 2920 §3.2 lets the server hold replies until it would otherwise wait for input).
   */
  async flush(force = false): Promise<void> {
    if (this.#out.length === 0 || (!force && this.hasBufferedData())) return;
    const data = this.#out.join('');
    this.#out = [];
    await this.write(data);
  }

  /** Writes now, honouring backpressure. */
  async write(data: string | Uint8Array): Promise<void> {
    if (this.#socket.destroyed) throw new ChannelError('closed', 'connection closed');
    if (this.#socket.write(data)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        this.#socket.off('drain', ok);
        this.#socket.off('close', closed);
        if (error) reject(error);
        else resolve();
      };
      const ok = () => done();
      const closed = () => done(new ChannelError('closed', 'connection closed'));
      this.#socket.once('drain', ok);
      this.#socket.once('close', closed);
    });
  }

  /**
   * First half of server STARTTLS (RFC 3207 §4 / RFC 2595 §4), called before the `220`/`+OK`
   * goes out: stops reading, so that every byte from then on is left to the TLS layer, and
   * discards the plaintext already buffered behind the command (CVE-2011-0411: it must never
   * be executed inside the TLS session). Returns how many bytes were discarded.
   */
  prepareUpgrade(): number {
    const discarded = this.#buf.length - this.#off;
    this.#buf = Buffer.alloc(0);
    this.#off = 0;
    this.#detach();
    this.#socket.pause();
    this.#upgrading = true;
    return discarded;
  }

  /** Second half: the TLS handshake, after the positive reply was written. */
  async upgrade(context: SecureContext, deadline: number): Promise<void> {
    try {
      this.#socket = await serverHandshake(this.#socket, context, deadline);
    } finally {
      this.#upgrading = false;
    }
    this.#ended = false;
    this.#attach();
  }

  /** Ends the connection after the queued output. */
  async end(): Promise<void> {
    const data = this.#out.join('');
    this.#out = [];
    if (this.#socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.end(data);
      // A peer that never reads could hold the close forever.
      setTimeout(() => this.#socket.destroy(), 2000).unref();
    });
  }

  /** Closes immediately. */
  destroy(): void {
    this.#socket.destroy();
  }

  #attach(): void {
    this.#socket.on('data', this.#onData);
    this.#socket.on('end', this.#onEnd);
    this.#socket.on('close', this.#onEnd);
    this.#socket.on('error', this.#onEnd);
    this.#socket.resume();
  }

  #detach(): void {
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    this.#socket.off('error', this.#onEnd);
  }

  #push(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    if (this.#off === this.#buf.length) {
      this.#buf = chunk;
      this.#off = 0;
    } else {
      this.#buf = Buffer.concat([this.#buf.subarray(this.#off), chunk]);
      this.#off = 0;
    }
    if (this.#buf.length - this.#off > HIGH_WATER) this.#socket.pause();
    this.#wake();
  }

  #finish(): void {
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  #compact(): void {
    if (this.#off === this.#buf.length) {
      this.#buf = Buffer.alloc(0);
      this.#off = 0;
    }
    if (this.#socket.isPaused() && this.#buf.length - this.#off < HIGH_WATER / 2) this.#socket.resume();
  }

  async #wait(deadline: number): Promise<void> {
    if (this.#ended) throw new ChannelError('closed', 'connection closed by peer');
    if (this.#socket.isPaused()) this.#socket.resume();
    // Before waiting for input, replies held back for pipelining must go out.
    await this.flush(true);
    const ms = deadline - Date.now();
    if (ms <= 0) throw new ChannelError('timeout', 'timed out waiting for the client');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new ChannelError('timeout', 'timed out waiting for the client'));
      }, ms);
      this.#waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    if (this.#ended && !this.hasBufferedData()) throw new ChannelError('closed', 'connection closed by peer');
  }
}
