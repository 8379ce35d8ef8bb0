/**
 * `ServerChannel`: the server side of one accepted socket, shared by the SMTP/LMTP and POP3
 * servers. Line framing, raw reads for DATA/BDAT, corked replies for pipelining, and the
 * STARTTLS/STLS upgrade that refuses to carry plaintext bytes across it.
 *
 * Not `Connection.fromSocket`: a server (a) holds replies back while pipelined commands
 * are still buffered (RFC 2920 §3.2, RFC 2449 §6.6), (b) must still be able to say `421` /
 * `-ERR` after a read timed out, where `Connection` destroys the socket, and (c) frames DATA
 * itself so that a bare LF cannot desynchronise it.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { ChannelError } from './channel-error.js';
import { serverHandshake } from './handshake.js';
import { InputBuffer, type InputLine } from './input-buffer.js';

/** Most bytes held unread before the socket is paused (backpressure on pipelining clients). */
const HIGH_WATER = 256 * 1024;

/** Line framing and corked replies over an accepted socket. */
export class ServerChannel {
  #socket: Socket;
  readonly #input = new InputBuffer();
  #ended = false;
  #waiter: (() => void) | undefined;
  #out: Array<string | Uint8Array> = [];
  #outBytes = 0;
  #upgrading = false;
  readonly #onData = (chunk: Buffer) => this.#push(chunk);
  readonly #onEnd = () => this.#finish();

  /** Wraps an accepted (and, for implicit TLS, already handshaken) socket and starts reading. */
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
    return this.#input.length > 0;
  }

  /** Reads one LF-terminated line of at most `maxLength` bytes; rejects with {@link ChannelError}. */
  readLine(maxLength: number, deadline: number): Promise<InputLine> {
    return this.#read(() => this.#input.takeLine(maxLength), deadline);
  }

  /**
   * Reads the next command of a session's main loop. Resolves `undefined` when the session
   * must end: the peer closed, or the read timed out or the line was too long, in which case
   * `farewell(reason)` was called first to queue the goodbye (`421`, `-ERR`) that
   * {@link ServerChannel.end} then writes: the socket is still open after a timeout.
   */
  async readCommand(maxLength: number, deadline: number, farewell: (reason: 'timeout' | 'line-too-long') => void): Promise<InputLine | undefined> {
    try {
      return await this.readLine(maxLength, deadline);
    } catch (error) {
      if (error instanceof ChannelError && error.reason !== 'closed') farewell(error.reason);
      return undefined;
    }
  }

  /** Whatever is buffered (at most `max` bytes), waiting if nothing is. For BDAT (RFC 3030). */
  readChunk(max: number, deadline: number): Promise<Buffer> {
    return this.#read(() => this.#input.takeChunk(max), deadline);
  }

  /**
   * The next line including its LF, or, when no LF comes within `max` bytes, the next `max`
   * bytes (a piece of a long line). For the DATA reader, which frames itself.
   */
  readRawLine(max: number, deadline: number): Promise<Buffer> {
    return this.#read(() => this.#input.takeRawLine(max), deadline);
  }

  /** Queues output; it is written by {@link ServerChannel.flush}. */
  send(data: string | Uint8Array): void {
    this.#out.push(data);
    this.#outBytes += data.length;
  }

  /** Output queued and not yet written (string length for text, byte length otherwise). */
  get pendingBytes(): number {
    return this.#outBytes;
  }

  /**
   * Writes the queued output in one write unless more pipelined input is already buffered
   * (RFC 2920 §3.2 lets the server hold replies until it would otherwise wait for input);
   * `force` writes regardless.
   */
  async flush(force = false): Promise<void> {
    if (this.#out.length === 0 || (!force && this.hasBufferedData())) return;
    await this.write(this.#takeOutput());
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
   * Server STARTTLS/STLS (RFC 3207 §4, RFC 2595 §4), after the session queued its positive
   * reply (`220`, `+OK`): stops reading, so that every byte from then on is left to the TLS
   * layer, discards the plaintext already buffered behind the command (CVE-2011-0411: it must
   * never be executed inside the TLS session), writes the queued reply and runs the handshake.
   * Resolves with how many plaintext bytes were discarded; rejects with {@link ChannelError}.
   */
  async startTLS(context: SecureContext, deadline: number): Promise<number> {
    const discarded = this.#input.clear();
    this.#detach();
    this.#socket.pause();
    this.#upgrading = true;
    try {
      await this.flush(true);
      this.#socket = await serverHandshake(this.#socket, context, deadline);
    } finally {
      this.#upgrading = false;
    }
    this.#ended = false;
    this.#attach();
    return discarded;
  }

  /** Ends the connection after the queued output. */
  async end(): Promise<void> {
    const data = this.#takeOutput();
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

  /** The queued output as one write: a string when it is all text, else bytes. */
  #takeOutput(): string | Buffer {
    const out = this.#out;
    this.#out = [];
    this.#outBytes = 0;
    if (out.every((d) => typeof d === 'string')) return out.join('');
    return Buffer.concat(out.map((d) => (typeof d === 'string' ? Buffer.from(d, 'utf8') : d)));
  }

  async #read<T>(take: () => T | undefined, deadline: number): Promise<T> {
    for (;;) {
      const value = take();
      if (value !== undefined) {
        if (this.#socket.isPaused() && this.#input.length < HIGH_WATER / 2) this.#socket.resume();
        return value;
      }
      await this.#wait(deadline);
    }
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
    this.#input.push(chunk);
    if (this.#input.length > HIGH_WATER) this.#socket.pause();
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
