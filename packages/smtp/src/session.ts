/**
 * The session half of the SMTP client: greeting, EHLO/HELO/LHLO, STARTTLS, AUTH and the
 * capabilities they yield (SECURITY.md promises 1 and 2). The verbs live in client.ts.
 */
import { MailError, assertMechanismAllowed, chooseMechanism, createMechanism, type Connection, type SaslCredentials, type TLSInfo } from '@mail/transport';
import { authenticate } from './auth.js';
import { ReplyChannel } from './channel.js';
import { SMTPHeloError, SMTPNotSupportedError, SMTPReplyError, guard } from './errors.js';
import type { ResolvedSMTPOptions } from './options.js';
import * as cmd from './protocol/commands.js';
import { hasKeyword, heloCapabilities, parseEhlo, type Capabilities } from './protocol/ehlo.js';
import { isPositive, type Reply } from './protocol/reply.js';
import { CommandQueue } from './queue.js';

/** `{ signal }`, accepted by every call. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Options of {@link SMTPSession.login}. */
export interface LoginOptions extends CallOptions {
  /** Use this mechanism instead of the strongest one both sides allow. */
  mechanism?: string;
  /** Restrict the automatic choice to these mechanisms. */
  allowed?: string[];
  /** Act as this user (SASL authorization identity). */
  authzid?: string;
}

/** Connection, capabilities and the handshake verbs; extended by {@link SMTP} and LMTP. */
export class SMTPSession {
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

  /** @internal The handshake shared with LMTP. */
  protected static async setUp<T extends SMTPSession>(session: T, signal?: AbortSignal): Promise<T> {
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
    // Anything sent with or after the greeting, before EHLO, is unasked (promise 4).
    await this.channel.checkUnsolicited(signal);
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
    return this.queue.run(async () => {
      await this.channel.checkUnsolicited(opts.signal);
      return fn();
    }, { signal: opts.signal });
  }

  /** @internal One command, one reply; `ok` decides what is positive. */
  protected async exchange(line: string, shown: string, ok: (r: Reply) => boolean, signal?: AbortSignal): Promise<Reply> {
    await this.channel.conn.writeCommand(line, { signal });
    const reply = await this.channel.read({ signal });
    if (!ok(reply)) throw new SMTPReplyError(shown, reply);
    return reply;
  }

  /**
   * One greeting exchange (EHLO, HELO or LHLO): the reply must be positive, then it replaces the
   * capabilities. EHLO and LHLO forget the old capabilities first (a refused EHLO leaves none);
   * HELO keeps them until it succeeds.
   */
  async #greet(verb: 'EHLO' | 'HELO' | 'LHLO', line: string, capabilitiesOf: (reply: Reply) => Capabilities, signal?: AbortSignal): Promise<Reply> {
    if (verb !== 'HELO') this.#caps = undefined;
    await this.channel.conn.writeCommand(line, { signal });
    const reply = await this.channel.read({ signal });
    if (!isPositive(reply)) throw new SMTPHeloError(verb, reply);
    this.#caps = capabilitiesOf(reply);
    return reply;
  }

  async #ehlo(name: string, signal?: AbortSignal): Promise<Reply> {
    return this.#greet('EHLO', guard(() => cmd.formatEhlo(name)), parseEhlo, signal);
  }

  async #helo(name: string, signal?: AbortSignal): Promise<Reply> {
    return this.#greet('HELO', guard(() => cmd.formatHelo(name)), heloCapabilities, signal);
  }

  /** @internal LHLO for LMTP (RFC 2033 §4.1). */
  protected async lhlo(name: string, signal?: AbortSignal): Promise<Reply> {
    return this.#greet('LHLO', guard(() => cmd.formatLhlo(name)), parseEhlo, signal);
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
}
