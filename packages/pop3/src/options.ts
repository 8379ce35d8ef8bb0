/**
 * Options of `POP3.connect()` and of every call, with the RFC 8314 defaults.
 */
import type { ConnectOptions, Security } from '@mail/transport';

/** RFC 8314 §7.4 / RFC 1939 §3: the registered ports. */
export const POP3S_PORT = 995;
/** RFC 1939 §3: POP3 over TCP (upgraded with STLS, RFC 2595). */
export const POP3_PORT = 110;

/** Default bound on a message buffered whole by `retr`/`top` (use `retrStream` beyond). */
export const DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024 * 1024;

/**
 * Default number of RETR commands kept in flight by the pipelined fetch. 256 rather than 64:
 * measured on a loaded 2-core machine, 2000 x 10 KB from Dovecot took ~8 % less wall time
 * (the server keeps working while the client is descheduled), at the same CPU.
 */
export const DEFAULT_PIPELINE_WINDOW = 256;

/** Options of {@link POP3.connect}: the transport's options, most of them optional. */
export interface POP3ConnectOptions extends Omit<ConnectOptions, 'port' | 'security' | 'protocol'> {
  /**
   * Default: 995 with `security: 'tls'` (or no security given), 110 with `'starttls'` or
   * `'none'` (RFC 8314 §3.3 and §7.4).
   */
  port?: number;
  /**
   * `'tls'` (implicit TLS, the default; RFC 8314 §3.3), `'starttls'` (STLS is required:
   * a server that hides or refuses it is an error, never a plaintext fallback; RFC 2595), or
   * `'none'`. Without it, port 110 means `'starttls'` and any other port `'tls'`.
   */
  security?: Security;
  /**
   * Allow USER/PASS, APOP and AUTH on a connection without TLS. Default false: credentials
   * never leave in plaintext unless you ask for it (SECURITY.md promise 1).
   */
  allowPlaintextAuth?: boolean;
  /** Largest message `retr`/`top` buffer whole (MAIL_RESPONSE_TOO_LARGE beyond). Default 256 MiB. */
  maxMessageSize?: number;
}

/** Options every call accepts. */
export interface CallOptions {
  /** Aborting a call that is on the wire closes the connection (the session is out of sync). */
  signal?: AbortSignal;
}

/** The port and security after the RFC 8314 defaults. */
export function resolvePortAndSecurity(options: Pick<POP3ConnectOptions, 'port' | 'security'>): {
  port: number;
  security: Security;
} {
  const { port, security } = options;
  if (security !== undefined) return { port: port ?? (security === 'tls' ? POP3S_PORT : POP3_PORT), security };
  if (port === undefined) return { port: POP3S_PORT, security: 'tls' };
  return { port, security: port === POP3_PORT ? 'starttls' : 'tls' };
}
