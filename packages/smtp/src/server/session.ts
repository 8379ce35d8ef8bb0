/**
 * One SMTP/LMTP session: reads commands in order and answers each (RFC 5321 §4.1, RFC 2033).
 * Replies are corked while pipelined commands are buffered (RFC 2920) and flushed before the
 * session waits for input.
 */
import type { Socket } from 'node:net';
import { formatEhloLines } from '../protocol/ehlo.js';
import { ChannelError, type ServerChannel } from '@mail/transport';
import { formatServerReply, reply, type ServerConfig } from './context.js';
import { callHook } from './call-hook.js';
import { handleAuth } from './auth.js';
import { handleMail, handleRcpt } from './transaction.js';
import { handleBdat, handleData } from './content.js';
import type { Envelope, SessionInfo } from './types.js';

let nextId = 1;

const CONNECT_ACCEPT = { code: 250, enhanced: '2.0.0', message: 'OK' };

/** Mutable per-connection state; the command handlers work on it. */
export class Session implements SessionInfo {
  readonly id = nextId++;
  readonly remoteAddress: string;
  readonly remotePort: number;
  clientName: string | undefined;
  extended = false;
  user: string | undefined;
  envelope: Envelope | undefined;
  badCommands = 0;
  quitting = false;

  constructor(
    readonly config: ServerConfig,
    readonly channel: ServerChannel,
    socket: Socket,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
  }

  get secure(): boolean {
    return this.channel.secure;
  }

  get lmtp(): boolean {
    return this.config.lmtp;
  }

  /** Queues a reply (and traces it). */
  send(code: number, enhanced: string | undefined, text: string | readonly string[]): void {
    const wire = reply(code, enhanced, text);
    this.trace('S', wire);
    this.channel.send(wire);
  }

  /** Traces a line when debugging; callers pass already redacted text. */
  trace(direction: 'C' | 'S', text: string): void {
    if (!this.config.options.debug) return;
    for (const line of text.split('\r\n')) if (line !== '') this.config.log(`smtp#${this.id} ${direction}: ${escape(line)}`);
  }

  /** Info log line for this session. */
  log(text: string): void {
    this.config.log(`smtp#${this.id} ${text}`);
  }

  /** Reads the next command line with the command deadline. */
  readLine(): ReturnType<ServerChannel['readLine']> {
    return this.channel.readLine(this.config.maxLineLength, Date.now() + this.config.commandTimeout);
  }

  /** Counts a failed command; too many close the session (421). */
  bad(code: number, enhanced: string, text: string): void {
    this.send(code, enhanced, text);
    if (++this.badCommands >= this.config.maxBadCommands) {
      this.send(421, '4.7.0', `${this.config.hostname} Too many errors, closing connection`);
      this.quitting = true;
    }
  }

  /** Forgets the mail transaction (RSET, after delivery, after STARTTLS). */
  resetTransaction(): void {
    this.envelope = undefined;
  }

  /** Runs the session to its end; never throws. */
  async run(): Promise<void> {
    try {
      const options = this.config.options;
      const verdict = await callHook(this, 'onConnect', options.onConnect && ((signal) => options.onConnect!(this, signal)), CONNECT_ACCEPT, {
        // RFC 5321 §3.8 / §4.2.3: 421 closes the channel; RFC 3463 §3.5: X.3.0 mail system status.
        code: 421,
        enhanced: '4.3.0',
        message: `${this.config.hostname} Timeout in local processing, closing connection`,
      });
      if (verdict.code >= 400) {
        this.channel.send(formatServerReply(verdict));
        return;
      }
      this.send(220, undefined, `${this.config.hostname} ${this.lmtp ? 'LMTP' : 'ESMTP'} ready`);
      while (!this.quitting) {
        const line = await this.channel.readCommand(this.config.maxLineLength, Date.now() + this.config.commandTimeout, (reason) => {
          if (reason === 'timeout') this.send(421, '4.4.2', `${this.config.hostname} Timeout, closing connection`);
          // RFC 5321 §4.5.3.1.4: the command line limit; after an overlong line the stream cannot be trusted.
          else this.send(500, '5.5.6', 'Line too long, closing connection');
        });
        if (line === undefined) return;
        await this.#dispatch(line.text, line.bare);
        await this.channel.flush();
      }
    } catch (error) {
      if (!(error instanceof ChannelError)) this.log(`error: ${(error as Error).message}`);
      if (error instanceof ChannelError && error.reason === 'timeout') this.send(421, '4.4.2', `${this.config.hostname} Timeout, closing connection`);
    } finally {
      await this.channel.end().catch(() => undefined);
    }
  }

  async #dispatch(text: string, bare: boolean): Promise<void> {
    const space = text.indexOf(' ');
    const verb = (space === -1 ? text : text.slice(0, space)).toUpperCase();
    const arg = space === -1 ? '' : text.slice(space + 1);
    this.trace('C', verb === 'AUTH' ? redactAuth(text) : text);
    if (bare) {
      // RFC 5321 §2.3.8: only CRLF ends a line; a bare CR or LF is never taken as one.
      this.bad(500, '5.5.2', 'Bare CR or LF in command line not allowed');
      return;
    }
    switch (verb) {
      case 'EHLO':
      case 'HELO':
      case 'LHLO':
        return this.#hello(verb, arg);
      case 'MAIL':
        return handleMail(this, arg);
      case 'RCPT':
        return handleRcpt(this, arg);
      case 'DATA':
        return handleData(this, arg);
      case 'BDAT':
        return handleBdat(this, arg);
      case 'RSET':
        this.resetTransaction();
        return this.send(250, '2.0.0', 'OK');
      case 'NOOP':
        return this.send(250, '2.0.0', 'OK');
      case 'QUIT':
        this.quitting = true;
        return this.send(221, '2.0.0', `${this.config.hostname} closing connection`);
      case 'VRFY':
        // RFC 5321 §3.5.3: 252 when the server will not verify but would try to deliver.
        return this.send(252, '2.5.0', 'Cannot VRFY user, but will accept message and attempt delivery');
      case 'HELP':
        return this.send(214, '2.0.0', 'See RFC 5321');
      case 'STARTTLS':
        return this.#starttls(arg);
      case 'AUTH':
        return handleAuth(this, arg);
      default:
        this.bad(500, '5.5.2', 'Command not recognized');
    }
  }

  #hello(verb: 'EHLO' | 'HELO' | 'LHLO', arg: string): void {
    // RFC 2033 §4.1: an LMTP server answers HELO/EHLO with an error; LHLO is LMTP only.
    if ((verb === 'LHLO') !== this.lmtp) return this.bad(500, '5.5.1', `${verb} not allowed in ${this.lmtp ? 'LMTP' : 'SMTP'}`);
    const name = arg.trim();
    if (name === '' || /\s/.test(name)) return this.bad(501, '5.5.4', `Syntax: ${verb} hostname`);
    this.clientName = name;
    this.extended = verb !== 'HELO';
    this.resetTransaction();
    if (!this.extended) return this.send(250, undefined, `${this.config.hostname} Hello ${name}`);
    this.send(250, undefined, formatEhloLines(this.config.hostname, `Hello ${name}`, this.#extensions()));
  }

  #extensions(): Map<string, string[]> {
    const ext = new Map<string, string[]>([
      ['PIPELINING', []],
      ['SIZE', [String(this.config.maxMessageSize)]],
      ['8BITMIME', []],
      ['SMTPUTF8', []],
      ['CHUNKING', []],
      ['DSN', []],
      ['ENHANCEDSTATUSCODES', []],
    ]);
    if (this.config.tls && !this.secure) ext.set('STARTTLS', []);
    // RFC 4954 §4 advice and SECURITY.md: AUTH is offered only where it may be used.
    if (this.config.sasl && this.user === undefined && (this.secure || this.config.options.allowInsecureAuth)) {
      ext.set('AUTH', [...this.config.mechanisms]);
    }
    return ext;
  }

  async #starttls(arg: string): Promise<void> {
    if (!this.config.tls) return this.bad(502, '5.5.1', 'STARTTLS not available');
    if (this.secure) return this.bad(503, '5.5.1', 'TLS already active');
    if (arg !== '') return this.bad(501, '5.5.4', 'Syntax: STARTTLS');
    this.send(220, '2.0.0', 'Ready to start TLS');
    const discarded = await this.channel.startTLS(this.config.tls, Date.now() + this.config.tlsTimeout);
    this.log(`TLS established (${this.channel.tlsDescription()})`);
    // CVE-2011-0411: commands pipelined after STARTTLS in plaintext are never executed.
    if (discarded > 0) this.log(`discarded ${discarded} plaintext bytes sent after STARTTLS`);
    // RFC 3207 §4.2: forget everything learned before TLS; the client must EHLO again.
    this.clientName = undefined;
    this.extended = false;
    this.user = undefined;
    this.resetTransaction();
  }
}

/** `AUTH PLAIN <secret>` -> `AUTH PLAIN ****`. */
function redactAuth(line: string): string {
  const words = line.split(' ');
  return words.length > 2 ? `${words.slice(0, 2).join(' ')} ****` : line;
}

function escape(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
