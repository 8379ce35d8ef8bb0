// Socket side of one fake-server connection: feeds received bytes to the engine and
// performs its actions in order (writes, split/drip timing, TLS upgrade, close, RST).
import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import type { Action } from './actions.js';
import type { Session } from './engine.js';

/** What a test can inspect about one connection. */
export interface ConnectionRecord {
  /** 1-based connection number. */
  readonly id: number;
  /** Every application byte received (plain and decrypted TLS), in order. */
  readonly received: Buffer;
  /** The reads as they arrived: one entry per socket `data` event. */
  readonly chunks: readonly { readonly tls: boolean; readonly data: Buffer }[];
  /** TLS is active on this connection. */
  readonly tls: boolean;
  /** The TLS handshake failed with this error (e.g. the client rejected the certificate). */
  readonly tlsError: Error | undefined;
  /** The socket is closed. */
  readonly closed: boolean;
}

/** Drives one accepted socket. */
export class FakeConnection<S> implements ConnectionRecord {
  readonly chunks: { tls: boolean; data: Buffer }[] = [];
  tlsError: Error | undefined;
  closed = false;
  #socket: Socket;
  #queue: Promise<void> = Promise.resolve();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #onData = (chunk: Buffer): void => this.#received(chunk);
  /** Resolves when the socket has closed. */
  readonly done: Promise<void>;

  constructor(
    readonly id: number,
    private readonly raw: Socket,
    private readonly session: Session<S>,
    private readonly context: SecureContext | undefined,
    implicitTls: boolean,
  ) {
    this.#socket = raw;
    raw.setNoDelay(true);
    raw.on('error', () => { /* peer resets are part of the tests */ });
    this.done = new Promise((resolve) => raw.once('close', () => { this.closed = true; this.#cancelTimers(); resolve(); }));
    if (implicitTls) void this.#enqueue([{ kind: 'upgrade' }]);
    else raw.on('data', this.#onData);
    // Computed when due, so an implicit-TLS greeting handler sees `ctx.tls === true`.
    void this.#enqueue(() => session.greet());
  }

  get tls(): boolean { return this.session.tls; }
  get received(): Buffer { return Buffer.concat(this.chunks.map((c) => c.data)); }

  /** Write bytes now (unsolicited), after any queued actions. */
  send(data: Buffer): Promise<void> {
    return this.#enqueue([{ kind: 'write', data }]);
  }

  /** Destroy the socket at once. */
  destroy(): void {
    this.#cancelTimers();
    this.raw.destroy();
    this.#socket.destroy();
  }

  #received(chunk: Buffer): void {
    this.chunks.push({ tls: this.session.tls, data: chunk });
    const actions = this.session.feed(chunk);
    // Stop reading plaintext as soon as an upgrade is decided (the engine discards what was
    // already read); the TLS socket takes the raw socket over when the upgrade runs.
    if (actions.some((a) => a.kind === 'upgrade')) this.raw.pause();
    if (actions.length) void this.#enqueue(actions);
  }

  #enqueue(actions: readonly Action[] | (() => readonly Action[])): Promise<void> {
    this.#queue = this.#queue.then(async () => {
      for (const a of typeof actions === 'function' ? (this.closed ? [] : actions()) : actions) {
        if (this.closed) return;
        await this.#perform(a);
      }
    }).catch(() => { this.destroy(); });
    return this.#queue;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.#timers.delete(t); resolve(); }, ms);
      this.#timers.add(t);
    });
  }

  #cancelTimers(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #write(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#socket.destroyed || this.#socket.writableEnded) { resolve(); return; }
      this.#socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  async #perform(a: Action): Promise<void> {
    switch (a.kind) {
      case 'write': return this.#write(a.data);
      case 'split': {
        let from = 0;
        for (const at of [...a.at, a.data.length]) {
          if (at <= from) continue;
          if (from > 0) await this.#sleep(a.gapMs);
          await this.#write(a.data.subarray(from, Math.min(at, a.data.length)));
          from = at;
        }
        return;
      }
      case 'drip':
        for (let i = 0; i < a.data.length && !this.closed; i++) {
          if (i > 0) await this.#sleep(a.everyMs);
          await this.#write(a.data.subarray(i, i + 1));
        }
        return;
      case 'delay': return this.#sleep(a.ms);
      case 'upgrade': return this.#upgrade();
      case 'close':
        await new Promise<void>((resolve) => this.#socket.end(resolve));
        return;
      case 'reset':
        this.raw.resetAndDestroy();
        return;
      case 'stall': return;
    }
  }

  async #upgrade(): Promise<void> {
    if (!this.context) throw new Error('fake server: TLS requested but no certificate configured');
    this.raw.off('data', this.#onData);
    this.raw.pause();
    const secure = new TLSSocket(this.raw, { isServer: true, secureContext: this.context, requestCert: false });
    this.#socket = secure;
    await new Promise<void>((resolve) => {
      secure.once('secure', () => { this.session.upgraded(); resolve(); });
      secure.once('error', (err) => { this.tlsError = err; secure.destroy(); resolve(); });
      // A client that drops the connection mid-handshake may not cause an error event.
      secure.once('close', () => resolve());
    });
    secure.on('error', () => { /* after the handshake: peer resets */ });
    secure.on('data', this.#onData);
  }
}
