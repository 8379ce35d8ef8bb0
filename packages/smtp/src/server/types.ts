/**
 * Options, hooks and session data of the SMTP/LMTP server.
 */
import type { SecureContext } from 'node:tls';

/**
 * Returns the password of `user`, or undefined for an unknown user. Synchronous: CRAM-MD5
 * and SCRAM need the password in the middle of the exchange (load users beforehand).
 */
export type PasswordLookup = (user: string) => string | undefined;

/** A reply a hook chooses: 2xx accepts, 4xx defers (retry later), 5xx rejects. */
export interface ServerReply {
  /** SMTP reply code, 200-599. */
  code: number;
  /** RFC 3463 enhanced status code, e.g. `5.7.1`; a suitable default is used when absent. */
  enhanced?: string;
  /** Reply text (no CR/LF). */
  message?: string;
}

/**
 * Thrown by a hook to answer with a specific reply; any other error thrown by a hook
 * becomes `451 4.3.0` (its message is logged, never sent to the client).
 */
export class SMTPServerReplyError extends Error {
  readonly reply: ServerReply;

  constructor(code: number, message: string, enhanced?: string) {
    super(message);
    this.name = 'SMTPServerReplyError';
    this.reply = { code, message, ...(enhanced === undefined ? {} : { enhanced }) };
  }
}

/** What a hook may return: nothing (accept) or a reply. */
export type HookResult = void | undefined | ServerReply;

/** A MAIL FROM or RCPT TO address with its ESMTP parameters (keywords upper case). */
export interface EnvelopeAddress {
  /** The address without angle brackets; `''` for the null sender `<>`. */
  address: string;
  /** ESMTP parameters, e.g. `{ SIZE: '1234', BODY: '8BITMIME' }`; a bare keyword maps to `true`. */
  params: Record<string, string | true>;
}

/** The envelope of one mail transaction. */
export interface Envelope {
  mailFrom: EnvelopeAddress;
  /** Accepted recipients, in order. */
  rcptTo: EnvelopeAddress[];
  /** `BODY=` (RFC 6152): `7BIT` or `8BITMIME`. */
  body: '7BIT' | '8BITMIME';
  /** The client asked for SMTPUTF8 (RFC 6531). */
  smtputf8: boolean;
  /** How the content came: DATA or BDAT (CHUNKING, RFC 3030). */
  transfer: 'DATA' | 'BDAT';
}

/** What the server knows about a connection; passed to every hook. */
export interface SessionInfo {
  /** Unique per server process. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The session runs over TLS (implicit or after STARTTLS). */
  readonly secure: boolean;
  /** The name the client gave in HELO/EHLO/LHLO. */
  readonly clientName: string | undefined;
  /** The authenticated user, if AUTH succeeded. */
  readonly user: string | undefined;
  readonly lmtp: boolean;
}

/** Resource limits; defaults in parentheses. */
export interface SMTPServerLimits {
  /** Longest command line in octets, CRLF included (12288, RFC 4954 §4 for AUTH lines). */
  maxLineLength?: number;
  /** Largest message in octets, announced by SIZE (RFC 1870) (32 MiB). */
  maxMessageSize?: number;
  /** Most recipients per transaction (100, RFC 5321 §4.5.3.1.8's minimum). */
  maxRecipients?: number;
  /** Failed commands per session before the connection is closed (10), like Postfix's smtpd_hard_error_limit. */
  maxBadCommands?: number;
  /** Most simultaneous connections; more get `421` and are closed (1000). */
  maxConnections?: number;
}

/** Per-phase deadlines in milliseconds. */
export interface SMTPServerTimeouts {
  /** Waiting for a command (5 min, RFC 5321 §4.5.3.2.7). */
  command?: number;
  /** Receiving the whole message content of one DATA or BDAT (10 min, §4.5.3.2.5-6 in spirit). */
  data?: number;
  /** TLS handshake (30 s). */
  tls?: number;
}

/** Who may log in: a user list, a password lookup, or both (the list is tried first). */
export interface SMTPServerAuth {
  users?: ReadonlyArray<{ name: string; password: string }>;
  /** Returns the password of `user` (CRAM-MD5 and SCRAM need it in the clear), or undefined. */
  lookup?: PasswordLookup;
  /** Offered mechanisms (default: SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN; SCRAM-SHA-1 on request). */
  mechanisms?: string[];
  /** MAIL is refused with `530 5.7.0` until AUTH succeeds (default false). */
  required?: boolean;
}

/** Options of {@link SMTPServer}. */
export interface SMTPServerOptions {
  /** Name in the greeting and EHLO reply (default: `os.hostname()`). */
  hostname?: string;
  /** Speak LMTP (RFC 2033): LHLO, one reply per recipient after the content. */
  lmtp?: boolean;
  /** TLS key and certificate (PEM) or a SecureContext; enables STARTTLS (and `secure`). */
  tls?: { key: string | Buffer; cert: string | Buffer } | SecureContext;
  /** Implicit TLS on connect (RFC 8314, port 465) instead of STARTTLS. Needs `tls`. */
  secure?: boolean;
  /** Enables AUTH. */
  auth?: SMTPServerAuth;
  /** Offer and accept AUTH without TLS (default false, RFC 4954 §4 advice). */
  allowInsecureAuth?: boolean;
  limits?: SMTPServerLimits;
  timeouts?: SMTPServerTimeouts;
  /**
   * Longest wait in milliseconds for a hook to settle (default 30 000; `0` or `Infinity`: no
   * limit). The command and data deadlines do not run while the server waits on a hook, so
   * this bounds it. A hook that misses it gets its `signal` aborted and its late result is
   * ignored; the client gets `451 4.3.0` for that command (`421 4.3.0` and the connection
   * closed for `onConnect`). For `onData` it counts only the time the hook holds the session,
   * not the time spent waiting for the client's content.
   */
  hookTimeout?: number;
  /** Decide on a new connection (e.g. by address): a 5xx/4xx reply refuses it. `signal` aborts at `hookTimeout`. */
  onConnect?(session: SessionInfo, signal: AbortSignal): HookResult | Promise<HookResult>;
  /** Decide on a sender. `signal` aborts at `hookTimeout`. */
  onMailFrom?(from: EnvelopeAddress, session: SessionInfo, signal: AbortSignal): HookResult | Promise<HookResult>;
  /** Decide on a recipient. `signal` aborts at `hookTimeout`. */
  onRcptTo?(to: EnvelopeAddress, session: SessionInfo, envelope: Readonly<Envelope>, signal: AbortSignal): HookResult | Promise<HookResult>;
  /**
   * Receives the message content as a stream (bytes exactly as sent, dot-unstuffed, CRLF line
   * ends). Resolve when the message is safely stored: the `250` is sent only then. The
   * stream throws when the content must not be delivered (bare CR/LF, over the size limit,
   * connection lost): never commit a message whose stream did not end normally. In LMTP
   * mode, return one result per recipient (in `envelope.rcptTo` order) or one for all.
   * When `hookTimeout` passes, `signal` aborts, the stream throws and the client is told
   * `451 4.3.0` (not delivered): do not commit the message after `signal` aborted.
   */
  onData(message: AsyncIterable<Buffer>, envelope: Envelope, session: SessionInfo, signal: AbortSignal): Promise<HookResult | HookResult[]>;
  /** Receives log lines (connections, deliveries, errors). */
  logger?: (line: string) => void;
  /** Also log the protocol conversation (secrets redacted). */
  debug?: boolean;
}
