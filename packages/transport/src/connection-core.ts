/**
 * The machinery under {@link Connection}: settling every pending call exactly once, per-call
 * deadlines and AbortSignals, serialised reads, drain-aware writes, swapping the socket for
 * TLS, and closing. Public API and TLS specifics are in `connection.ts`.
 */
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import { closedError, socketError, timeoutError } from './connection-errors.js';
import { Deadlines } from './deadlines.js';
import { MailError, type Phase } from './errors.js';
import { Input } from './input.js';
import { abortedError } from './open-socket.js';
import type { ResolvedOptions } from './options.js';
import { redactLine, type Tracer } from './trace.js';
import { Turns } from './turns.js';
import type { ReadOptions } from './types.js';

/** How long `close()` waits for the peer to close after our FIN before destroying. */
const CLOSE_GRACE_MS = 5_000;
const RESOLVED = Promise.resolve();
interface Pending {
  reject(error: MailError): void;
}

/** Internal base class of Connection. Not exported from the package. */
export abstract class ConnectionCore {
  /** The current socket: the raw one, or the TLS socket once TLS is up. */
  protected socket: Duplex;
  /** The socket that was connected first (TCP or the factory's duplex). */
  protected readonly raw: Duplex;
  /** The TLS socket, once a handshake started. */
  protected tlsSocket: tls.TLSSocket | undefined;
  protected readonly input: Input;
  protected readonly tracer: Tracer;
  /** Set once, by the first failure or by close(); every later call rejects with it. */
  protected error: MailError | undefined;
  readonly #opts: ResolvedOptions;
  readonly #server: boolean;
  #pending = new Set<Pending>();
  readonly #deadlines = new Deadlines();
  /** Turn-taking among reads and upgrades. */
  readonly #turns = new Turns();
  /** Per phase, what a missed deadline does (made once, not per read). */
  readonly #onTimeout: Partial<Record<Phase, () => void>> = {};
  #onConnectionAbort: (() => void) | undefined;
  #closeWaiters: Array<() => void> = [];
  #socketClosed = false;
  #upgrading = false;

  protected constructor(socket: Duplex, options: ResolvedOptions, tracer: Tracer, server: boolean) {
    this.socket = socket;
    this.raw = socket;
    this.#opts = options;
    this.#server = server;
    this.tracer = tracer;
    this.input = new Input(options.limits.maxLineLength, {
      head: (head) => this.onHead(head),
      error: (err) => this.destroy(socketError(err)),
      close: () => this.#onClose(),
    });
    this.input.attach(socket);
    const signal = options.signal;
    if (signal !== undefined) {
      this.#onConnectionAbort = () => this.destroy(abortedError(signal));
      if (signal.aborted) queueMicrotask(this.#onConnectionAbort);
      else signal.addEventListener('abort', this.#onConnectionAbort, { once: true });
    }
  }

  /** Called with the first two bytes of the session. */
  protected abstract onHead(head: Buffer): void;

  /** Trace direction of what we write: a server writes `s`, a client `c`. */
  protected get outDirection(): 'c' | 's' {
    return this.#server ? 's' : 'c';
  }

  /** Trace direction of what we read. */
  protected get inDirection(): 'c' | 's' {
    return this.#server ? 'c' : 's';
  }

  /** `limits.maxResponseSize`. */
  protected get maxResponseSize(): number {
    return this.#opts.limits.maxResponseSize;
  }

  /** The configured timeout of `phase` in ms. */
  protected timeoutOf(phase: Phase): number {
    return this.#opts.timeouts[phase];
  }

  /** A TLS upgrade was requested and has not finished: nothing may be written. */
  protected get upgrading(): boolean {
    return this.#upgrading;
  }

  /** The current socket has closed. */
  protected get socketClosed(): boolean {
    return this.#socketClosed;
  }

  /** Whether the connection is closed or destroyed. */
  get closed(): boolean {
    return this.error !== undefined || this.#socketClosed;
  }

  /** Throws the error the connection was destroyed with, if any. */
  protected assertOpen(): void {
    const error = this.error;
    if (error !== undefined) throw error;
  }

  /** Traces a received line, redacted when asked. */
  protected traceIn(line: string, redactAfter: number | undefined): void {
    this.tracer.event(this.inDirection, redactAfter === undefined ? line : redactLine(line, redactAfter));
  }

  /**
   * Destroys the connection at once: every pending read, write and handshake settles exactly
   * once with `error` (default `MAIL_CONNECTION_CLOSED`), and every later call rejects.
   */
  destroy(error: MailError = closedError('connection destroyed')): void {
    if (this.error !== undefined) return;
    this.error = error;
    // A normal end (the peer closed after QUIT) reads as such; anything else names its code.
    this.tracer.event('i', error.code === 'MAIL_CONNECTION_CLOSED' ? 'connection closed' : `closed: ${error.code}`);
    if (this.#onConnectionAbort !== undefined) this.#opts.signal?.removeEventListener('abort', this.#onConnectionAbort);
    this.tlsSocket?.destroy();
    this.socket.destroy();
    this.raw.destroy();
    this.input.framer.clear();
    this.#deadlines.clear();
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
  }

  /** Ends gracefully (FIN) and resolves once the socket is closed; never rejects. */
  async close(): Promise<void> {
    if (this.error === undefined && !this.#socketClosed) {
      const closed = new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
      const timer = setTimeout(() => this.destroy(closedError('connection closed')), CLOSE_GRACE_MS);
      this.socket.end();
      await closed;
      clearTimeout(timer);
    }
    this.destroy(closedError('connection closed'));
  }

  /** Tracks `promise` so that destroy() rejects the caller even if `promise` never settles. */
  protected track<T>(promise: Promise<T>): Promise<T> {
    promise.catch(() => undefined);
    if (this.error !== undefined) return Promise.reject(this.error);
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { reject };
      this.#pending.add(entry);
      promise.then(
        (value) => {
          if (this.#pending.delete(entry)) resolve(value);
        },
        (err: unknown) => {
          if (this.#pending.delete(entry)) reject(MailError.is(err) ? err : socketError(err as Error));
        },
      );
    });
  }

  /** Arms the deadline and the call's AbortSignal; both destroy the connection. */
  protected guard(phase: Phase, deadline: number, signal: AbortSignal | undefined): () => void {
    if (signal?.aborted) {
      this.destroy(abortedError(signal));
      this.assertOpen();
    }
    const forget = this.#deadlines.add(deadline, this.#timeoutOf(phase));
    if (signal === undefined) return forget;
    const onAbort = (): void => this.destroy(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    return () => {
      forget();
      signal.removeEventListener('abort', onAbort);
    };
  }

  /** What a missed deadline of `phase` does: destroys the connection with a timeout error. */
  #timeoutOf(phase: Phase): () => void {
    return (this.#onTimeout[phase] ??= () =>
      this.destroy(timeoutError(phase, this.#opts.timeouts[phase], this.input.received === 0 && this.tlsSocket === undefined && !this.#server)));
  }

  /** Takes the next turn among reads (and TLS upgrades), in call order. */
  protected turn(): { ready: Promise<void>; release: () => void } {
    const turn = this.#turns.take();
    return { ready: turn.ready ?? RESOLVED, release: () => this.#turns.release(turn) };
  }

  /** A synchronous read may run now: open, no read or upgrade queued, bytes buffered. */
  protected canReadNow(): boolean {
    return this.#turns.held === 0 && this.error === undefined && this.input.framer.length > 0;
  }

  /**
   * One read: waits for its turn, then calls `attempt` until it returns a value, waiting for
   * input in between. Deadline and signal cover the whole read, queueing included.
   */
  protected read<T>(opts: ReadOptions, defaultPhase: Phase, attempt: () => T | undefined): Promise<T> {
    // Fast path: no other read queued and the answer already buffered (pipelined replies
    // arrive several per network read). Nothing to wait for, so no turn, deadline or abort
    // listener is needed; the outcome is the same as the slow path's first attempt.
    if (this.#turns.held === 0 && this.error === undefined && opts.signal?.aborted !== true && this.input.framer.length > 0) {
      let value: T | undefined;
      try {
        value = attempt();
      } catch (err) {
        return Promise.reject(this.fail(err));
      }
      if (value !== undefined) return Promise.resolve(value);
    }
    return this.#readSlow(opts, defaultPhase, attempt);
  }

  /**
   * A read that has to wait (for its turn or for input). Driven by callbacks rather than an
   * async function: one promise for the caller, and one `then` on the input per wait, where
   * an async loop over `waitInput()` cost five promises and three microtask hops per wait (a
   * pipelined SMTP client waits once per message). Same steps and outcomes as before: the
   * deadline and signal cover the whole read, queueing included; every failure destroys the
   * connection and rejects with its error; a destroy() while waiting rejects at once.
   */
  #readSlow<T>(opts: ReadOptions, defaultPhase: Phase, attempt: () => T | undefined): Promise<T> {
    if (this.error !== undefined) return Promise.reject(this.error);
    const phase = opts.phase ?? defaultPhase;
    const deadline = opts.deadline ?? Date.now() + this.#opts.timeouts[phase];
    let release: (() => void) | undefined;
    try {
      // Without a signal (the usual case) the deadline is armed directly, with no closure.
      release = opts.signal === undefined ? undefined : this.guard(phase, deadline, opts.signal);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const timer = release === undefined ? this.#deadlines.arm(deadline, this.#timeoutOf(phase)) : undefined;
    const turn = this.#turns.take();
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (): void => {
        done = true;
        this.#turns.release(turn);
        if (timer !== undefined) this.#deadlines.disarm(timer);
        else release?.();
      };
      const failed = (err: unknown): void => {
        if (done) return;
        finish();
        reject(this.fail(err));
      };
      // Registered while waiting for input, so that destroy() rejects the read at once.
      const waiting: Pending = { reject: failed };
      const step = (): void => {
        if (done) return;
        let value: T | undefined;
        try {
          this.assertOpen();
          value = attempt();
          if (value === undefined && this.input.ended) throw closedError('connection closed by the peer before a complete reply');
        } catch (err) {
          failed(err);
          return;
        }
        if (value !== undefined) {
          finish();
          resolve(value);
          return;
        }
        if (this.error !== undefined) {
          failed(this.error); // destroyed by the attempt itself (e.g. a throwing logger)
          return;
        }
        this.#pending.add(waiting);
        this.input.wait().then(() => {
          if (this.#pending.delete(waiting)) step();
        }, failed);
      };
      if (turn.ready === undefined) step();
      else turn.ready.then(step, failed);
    });
  }

  /** Waits for more input (or end/close); rejects when the connection is destroyed. */
  protected waitInput(): Promise<void> {
    return this.track(this.input.wait());
  }

  /** Destroys the connection with `err` (as a MailError) and returns what callers should see. */
  protected fail(err: unknown): MailError {
    const error = MailError.is(err) ? err : socketError(err as Error);
    this.destroy(error);
    return this.error ?? error;
  }

  /**
   * Replaces the socket with a TLS one made by `handshake`, after checking that nothing is
   * buffered (RFC 3207 §4.2 / CVE-2011-0411: bytes received before TLS must not be used).
   */
  protected async upgrade(
    phase: Phase,
    signal: AbortSignal | undefined,
    handshake: (raw: Duplex) => Promise<tls.TLSSocket>,
    onBuffered?: () => MailError,
  ): Promise<void> {
    this.assertOpen();
    const release = this.guard(phase, Date.now() + this.#opts.timeouts[phase], signal);
    const turn = this.turn();
    // From the call on: writes issued after upgradeToTLS() must not go out in plaintext.
    this.#upgrading = true;
    try {
      await turn.ready;
      this.assertOpen();
      if (this.input.framer.length > 0 || this.raw.readableLength > 0) {
        throw (
          onBuffered?.() ??
          new MailError(
            'MAIL_STARTTLS_INJECTION',
            'data was received after the STARTTLS go-ahead and before the TLS handshake (possible injection); connection closed',
          )
        );
      }
      this.input.detach();
      const socket = await this.track(handshake(this.raw));
      this.socket = socket;
      this.input.attach(socket);
    } catch (err) {
      throw this.fail(err);
    } finally {
      this.#upgrading = false;
      turn.release();
      release();
    }
  }

  #onClose(): void {
    this.#socketClosed = true;
    if (this.#onConnectionAbort !== undefined) this.#opts.signal?.removeEventListener('abort', this.#onConnectionAbort);
    const waiters = this.#closeWaiters;
    this.#closeWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
