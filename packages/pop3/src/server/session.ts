/**
 * One POP3 session (RFC 1939): AUTHORIZATION, TRANSACTION, UPDATE. Pipelined commands
 * (RFC 2449 §6.6) are answered in order and their responses written together.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { ChannelError, type ServerChannel } from '@mail/transport';
import type { POP3Config } from './config.js';
import { authCommand, apopCommand, passCommand, userCommand } from './login.js';
import { transactionCommand } from './transaction.js';
import type { Mailbox, MailboxEntry } from './mailbox.js';
import type { POP3SessionInfo } from './types.js';
import { formatResponse, type POP3ResponseCode } from '../protocol/status.js';
import { parseCommandLine } from '../protocol/commands.js';
import { runWithTimeout, TIMED_OUT, Watchdog } from './hook-timeout.js';

let nextId = 1;

/** AUTH continuation lines may be much longer than commands (RFC 5034 §4). */
export const MAX_SASL_LINE = 12288;

/** Per-connection state. */
export class POP3Session implements POP3SessionInfo {
  readonly id = nextId++;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** RFC 1939 §7: `<process-ID.clock@hostname>`, unique per greeting. */
  readonly timestamp: string;
  state: 'authorization' | 'transaction' | 'done' = 'authorization';
  user: string | undefined;
  /** USER given, waiting for PASS. */
  pendingUser: string | undefined;
  mailbox: Mailbox | undefined;
  messages: MailboxEntry[] = [];
  deleted = new Set<number>();
  badCommands = 0;
  /** The hook deadline of message reads: one timer per session, refreshed for every chunk. */
  readonly reads: Watchdog;

  constructor(
    readonly config: POP3Config,
    readonly channel: ServerChannel,
    socket: Socket,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.reads = new Watchdog(config.hookTimeout);
    this.timestamp = `<${process.pid}.${Date.now()}.${randomBytes(4).toString('hex')}@${config.hostname}>`;
  }

  /** QUIT was processed. */
  get finished(): boolean {
    return this.state === 'done';
  }

  get secure(): boolean {
    return this.channel.secure;
  }

  /** Credentials may be sent now (TLS, or explicitly allowed). */
  get authAllowed(): boolean {
    return this.secure || this.config.options.allowInsecureAuth === true;
  }

  /** Queues `+OK text`. */
  ok(text = ''): void {
    this.#line(formatResponse(true, text));
  }

  /** Queues `-ERR [CODE] text` and counts the error. */
  err(text: string, code?: POP3ResponseCode): void {
    this.#line(formatResponse(false, text, code));
    this.badCommands++;
  }

  /** Queues a raw protocol line (CRLF added). */
  line(text: string): void {
    this.channel.send(`${text}\r\n`);
  }

  #line(text: string): void {
    this.trace('S', text);
    this.line(text);
  }

  trace(direction: 'C' | 'S', text: string): void {
    // eslint-disable-next-line no-control-regex -- control characters from the network are escaped
    if (this.config.options.debug) this.config.log(`pop3#${this.id} ${direction}: ${text.replace(/[\x00-\x1f\x7f]/g, '?')}`);
  }

  log(text: string): void {
    this.config.log(`pop3#${this.id} ${text}`);
  }

  readLine(max = this.config.maxLineLength): ReturnType<ServerChannel['readLine']> {
    return this.channel.readLine(max, Date.now() + this.config.commandTimeout);
  }

  /** Runs the session to its end; never throws. */
  async run(): Promise<void> {
    try {
      this.ok(`POP3 server ready${this.config.apop ? ` ${this.timestamp}` : ''}`);
      while (this.state !== 'done') {
        // RFC 1939 §3: the autologout timer.
        const line = await this.channel.readCommand(this.config.maxLineLength, Date.now() + this.config.commandTimeout, (reason) =>
          this.err(reason === 'timeout' ? 'Autologout timer expired, closing connection' : 'Line too long, closing connection'),
        );
        if (line === undefined) return;
        await this.#dispatch(line.text, line.bare);
        if (this.badCommands >= this.config.maxBadCommands && !this.finished) {
          this.err('Too many errors, closing connection');
          return;
        }
        await this.channel.flush();
      }
    } catch (error) {
      if (!(error instanceof ChannelError)) this.log(`error: ${(error as Error).message}`);
    } finally {
      this.reads.stop();
      await this.release();
      await this.channel.end().catch(() => undefined);
    }
  }

  /** Closes the mailbox and drops the lock, without applying deletions. */
  async release(): Promise<void> {
    const mailbox = this.mailbox;
    this.mailbox = undefined;
    if (this.user !== undefined && mailbox) this.config.locked.delete(this.user);
    if (mailbox?.close) await closeMailbox(this, mailbox);
  }

  /**
   * Calls user code (`name` for the log) with the `hookTimeout` deadline. Resolves with its
   * value or {@link TIMED_OUT} (logged; a late settle is ignored); rejects when it throws.
   */
  async hook<T>(name: string, run: (signal: AbortSignal) => T | PromiseLike<T>): Promise<T | typeof TIMED_OUT> {
    const result = await runWithTimeout(name, this.config.hookTimeout, run);
    if (result === TIMED_OUT) this.log(`${name} hook timed out after ${this.config.hookTimeout} ms`);
    return result;
  }

  async #dispatch(text: string, bare: boolean): Promise<void> {
    // The channel already enforced the line length; the shared parser checks the rest.
    const parsed = parseCommandLine(text, { maxLength: Number.MAX_SAFE_INTEGER });
    const verb = parsed.ok ? parsed.value.verb : '';
    const arg = parsed.ok ? parsed.value.argText : '';
    this.trace('C', verb === 'PASS' || verb === 'AUTH' || verb === 'APOP' ? `${verb} ****` : text);
    if (bare) return this.err('Lines must end with CRLF');
    if (!parsed.ok) return this.err('Malformed command');
    if (verb === 'CAPA') return this.#capa();
    if (verb === 'QUIT') return this.#quit();
    if (verb === 'NOOP' && this.state === 'transaction') return this.ok();
    if (this.state === 'authorization') {
      switch (verb) {
        case 'STLS':
          return this.#stls();
        case 'USER':
          return userCommand(this, arg);
        case 'PASS':
          return passCommand(this, arg);
        case 'APOP':
          return apopCommand(this, arg);
        case 'AUTH':
          return authCommand(this, arg);
        default:
          return this.err(`${verb === '' ? 'Empty command' : 'Unknown command or not allowed before login'}`);
      }
    }
    return transactionCommand(this, verb, arg);
  }

  #capa(): void {
    const lines = ['CAPA', 'TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER', 'IMPLEMENTATION @mail/pop3'];
    if (this.state === 'authorization') {
      if (this.config.tls && !this.secure) lines.push('STLS');
      if (this.authAllowed) lines.push('USER', `SASL ${this.config.mechanisms.join(' ')}`);
    }
    this.ok('Capability list follows');
    for (const l of lines.slice(1)) this.line(l);
    this.line('.');
  }

  async #stls(): Promise<void> {
    if (!this.config.tls) return this.err('STLS not available');
    if (this.secure) return this.err('Already using TLS');
    this.ok('Begin TLS negotiation');
    const discarded = await this.channel.startTLS(this.config.tls, Date.now() + this.config.tlsTimeout);
    this.log(`TLS established (${this.channel.tlsDescription()})`);
    // Commands pipelined behind STLS in plaintext are never executed (CVE-2011-0411 class).
    if (discarded > 0) this.log(`discarded ${discarded} plaintext bytes sent after STLS`);
    this.pendingUser = undefined;
  }

  async #quit(): Promise<void> {
    if (this.state !== 'transaction') {
      this.state = 'done';
      return this.ok(`${this.config.hostname} POP3 server signing off`);
    }
    // RFC 1939 §6: the UPDATE state removes the messages marked as deleted.
    const uids = [...this.deleted].map((n) => this.messages[n - 1]!.uid);
    this.state = 'done';
    try {
      const mailbox = this.mailbox!;
      // A timed-out delete may still complete later; the client is told it did not (RFC 3206 §4).
      if (uids.length > 0 && (await this.hook('delete', () => mailbox.delete(uids))) === TIMED_OUT) {
        return this.err('Some deleted messages not removed, try again later', 'SYS/TEMP');
      }
      this.ok(`${this.config.hostname} POP3 server signing off (${uids.length} messages deleted)`);
      this.log(`quit user=${this.user ?? ''} deleted=${uids.length}`);
    } catch (error) {
      this.log(`deleting failed: ${(error as Error).message}`);
      this.err('Some deleted messages not removed', 'SYS/TEMP');
    }
  }
}

/** Closes `mailbox` with the hook deadline; errors and timeouts are only logged. */
export async function closeMailbox(session: POP3Session, mailbox: Mailbox): Promise<void> {
  try {
    await session.hook('close', () => mailbox.close?.());
  } catch (error) {
    session.log(`closing mailbox failed: ${(error as Error).message}`);
  }
}
