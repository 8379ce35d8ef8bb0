/**
 * The POP3 client (RFC 1939, 2449, 2595, 5034, 6856): `POP3.connect()` and the verbs, with
 * poplib's names. Commands are serialised; see {@link POP3}.
 */
import { connect, MailError, type SaslMechanism, type TLSInfo } from '@mail/transport';
import { apop, auth, login, pass, user, type AuthCredentials, type LoginOptions } from './auth.js';
import { Core, type POP3State } from './core.js';
import { lang, type LanguageEntry } from './lang.js';
import { listAll, listOne } from './listings.js';
import { deleMany } from './dele-many.js';
import { messages, retrMany, type FetchedMessage, type MessagesOptions, type RetrManyOptions } from './pipelining.js';
import { retrieve, retrieveStream, checkMsg } from './retrieve.js';
import { startTLS } from './stls.js';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  resolvePortAndSecurity,
  type CallOptions,
  type POP3ConnectOptions,
} from './options.js';
import {
  MAX_STATUS_LINE,
  parseListLine,
  parseStat,
  parseUidlLine,
  type ListEntry,
  type POP3Capabilities,
  type StatResult,
  type UidlEntry,
} from './protocol/index.js';

/**
 * A POP3 session.
 *
 * @example
 * ```ts
 * await using pop = await POP3.connect({ host: 'pop.example.com' }); // 995, implicit TLS
 * await pop.login('user', 'password');
 * const { count } = await pop.stat();
 * for await (const m of pop.messages({ delete: true })) await store(m.data);
 * ```
 */
export class POP3 implements AsyncDisposable {
  readonly #core: Core;

  private constructor(core: Core) {
    this.#core = core;
  }

  /**
   * Connects, reads the greeting and the capabilities. With `security: 'starttls'` (the
   * default on port 110) STLS is required: a server that hides or refuses it, or sends data
   * after its go-ahead, fails the connect with a typed error; nothing is sent in plaintext.
   */
  static async connect(options: POP3ConnectOptions): Promise<POP3> {
    const { allowPlaintextAuth = false, maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE, ...rest } = options;
    const { port, security } = resolvePortAndSecurity(options);
    if (!Number.isSafeInteger(maxMessageSize) || maxMessageSize < 1) {
      throw new MailError('MAIL_INVALID_ARGUMENT', 'maxMessageSize must be a positive integer');
    }
    const conn = await connect({
      ...rest,
      port,
      security,
      protocol: 'pop3',
      // Status and listing lines are short (RFC 1939 §3: 512 octets); bodies are unlimited.
      limits: { maxLineLength: MAX_STATUS_LINE, ...rest.limits },
    });
    const core = new Core(conn, allowPlaintextAuth, maxMessageSize);
    try {
      await core.readGreeting(options.signal);
      if (security === 'starttls') {
        await startTLS(core, options.signal, true);
      } else {
        await core.refreshCapabilities(options.signal);
      }
    } catch (error) {
      conn.destroy(MailError.is(error) ? error : undefined);
      throw error;
    }
    return new POP3(core);
  }

  /**
   * The server's greeting text (poplib's `getwelcome()`), without `+OK `. Raw server text:
   * escape it (e.g. `escapeForTerminal` from @mail/transport) before printing it.
   */
  get greeting(): string {
    return this.#core.greeting;
  }

  /** The capabilities as last learned (refreshed after STLS and login); undefined without CAPA. */
  get capabilities(): POP3Capabilities | undefined {
    return this.#core.capabilities;
  }

  /** RFC 1939 §3 state: AUTHORIZATION, TRANSACTION, UPDATE (after QUIT), or CLOSED. */
  get state(): POP3State {
    return this.#core.conn.closed && this.#core.state !== 'UPDATE' ? 'CLOSED' : this.#core.state;
  }

  /** Whether a verified TLS session is in place. */
  get secure(): boolean {
    return this.#core.conn.secure;
  }

  /** Protocol, cipher and peer certificate of the TLS session, if any. */
  get tlsInfo(): TLSInfo | undefined {
    return this.#core.conn.tlsInfo;
  }

  /** USER (RFC 1939 §7). Needs TLS or `allowPlaintextAuth`. */
  user(name: string, options?: CallOptions): Promise<string> {
    return user(this.#core, name, options);
  }

  /** PASS (RFC 1939 §7); the password never appears in traces or errors. */
  pass(password: string, options?: CallOptions): Promise<string> {
    return pass(this.#core, password, options);
  }

  /** APOP (RFC 1939 §7): MD5 of the greeting's timestamp and `secret`. */
  apop(name: string, secret: string, options?: CallOptions): Promise<string> {
    return apop(this.#core, name, secret, options);
  }

  /** AUTH (RFC 5034) with a mechanism name (or a ready {@link SaslMechanism}), with initial response. */
  auth(mechanism: string | SaslMechanism, credentials: AuthCredentials, options?: CallOptions): Promise<string> {
    return auth(this.#core, mechanism, credentials, options);
  }

  /** Logs in with the strongest method both sides allow: SASL by rank, then APOP if asked, then USER/PASS. */
  login(username: string, password: string, options?: LoginOptions): Promise<string> {
    return login(this.#core, username, password, options);
  }

  /** STAT (RFC 1939 §5): messages not marked deleted, and their total size. */
  async stat(options: CallOptions = {}): Promise<StatResult> {
    const reply = await this.#core.command('STAT', options);
    return this.#core.unwrap(parseStat(reply.text));
  }

  /** LIST (RFC 1939 §5): every message's size, or one message's. */
  list(options?: CallOptions): Promise<ListEntry[]>;
  list(msg: number, options?: CallOptions): Promise<ListEntry>;
  async list(msgOrOptions?: number | CallOptions, options: CallOptions = {}): Promise<ListEntry[] | ListEntry> {
    return typeof msgOrOptions === 'number'
      ? listOne(this.#core, 'LIST', msgOrOptions, parseListLine, options)
      : listAll(this.#core, 'LIST', parseListLine, msgOrOptions ?? options);
  }

  /** UIDL (RFC 1939 §7): every message's unique id, or one message's. */
  uidl(options?: CallOptions): Promise<UidlEntry[]>;
  uidl(msg: number, options?: CallOptions): Promise<UidlEntry>;
  async uidl(msgOrOptions?: number | CallOptions, options: CallOptions = {}): Promise<UidlEntry[] | UidlEntry> {
    return typeof msgOrOptions === 'number'
      ? listOne(this.#core, 'UIDL', msgOrOptions, parseUidlLine, options)
      : listAll(this.#core, 'UIDL', parseUidlLine, msgOrOptions ?? options);
  }

  /**
   * RETR (RFC 1939 §5): the message's octets as the server stores them: unstuffed, line
   * endings as received, the final CRLF included. Bounded by `maxMessageSize`.
   */
  retr(msg: number, options: CallOptions = {}): Promise<Buffer> {
    return retrieve(this.#core, `RETR ${checkMsg(msg)}`, options);
  }

  /**
   * RETR as chunks with backpressure: memory stays bounded whatever the size. The command
   * is sent when iteration starts; stopping early closes the connection (out of sync).
   */
  retrStream(msg: number, options: CallOptions = {}): AsyncIterable<Buffer> {
    return retrieveStream(this.#core, `RETR ${checkMsg(msg)}`, options);
  }

  /** TOP (RFC 1939 §7): the header and the first `lines` body lines. */
  top(msg: number, lines: number, options: CallOptions = {}): Promise<Buffer> {
    return retrieve(this.#core, `TOP ${checkMsg(msg)} ${checkMsg(lines, 0)}`, options);
  }

  /** DELE (RFC 1939 §5): marks for deletion; final only when QUIT succeeds. */
  async dele(msg: number, options: CallOptions = {}): Promise<string> {
    return (await this.#core.command(`DELE ${checkMsg(msg)}`, options)).text;
  }

  /**
   * DELE for many messages at once: pipelined in one write per 1024 when the server offers
   * PIPELINING (RFC 2449 §6.6), one at a time otherwise. Every reply is read; the first
   * `-ERR` is thrown afterwards. Deletions are final only when QUIT succeeds.
   */
  async deleMany(msgs: readonly number[], options: CallOptions = {}): Promise<void> {
    return deleMany(this.#core, msgs, options);
  }

  /** NOOP (RFC 1939 §5). */
  async noop(options: CallOptions = {}): Promise<string> {
    return (await this.#core.command('NOOP', options)).text;
  }

  /** RSET (RFC 1939 §5): unmarks every message marked deleted. */
  async rset(options: CallOptions = {}): Promise<string> {
    return (await this.#core.command('RSET', options)).text;
  }

  /** CAPA (RFC 2449 §5): asks again and caches; undefined if the server has no CAPA. */
  capa(options: CallOptions = {}): Promise<POP3Capabilities | undefined> {
    return this.#core.queue.run(() => this.#core.refreshCapabilities(options.signal), options.signal);
  }

  /** STLS (RFC 2595 §4): upgrades to TLS and asks CAPA again. Done by `connect` with 'starttls'. */
  stls(options: CallOptions = {}): Promise<void> {
    return this.#core.queue.run(() => startTLS(this.#core, options.signal, false), options.signal);
  }

  /** UTF8 (RFC 6856 §3): the server may send UTF-8 from now on. */
  async utf8(options: CallOptions = {}): Promise<string> {
    return (await this.#core.command('UTF8', options)).text;
  }

  /** LANG (RFC 6856 §4): lists the languages, or selects one for response texts. */
  lang(options?: CallOptions): Promise<LanguageEntry[]>;
  lang(tag: string, options?: CallOptions): Promise<string>;
  lang(tagOrOptions?: string | CallOptions, options: CallOptions = {}): Promise<LanguageEntry[] | string> {
    return lang(this.#core, tagOrOptions, options);
  }

  /** Fetches messages `from`..`to` in order, pipelined when offered (RFC 2449 §6.6). */
  messages(options: MessagesOptions = {}): AsyncIterable<FetchedMessage> {
    return messages(this.#core, options);
  }

  /** Fetches the given messages in order, pipelined when offered. */
  retrMany(msgs: readonly number[], options: RetrManyOptions = {}): AsyncIterable<FetchedMessage> {
    return retrMany(this.#core, msgs, options);
  }

  /**
   * QUIT (RFC 1939 §6): enters UPDATE, where the server removes the messages marked deleted.
   * Deletions are final only when this resolves; the connection is closed either way.
   */
  async quit(options: CallOptions = {}): Promise<string> {
    const core = this.#core;
    return core.queue.run(async () => {
      try {
        const wasTransaction = core.state === 'TRANSACTION';
        const reply = await core.exchange('QUIT', options);
        // RFC 1939 §6: only QUIT from TRANSACTION enters UPDATE (§4: from AUTHORIZATION it just ends).
        core.state = wasTransaction ? 'UPDATE' : 'CLOSED';
        return reply.text;
      } finally {
        if (core.state !== 'UPDATE') core.state = 'CLOSED';
        await core.conn.close().catch(() => undefined);
      }
    }, options.signal);
  }

  /** Drops the connection without QUIT: nothing marked deleted is removed. */
  async close(): Promise<void> {
    if (this.#core.state !== 'UPDATE') this.#core.state = 'CLOSED';
    if (!this.#core.conn.closed) await this.#core.conn.close().catch(() => undefined);
  }

  /** `await using`: QUIT, or close() when QUIT fails. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.state === 'CLOSED' || this.state === 'UPDATE') return;
    try {
      await this.quit();
    } catch {
      await this.close();
    }
  }
}
