/**
 * Options of the POP3 server.
 */
import type { SecureContext } from 'node:tls';
import type { Mailbox } from './mailbox.js';

/**
 * Returns the password of `user`, or undefined for an unknown user. Synchronous: CRAM-MD5,
 * SCRAM and APOP need the password in the middle of the exchange (load users beforehand).
 */
export type PasswordLookup = (user: string) => string | undefined;

/** What the server knows about a connection. */
export interface POP3SessionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The session runs over TLS (implicit or after STLS). */
  readonly secure: boolean;
  /** The authenticated user, once logged in. */
  readonly user: string | undefined;
}

/** Options of {@link POP3Server}. */
export interface POP3ServerOptions {
  /** Name in the greeting and the APOP timestamp (default `os.hostname()`). */
  hostname?: string;
  /** TLS key and certificate (PEM) or a SecureContext; enables STLS (RFC 2595). */
  tls?: { key: string | Buffer; cert: string | Buffer } | SecureContext;
  /** Implicit TLS on connect (RFC 8314, port 995). Needs `tls`. */
  secure?: boolean;
  /** Who may log in; APOP, CRAM-MD5 and SCRAM need the passwords in the clear. */
  auth: {
    users?: ReadonlyArray<{ name: string; password: string }>;
    lookup?: PasswordLookup;
    /** SASL mechanisms offered (default SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN; SCRAM-SHA-1 on request). */
    mechanisms?: string[];
    /** Offer APOP (RFC 1939 §7) with a timestamp in the greeting (default true). */
    apop?: boolean;
  };
  /**
   * Opens the user's maildrop after a successful login. Throwing answers `-ERR [SYS/TEMP]`.
   * `signal` aborts when `hookTimeout` passes (a mailbox resolved after that is closed).
   */
  openMailbox(user: string, session: POP3SessionInfo, signal: AbortSignal): Promise<Mailbox> | Mailbox;
  /**
   * Longest wait in milliseconds for `openMailbox` and each {@link Mailbox} call (`list`, each
   * read of a message stream, `delete`, `close`) to settle (default 30 000; `0` or `Infinity`:
   * no limit). The autologout timer does not run while the server waits on them. A call that
   * misses it is answered `-ERR [SYS/TEMP]` (RFC 3206 §4) and its late result ignored; see the
   * server README for what each command does then.
   */
  hookTimeout?: number;
  /** Accept USER/PASS, APOP and AUTH without TLS (default false). */
  allowInsecureAuth?: boolean;
  limits?: {
    /** Longest command line, CRLF included (255, RFC 2449 §4; AUTH continuations up to 12288). */
    maxLineLength?: number;
    /** Failed commands before the connection is closed (10; counted anew after login). */
    maxBadCommands?: number;
    /** Most simultaneous connections (1000). */
    maxConnections?: number;
  };
  timeouts?: {
    /** Inactivity autologout (10 min, RFC 1939 §3). */
    command?: number;
    /** TLS handshake (30 s). */
    tls?: number;
  };
  /**
   * The registry of open maildrops behind `[IN-USE]`. Pass the same Set to every server that
   * serves the same mailboxes (say, a POP3 and a POP3S port); default: one per server.
   */
  locks?: Set<string>;
  /** Receives log lines. */
  logger?: (line: string) => void;
  /** Also log the protocol conversation (PASS, APOP digests and AUTH payloads redacted). */
  debug?: boolean;
}
