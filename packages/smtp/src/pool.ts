/**
 * `SMTPPool`: several sessions to one server, reused for many messages — bounded
 * connections, messages per connection and idle time, a token-bucket rate limit, and a retry
 * policy for transient failures that never retries a message whose outcome is unknown
 * (RFC 1047) nor a streamed message (it cannot be read twice).
 */
import { MailError } from '@mail/transport';
import { SMTP } from './client.js';
import { prepareMessage, type SendMessageOptions } from './message.js';
import type { SMTPConnectOptions } from './options.js';
import { abortError } from './queue.js';
import { TokenBucket, sleep, type RateLimit } from './rate-limit.js';
import type { BodyInput } from './body.js';
import type { SendMailOptions, SendResult } from './result.js';

export type { RateLimit } from './rate-limit.js';

/** Retries of transient failures (4xx replies, 421, lost connections before the end of data). */
export interface RetryPolicy {
  /** Tries in total, the first included. Default 3. */
  attempts?: number;
  /** Delay before the first retry in ms, doubled each time. Default 1000. */
  minDelay?: number;
  /** Longest delay in ms. Default 30 000. */
  maxDelay?: number;
}

/** Options of {@link SMTPPool}: the connection's, plus the pool's. */
export interface SMTPPoolOptions extends SMTPConnectOptions {
  /** Most open connections. Default 5. */
  maxConnections?: number;
  /** Messages per connection before it is replaced. Default 100. */
  maxMessages?: number;
  /** Idle connections are closed (QUIT) after this many ms. Default 30 000. */
  idleTimeout?: number;
  /** At most `messages` per `interval` ms across the pool. */
  rateLimit?: RateLimit;
  /** Retry policy; `false` for none. */
  retry?: RetryPolicy | false;
  /** Opens a session (default `SMTP.connect`; e.g. `LMTP.connect` or a test double). */
  connect?: (options: SMTPConnectOptions) => Promise<SMTP>;
}

interface Slot {
  smtp: SMTP;
  messages: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A pool of SMTP sessions.
 *
 * @example
 * ```ts
 * await using pool = new SMTPPool({ host, port: 587, auth: { username, password }, rateLimit: { messages: 10, interval: 1000 } });
 * await Promise.all(messages.map((m) => pool.sendMail(m)));
 * ```
 */
export class SMTPPool implements AsyncDisposable {
  readonly #options: SMTPPoolOptions;
  readonly #idle: Slot[] = [];
  readonly #busy = new Set<Slot>();
  readonly #waiters: Array<{ resolve: (slot: Slot | undefined) => void }> = [];
  readonly #bucket: TokenBucket | undefined;
  #opening = 0;
  #closed = false;
  #opened = 0;

  constructor(options: SMTPPoolOptions) {
    this.#options = options;
    this.#bucket = options.rateLimit ? new TokenBucket(options.rateLimit) : undefined;
  }

  /** Connections open now, and how many were opened in total. */
  get stats(): { idle: number; busy: number; opened: number } {
    return { idle: this.#idle.length, busy: this.#busy.size, opened: this.#opened };
  }

  /** Sends one message on a pooled session, with the retry policy. */
  async sendMail(options: SendMailOptions): Promise<SendResult> {
    const policy = this.#options.retry === false ? { attempts: 1 } : (this.#options.retry ?? {});
    const attempts = Math.max(1, policy.attempts ?? 3);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#sendOnce(options);
      } catch (error) {
        if (attempt >= attempts || !retryable(error, options.message)) throw error;
        const delay = Math.min(policy.maxDelay ?? 30_000, (policy.minDelay ?? 1000) * 2 ** (attempt - 1));
        await sleep(delay, options.signal);
      }
    }
  }

  /** smtplib's send_message on a pooled session. */
  async sendMessage(message: BodyInput, options: SendMessageOptions = {}): Promise<SendResult> {
    return this.sendMail(await prepareMessage(message, options));
  }

  async #sendOnce(options: SendMailOptions): Promise<SendResult> {
    await this.#bucket?.take(options.signal);
    const slot = await this.#acquire(options.signal);
    try {
      return await slot.smtp.sendMail(options);
    } finally {
      slot.messages++;
      this.#release(slot);
    }
  }

  async #acquire(signal?: AbortSignal): Promise<Slot> {
    for (;;) {
      if (this.#closed) throw new MailError('MAIL_CONNECTION_CLOSED', 'the pool is closed');
      if (signal?.aborted) throw abortError(signal);
      const idle = this.#idle.pop();
      if (idle) {
        clearTimeout(idle.timer);
        if (idle.smtp.closed) continue;
        this.#busy.add(idle);
        return idle;
      }
      if (this.#busy.size + this.#opening < (this.#options.maxConnections ?? 5)) {
        this.#opening++;
        try {
          const smtp = await (this.#options.connect ?? ((o: SMTPConnectOptions) => SMTP.connect(o)))({ ...this.#options, signal });
          this.#opened++;
          const slot: Slot = { smtp, messages: 0, timer: undefined };
          this.#busy.add(slot);
          return slot;
        } catch (error) {
          // The place is free again: let a waiter try to open it.
          this.#waiters.shift()?.resolve(undefined);
          throw error;
        } finally {
          this.#opening--;
        }
      }
      const slot = await this.#wait(signal);
      if (slot) {
        this.#busy.add(slot);
        return slot;
      }
    }
  }

  /** Waits for a slot to be handed over (or for room to open one: undefined); abortable. */
  #wait(signal?: AbortSignal): Promise<Slot | undefined> {
    return new Promise<Slot | undefined>((resolve, reject) => {
      const waiter = {
        resolve: (slot: Slot | undefined): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(slot);
        },
      };
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #release(slot: Slot): void {
    this.#busy.delete(slot);
    const worn = slot.messages >= (this.#options.maxMessages ?? 100);
    if (this.#closed || worn || slot.smtp.closed) {
      void slot.smtp[Symbol.asyncDispose]();
      // A waiter gets a fresh connection (the slot is free now).
      this.#waiters.shift()?.resolve(undefined);
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) return waiter.resolve(slot);
    slot.timer = setTimeout(() => {
      const i = this.#idle.indexOf(slot);
      if (i >= 0) this.#idle.splice(i, 1);
      void slot.smtp[Symbol.asyncDispose]();
    }, this.#options.idleTimeout ?? 30_000);
    slot.timer.unref();
    this.#idle.push(slot);
  }

  /** Stops taking messages, QUITs idle sessions and those in use once their message is done. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.resolve(undefined);
    const idle = this.#idle.splice(0);
    for (const slot of idle) clearTimeout(slot.timer);
    await Promise.all(idle.map((slot) => slot.smtp[Symbol.asyncDispose]()));
  }

  /** `await using pool = new SMTPPool(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Transient, not outcome-unknown, and the message can be sent again. */
function retryable(error: unknown, message: BodyInput): boolean {
  if (!MailError.is(error) || !error.transient) return false;
  if (error.code === 'SMTP_OUTCOME_UNKNOWN' || error.code === 'MAIL_ABORTED') return false;
  return typeof message === 'string' || message instanceof Uint8Array;
}
