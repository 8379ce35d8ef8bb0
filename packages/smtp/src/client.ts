/**
 * The SMTP client: one connection, its capabilities, and every verb of RFC 5321 and its
 * extensions as a method with smtplib's name. Calls are queued so they never interleave.
 */
import { MailError, assertMechanismAllowed, chooseMechanism, connect, createMechanism, type Connection, type SaslCredentials, type TLSInfo } from '@mail/transport';
import { authenticate } from './auth.js';
import { ReplyChannel } from './channel.js';
import {
  SMTPHeloError, SMTPNotSupportedError, SMTPRecipientRefusedError, SMTPReplyError,
  SMTPSenderRefusedError, guard,
} from './errors.js';
import { resolveSMTPOptions, type ResolvedSMTPOptions, type SMTPConnectOptions } from './options.js';
import * as cmd from './protocol/commands.js';
import { hasKeyword, heloCapabilities, parseEhlo, type Capabilities } from './protocol/ehlo.js';
import { isPositive, type Reply } from './protocol/reply.js';
import { CommandQueue } from './queue.js';
import { sendData, sendBdat, type BodyInput } from './data.js';
import { sendMailOn, type SendMailOptions, type SendResult } from './send.js';

/** `{ signal }`, accepted by every call. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Options of {@link SMTP.login}. */
export interface LoginOptions extends CallOptions {
  /** Use this mechanism instead of the strongest one both sides allow. */
  mechanism?: string;
  /** Restrict the automatic choice to these mechanisms. */
  allowed?: string[];
  /** Act as this user (SASL authorization identity). */
  authzid?: string;
}

/**
 * An SMTP session.
 *
 * @example
 * ```ts
 * await using smtp = await SMTP.connect({ host: 'mail.example.com', port: 587 });
 * await smtp.login('user', 'password');
 * const result = await smtp.sendMail({ from: 'a@example.com', to: ['b@example.org'], message });
 * ```
 */
export class SMTP implements AsyncDisposable {
  /** @internal The reply side of the connection. */
  protected readonly channel: ReplyChannel;
  /** @internal */
  protected readonly queue = new CommandQueue();
  /** The resolved options. */
  readonly options: ResolvedSMTPOptions;
  #caps: Capabilities | undefined;
  #greeting: Reply | undefined;
  /** @internal A transaction was left open (MAIL accepted, no final reply): RSET first. */
  needsReset = false;

  protected constructor(conn: Connection, options: ResolvedSMTPOptions) {
    this.channel = new ReplyChannel(conn);
    this.options = options;
  }

  /** Connects, reads the greeting, says EHLO, upgrades with STARTTLS and logs in as configured. */
  static async connect(options: SMTPConnectOptions): Promise<SMTP> {
    const resolved = resolveSMTPOptions(options);
    const conn = await connect({ ...resolved, protocol: 'smtp' });
    return SMTP.setUp(new SMTP(conn, resolved), options.signal);
  }

  /** @internal The handshake shared with LMTP. */
  protected static async setUp<T extends SMTP>(session: T, signal?: AbortSignal): Promise<T> {
    try {
      await session.#handshake(signal);
      return session;
    } catch (error) {
      session.channel.conn.destroy();
      throw error;
    }
  }

  async #handshake(signal?: AbortSignal): Promise<void> {
    const greeting = await this.channel.read({ phase: 'greeting', signal });
    if (greeting.code !== 220) throw new SMTPReplyError('connection greeting', greeting);
    this.#greeting = greeting;
    await this.greet(signal);
    if (this.options.security === 'starttls' && !this.secure) {
      if (!this.hasExtension('STARTTLS')) {
        throw new MailError('MAIL_TLS_REQUIRED', `${this.options.host} does not offer STARTTLS and TLS is required; not continuing in plaintext`);
      }
      try {
        await this.#starttls(signal);
      } catch (error) {
        if (SMTPReplyError.is(error)) throw new MailError('MAIL_TLS_REQUIRED', `STARTTLS failed (${error.message}); not continuing in plaintext`, { cause: error });
        throw error;
      }
    }
    const auth = this.options.auth;
    if (auth) {
      const { mechanism, ...credentials } = auth;
      await this.#login(credentials, { mechanism, signal });
    }
  }

  /** @internal EHLO, or HELO when EHLO is refused and TLS is not still required. */
  protected async greet(signal?: AbortSignal): Promise<void> {
    try {
      await this.#ehlo(this.options.localName, signal);
    } catch (error) {
      const tlsPending = this.options.security === 'starttls' && !this.secure;
      if (!SMTPHeloError.is(error) || error.reply.code < 500 || tlsPending) throw error;
      await this.#helo(this.options.localName, signal);
    }
  }

  /** The capabilities from the last EHLO/LHLO (empty after HELO). */
  get capabilities(): Capabilities {
    return this.#caps ?? { serverName: '', keywords: new Map(), auth: [], size: undefined };
  }

  /** The server's greeting. */
  get greeting(): Reply | undefined {
    return this.#greeting;
  }

  /** True when the server announced `keyword` (case-insensitive), like smtplib's has_extn. */
  hasExtension(keyword: string): boolean {
    return this.#caps !== undefined && hasKeyword(this.#caps, keyword);
  }

  /** The server's SIZE limit in octets (RFC 1870); undefined when it announced none. */
  get maxSize(): number | undefined {
    const size = this.#caps?.size;
    return size === undefined || size === 0 ? undefined : size;
  }

  /** A verified TLS session is in place. */
  get secure(): boolean {
    return this.channel.conn.secure;
  }

  /** Protocol, cipher and certificate of the TLS session. */
  get tlsInfo(): TLSInfo | undefined {
    return this.channel.conn.tlsInfo;
  }

  /** True once the connection is closed. */
  get closed(): boolean {
    return this.channel.conn.closed;
  }

  /** @internal Runs one queued operation. */
  protected enqueue<T>(fn: () => Promise<T>, opts: CallOptions = {}): Promise<T> {
    return this.queue.run(fn, { signal: opts.signal });
  }

  /** @internal One command, one reply; `ok` decides what is positive. */
  protected async exchange(line: string, shown: string, ok: (r: Reply) => boolean, signal?: AbortSignal): Promise<Reply> {
    await this.channel.conn.writeCommand(line, { signal });
    const reply = await this.channel.read({ signal });
    if (!ok(reply)) throw new SMTPReplyError(shown, reply);
    return reply;
  }

  async #ehlo(name: string, signal?: AbortSignal): Promise<Reply> {
    const line = guard(() => cmd.formatEhlo(name));
    this.#caps = undefined;
    await this.channel.conn.writeCommand(line, { signal });
    const reply = await this.channel.read({ signal });
    if (!isPositive(reply)) throw new SMTPHeloError('EHLO', reply);
    this.#caps = parseEhlo(reply);
    return reply;
  }

  async #helo(name: string, signal?: AbortSignal): Promise<Reply> {
    const line = guard(() => cmd.formatHelo(name));
    await this.channel.conn.writeCommand(line, { signal });
    const reply = await this.channel.read({ signal });
    if (!isPositive(reply)) throw new SMTPHeloError('HELO', reply);
    this.#caps = heloCapabilities(reply);
    return reply;
  }

  /** @internal LHLO for LMTP (RFC 2033 §4.1). */
  protected async lhlo(name: string, signal?: AbortSignal): Promise<Reply> {
    const line = guard(() => cmd.formatLhlo(name));
    this.#caps = undefined;
    await this.channel.conn.writeCommand(line, { signal });
    const reply = await this.channel.read({ signal });
    if (!isPositive(reply)) throw new SMTPHeloError('LHLO', reply);
    this.#caps = parseEhlo(reply);
    return reply;
  }

  /** EHLO (RFC 5321 §4.1.1.1); replaces the capabilities. */
  ehlo(name = this.options.localName, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => this.#ehlo(name, opts.signal), opts);
  }

  /** HELO (RFC 5321 §4.1.1.1); no extensions afterwards. */
  helo(name = this.options.localName, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => this.#helo(name, opts.signal), opts);
  }

  async #starttls(signal?: AbortSignal): Promise<Reply> {
    if (this.channel.conn.tlsInfo !== undefined) throw new MailError('MAIL_PROTOCOL', 'TLS is already active');
    const reply = await this.exchange('STARTTLS', 'STARTTLS', (r) => r.code === 220, signal);
    // RFC 3207 §4.2: after the handshake everything learned before is discarded and asked again.
    this.#caps = undefined;
    await this.channel.conn.upgradeToTLS({ signal });
    await this.greet(signal);
    return reply;
  }

  /** STARTTLS (RFC 3207), then EHLO again. Refused → SMTPReplyError; injected data → MAIL_STARTTLS_INJECTION. */
  starttls(opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => {
      if (!this.hasExtension('STARTTLS')) throw new SMTPNotSupportedError('the server does not offer STARTTLS');
      return this.#starttls(opts.signal);
    }, opts);
  }

  async #login(credentials: SaslCredentials, opts: LoginOptions): Promise<Reply> {
    const caps = this.capabilities;
    if (caps.auth.length === 0) throw new SMTPNotSupportedError('the server does not offer AUTH');
    const policy = { secure: this.secure, allowPlaintext: this.options.allowPlaintextAuth === true };
    const name = opts.mechanism ?? chooseMechanism([...caps.auth], { ...policy, credentials, allowed: opts.allowed, channelBinding: this.secure });
    if (name === undefined) {
      if (!this.secure) assertMechanismAllowed(caps.auth.find((m) => m === 'PLAIN' || m === 'LOGIN') ?? 'PLAIN', policy);
      throw new SMTPNotSupportedError(`no SASL mechanism in common (server offers ${caps.auth.join(', ')})`);
    }
    assertMechanismAllowed(name, policy);
    const conn = this.channel.conn;
    const mechanism = createMechanism(name, credentials, {
      host: conn.host, port: conn.options.port, secure: this.secure, channelBinding: (kind) => conn.channelBinding(kind),
    });
    const reply = await authenticate(this.channel, mechanism, opts.signal);
    // Capabilities may change after AUTH (RFC 4954 §4): ask again.
    await this.#ehlo(this.options.localName, opts.signal);
    return reply;
  }

  /** AUTH with a given mechanism and credentials (RFC 4954). */
  auth(mechanism: string, credentials: SaslCredentials, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => this.#login(credentials, { ...opts, mechanism }), opts);
  }

  /** Logs in with the strongest mechanism both sides allow (SCRAM > CRAM-MD5 > PLAIN > LOGIN). */
  login(username: string, password: string, opts: LoginOptions = {}): Promise<Reply> {
    return this.enqueue(() => this.#login({ username, password, authzid: opts.authzid }, opts), opts);
  }

  /** MAIL FROM (RFC 5321 §4.1.1.2) with ESMTP parameters; refused → SMTPSenderRefusedError. */
  mail(from: string, params: cmd.MailParams = {}, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      const line = guard(() => cmd.formatMailFrom(from, params));
      await this.channel.conn.writeCommand(line, { signal: opts.signal });
      const reply = await this.channel.read({ signal: opts.signal });
      if (!isPositive(reply)) throw new SMTPSenderRefusedError(from, line, reply);
      this.needsReset = true;
      return reply;
    }, opts);
  }

  /** RCPT TO (RFC 5321 §4.1.1.3) with DSN parameters; refused → SMTPRecipientRefusedError. */
  rcpt(to: string, params: cmd.RcptParams = {}, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      const line = guard(() => cmd.formatRcptTo(to, params));
      await this.channel.conn.writeCommand(line, { signal: opts.signal });
      const reply = await this.channel.read({ signal: opts.signal });
      if (!isPositive(reply)) throw new SMTPRecipientRefusedError(to, line, reply);
      return reply;
    }, opts);
  }

  /**
   * DATA (RFC 5321 §4.1.1.4): sends the message normalised and dot-stuffed, resolves with the
   * reply after the final dot. Lost connection after the dot → SMTPOutcomeUnknownError.
   */
  data(message: BodyInput, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      const reply = await sendData(this.channel, message, opts.signal);
      this.needsReset = false;
      return reply;
    }, opts);
  }

  /** BDAT (RFC 3030): one chunk (line endings normalised), `last` ends the message. */
  bdat(chunk: string | Uint8Array, opts: CallOptions & { last?: boolean } = {}): Promise<Reply> {
    return this.enqueue(async () => {
      if (!this.hasExtension('CHUNKING')) throw new SMTPNotSupportedError('the server does not offer CHUNKING');
      const reply = await sendBdat(this.channel, chunk, opts.last === true, opts.signal);
      if (opts.last === true) this.needsReset = false;
      return reply;
    }, opts);
  }

  /** RSET (RFC 5321 §4.1.1.5). */
  rset(opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      const reply = await this.exchange('RSET', 'RSET', isPositive, opts.signal);
      this.needsReset = false;
      return reply;
    }, opts);
  }

  /** NOOP (RFC 5321 §4.1.1.9). */
  noop(opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => this.exchange('NOOP', 'NOOP', isPositive, opts.signal), opts);
  }

  /** VRFY (RFC 5321 §4.1.1.6); 250, 251 and 252 resolve. */
  verify(address: string, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => {
      const line = guard(() => cmd.formatWithArgument('VRFY', address));
      return this.exchange(line, line, isPositive, opts.signal);
    }, opts);
  }

  /** EXPN (RFC 5321 §4.1.1.7). */
  expn(list: string, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => {
      const line = guard(() => cmd.formatWithArgument('EXPN', list));
      return this.exchange(line, line, isPositive, opts.signal);
    }, opts);
  }

  /** HELP (RFC 5321 §4.1.1.8); 211 and 214 resolve. */
  help(topic?: string, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(() => {
      const line = guard(() => cmd.formatWithArgument('HELP', topic));
      return this.exchange(line, line, isPositive, opts.signal);
    }, opts);
  }

  /**
   * Any command line (smtplib's docmd): resolves with 2xx and 3xx replies, throws
   * SMTPReplyError on 4xx/5xx. CR, LF and NUL are refused before anything is written.
   */
  command(line: string, opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      const checked = guard(() => cmd.formatCommand(line));
      const secret = /^\s*AUTH\b/i.test(checked);
      const shown = secret ? checked.split(/\s+/).slice(0, 2).join(' ') : checked;
      await this.channel.conn.writeCommand(checked, { signal: opts.signal, ...(secret ? { redactAfter: 2 } : {}) });
      const reply = await this.channel.read({ signal: opts.signal });
      if (reply.code >= 400) throw new SMTPReplyError(shown, reply);
      return reply;
    }, opts);
  }

  /** QUIT (RFC 5321 §4.1.1.10), then closes the connection whatever the reply. */
  quit(opts: CallOptions = {}): Promise<Reply> {
    return this.enqueue(async () => {
      try {
        return await this.exchange('QUIT', 'QUIT', (r) => r.code === 221, opts.signal);
      } finally {
        await this.channel.conn.close();
      }
    }, opts);
  }

  /** Closes the connection without QUIT (smtplib's close). */
  async close(): Promise<void> {
    await this.channel.conn.close();
  }

  /** The whole transaction: see {@link SendMailOptions} and {@link SendResult}. */
  sendMail(options: SendMailOptions): Promise<SendResult> {
    return sendMailOn(this.session(), options);
  }

  /** @internal What send.ts drives. */
  protected session(): import('./send.js').Session {
    return { channel: this.channel, queue: this.queue, smtp: this, lmtp: false };
  }

  /** QUIT if still connected (errors ignored), then close. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.closed) await this.quit().catch(() => undefined);
    await this.close().catch(() => undefined);
  }
}

