/**
 * The session core shared by the verbs: one connection, the command queue, the status line
 * reader, and what the server told us (greeting, capabilities). Internal; `POP3` is the API.
 */
import { MailError, type Connection } from '@mail/transport';
import { POP3ReplyError, protocolError } from './errors.js';
import {
  apopTimestamp,
  parseCapa,
  parseStatusLine,
  type Parsed,
  type POP3Capabilities,
  type StatusLine,
} from './protocol/index.js';
import { CommandQueue } from './queue.js';

/** RFC 1939 §3: the session states (plus CLOSED once the connection is gone). */
export type POP3State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE' | 'CLOSED';

/** How a command is sent. */
export interface ExchangeOptions {
  signal?: AbortSignal | undefined;
  /** Trace redaction: words of the line kept (PASS keeps 1, APOP 2). */
  redactAfter?: number;
  /** The command as error messages show it (already redacted). Default: the line. */
  label?: string;
  /** Maps a -ERR to an error; default {@link POP3ReplyError}. */
  onError?: (label: string, reply: StatusLine) => MailError;
}

/** Internal session state and the command/reply primitive. */
export class Core {
  readonly conn: Connection;
  readonly queue = new CommandQueue();
  readonly allowPlaintextAuth: boolean;
  readonly maxMessageSize: number;
  /** The greeting's text (after `+OK `). */
  greeting = '';
  /** The APOP timestamp of the greeting, if any (RFC 1939 §7). */
  timestamp: string | undefined;
  /** Capabilities as last learned; `undefined` before CAPA or when CAPA is unsupported. */
  capabilities: POP3Capabilities | undefined;
  /** Whether the server answered CAPA at all (RFC 2449 servers do). */
  capaSupported = true;
  state: POP3State = 'AUTHORIZATION';

  constructor(conn: Connection, allowPlaintextAuth: boolean, maxMessageSize: number) {
    this.conn = conn;
    this.allowPlaintextAuth = allowPlaintextAuth;
    this.maxMessageSize = maxMessageSize;
  }

  /** Unwraps a parse result; a failure desynchronises the session, so the socket goes. */
  unwrap<T>(parsed: Parsed<T>): T {
    if (parsed.ok) return parsed.value;
    throw this.fail(protocolError(parsed.code, parsed.message));
  }

  /** Destroys the connection with `error` and returns it for throwing. */
  fail(error: MailError): MailError {
    this.state = 'CLOSED';
    this.conn.destroy(error);
    return error;
  }

  /** Reads and parses one status line (the `command` deadline applies). */
  async readStatus(signal?: AbortSignal): Promise<StatusLine> {
    const line = await this.conn.readLine({ signal, phase: 'command' });
    return this.unwrap(parseStatusLine(line));
  }

  /** Reads the greeting (the `greeting` deadline applies) and keeps its APOP timestamp. */
  async readGreeting(signal?: AbortSignal): Promise<void> {
    const line = await this.conn.readLine({ signal, phase: 'greeting' });
    const reply = this.unwrap(parseStatusLine(line));
    if (!reply.ok) throw this.fail(new POP3ReplyError('greeting', reply));
    this.greeting = reply.text;
    this.timestamp = apopTimestamp(reply.text);
  }

  /**
   * Writes one command and reads its status line. `-ERR` throws (via `onError`) without
   * harming the session; anything else that goes wrong closes it.
   */
  async exchange(line: string, options: ExchangeOptions = {}): Promise<StatusLine> {
    this.assertReady();
    const { signal, redactAfter } = options;
    await this.conn.writeCommand(line, redactAfter === undefined ? { signal } : { signal, redactAfter });
    const reply = await this.readStatus(signal);
    if (!reply.ok) {
      const label = options.label ?? line;
      throw (options.onError ?? ((l, r) => new POP3ReplyError(l, r)))(label, reply);
    }
    return reply;
  }

  /** `exchange` in its turn of the queue. */
  command(line: string, options: ExchangeOptions = {}): Promise<StatusLine> {
    return this.queue.run(() => this.exchange(line, options), options.signal);
  }

  /**
   * CAPA (RFC 2449 §5): returns and caches the capabilities; a `-ERR` means a pre-2449
   * server, remembered as `capaSupported = false`.
   */
  async refreshCapabilities(signal?: AbortSignal): Promise<POP3Capabilities | undefined> {
    this.capabilities = undefined;
    try {
      await this.exchange('CAPA', { signal });
    } catch (error) {
      if (POP3ReplyError.is(error)) {
        this.capaSupported = false;
        return undefined;
      }
      throw error;
    }
    const lines = await this.conn.readDotLines({ signal, phase: 'command' });
    this.capaSupported = true;
    this.capabilities = this.unwrap(parseCapa(lines));
    return this.capabilities;
  }

  /**
   * Before a new exchange: the session is open and nothing unread is buffered. Bytes nobody
   * asked for must never become the next reply (SECURITY.md promise 4): MAIL_PROTOCOL.
   */
  assertReady(): void {
    this.assertOpen();
    if (this.conn.hasBufferedData()) {
      throw this.fail(protocolError('MAIL_PROTOCOL', 'unsolicited data from the server before a command was sent'));
    }
  }

  /** Throws MAIL_CONNECTION_CLOSED after QUIT, close() or a fatal error. */
  assertOpen(): void {
    if (this.state === 'CLOSED' || this.state === 'UPDATE' || this.conn.closed) {
      throw new MailError('MAIL_CONNECTION_CLOSED', 'POP3 connection is closed', { transient: true });
    }
  }

  /**
   * Credentials may be sent: a verified TLS session, or an explicit plaintext opt-in
   * (SECURITY.md promise 1). Throws `MAIL_TLS_REQUIRED` before anything is written.
   */
  assertMayAuthenticate(what: string): void {
    if (!this.conn.secure && !this.allowPlaintextAuth) {
      throw new MailError(
        'MAIL_TLS_REQUIRED',
        `${what} refused: the connection is not encrypted (use security 'tls' or 'starttls', or allowPlaintextAuth: true)`,
      );
    }
  }
}
