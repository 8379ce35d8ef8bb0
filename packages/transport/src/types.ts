/**
 * Option and event types of @mail/transport, shared by the clients and servers.
 */
import type { Duplex } from 'node:stream';
import type { SecureVersion } from 'node:tls';
import type { Phase } from './errors.js';

/** How a session gets TLS: at connect time, by STARTTLS/STLS, or not at all (RFC 8314). */
export type Security = 'tls' | 'starttls' | 'none';

/** Deadlines in milliseconds, each for a whole phase (not an idle timer). */
export type Timeouts = Record<Phase, number>;

/** Python's set_debuglevel levels: 0 none, 1 commands and replies, 2 everything with timestamps. */
export type DebugLevel = 0 | 1 | 2;

/** Where debug output goes; stderr by default. */
export type Logger = (line: string) => void;

/** TLS settings. Verification is always on; pin keys rather than turning it off. */
export interface TLSOptions {
  /** Trusted CA certificates (PEM) instead of Node's bundled roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate (PEM), for SASL EXTERNAL or mutual TLS. */
  cert?: string | Buffer;
  /** Client private key (PEM). */
  key?: string | Buffer;
  /** Name to verify the certificate against and to send as SNI; defaults to `host`. */
  servername?: string;
  /** Lowest TLS version accepted; defaults to TLSv1.2. */
  minVersion?: SecureVersion;
  /**
   * Accepted SHA-256 digests of the server certificate's SubjectPublicKeyInfo, as base64
   * (`sha256/...` prefix optional) or hex. When set, a pinned key is accepted even if the
   * chain does not verify against the CA set (the safe alternative to disabling verification);
   * the host name must still match.
   */
  pins?: string[];
}

/** Resource limits on what is read from the network (SECURITY.md promise 4). */
export interface ReadLimits {
  /** Longest line accepted, terminator included. Default 64 KiB. */
  maxLineLength?: number;
  /** Largest multi-line response buffered whole (LIST, UIDL, CAPA, EHLO). Default 16 MiB. */
  maxResponseSize?: number;
}

/** What a socket factory is asked to connect to. */
export interface SocketFactoryRequest {
  host: string;
  port: number;
  localAddress?: string;
  signal: AbortSignal;
}

/** Hands in any duplex: a proxy tunnel, a Unix socket, an in-memory pair in a test. */
export type SocketFactory = (request: SocketFactoryRequest) => Duplex | Promise<Duplex>;

/** Options of `connect()`. */
export interface ConnectOptions {
  host: string;
  port: number;
  /** TLS at connect (`tls`), upgraded later by the protocol (`starttls`), or none. */
  security: Security;
  tls?: TLSOptions;
  localAddress?: string;
  /** Restrict to IPv4 or IPv6; default 0 = both, Happy Eyeballs (RFC 8305). */
  family?: 0 | 4 | 6;
  socketFactory?: SocketFactory;
  /** Per-phase deadlines in ms; unset ones come from `timeout`, then the defaults. */
  timeouts?: Partial<Timeouts>;
  /** Shorthand: the same deadline for every phase. */
  timeout?: number;
  /** Aborting closes the connection and settles every pending call with MAIL_ABORTED. */
  signal?: AbortSignal;
  debug?: DebugLevel;
  logger?: Logger;
  limits?: ReadLimits;
  /** Names the protocol in traces and in TLS mode mismatch messages. */
  protocol?: 'smtp' | 'lmtp' | 'pop3';
}

/** Options for one read. */
export interface ReadOptions {
  /** Which phase's timeout applies (default 'command'). */
  phase?: Phase;
  /** Absolute deadline (ms since epoch, as `Date.now()`); overrides `phase`'s timeout. */
  deadline?: number;
  /** Aborting destroys the connection (the session is out of sync). */
  signal?: AbortSignal;
  /**
   * Secrets in what is read (a server reading `AUTH PLAIN <ir>` or a SASL continuation):
   * how many leading words of each line the trace keeps, as in {@link WriteCommandOptions}.
   */
  redactAfter?: number;
}

/** Options for writing a command line. */
export interface WriteCommandOptions {
  /**
   * Secrets: how many leading words of the line to keep in traces; the rest becomes `****`.
   * `PASS x` uses 1, `AUTH PLAIN <ir>` uses 2, a SASL continuation uses 0. Unset: no secrets.
   */
  redactAfter?: number;
  signal?: AbortSignal;
}

/** One entry of the protocol trace, published on `diagnostics_channel` 'mail:trace'. */
export interface TraceEvent {
  /** Connection id, unique within the process. */
  id: number;
  protocol: string;
  /** `c` = client to server, `s` = server to client, `i` = info (TLS, connect, close). */
  direction: 'c' | 's' | 'i';
  /** Already redacted. */
  text: string;
  time: number;
}
