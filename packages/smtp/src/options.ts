/**
 * Options of `SMTP.connect()` / `LMTP.connect()` and their defaults (RFC 8314 §3.3: implicit
 * TLS on 465, STARTTLS required on 587 and 25).
 */
import { hostname } from 'node:os';
import type { ConnectOptions, SaslCredentials, Security } from '@mail/transport';

/** Credentials for logging in during `connect()`. */
export interface SMTPAuthOptions extends SaslCredentials {
  /** Use this mechanism instead of the strongest one both sides allow. */
  mechanism?: string;
}

/** Options of {@link SMTP.connect}: the transport's options plus SMTP's own. */
export interface SMTPConnectOptions extends Omit<ConnectOptions, 'port' | 'security' | 'protocol' | 'host'> {
  /** Server host name or address (also the name its certificate must carry). */
  host: string;
  /** Default: 465 with `security: 'tls'`, 587 otherwise (RFC 8314 §3.3, RFC 6409). */
  port?: number;
  /**
   * `'tls'` (implicit TLS), `'starttls'` (TLS required, by STARTTLS, RFC 3207) or `'none'`.
   * Default: `'tls'` on port 465, `'starttls'` on every other port. There is no opportunistic
   * mode: with `'starttls'` a server that hides or refuses STARTTLS is an error.
   */
  security?: Security;
  /** Our name for EHLO/HELO/LHLO (RFC 5321 §4.1.1.1). Default: this host's name. */
  localName?: string;
  /** Log in right after the handshake (strongest mechanism both sides allow). */
  auth?: SMTPAuthOptions;
  /** Allow AUTH PLAIN/LOGIN (cleartext secrets) without TLS. Default false (SECURITY.md promise 1). */
  allowPlaintextAuth?: boolean;
  /** Use PIPELINING when offered (RFC 2920). Default true. */
  pipelining?: boolean;
  /** Use CHUNKING/BDAT when offered (RFC 3030). Default true. */
  chunking?: boolean;
}

/** Resolved connection settings. */
export interface ResolvedSMTPOptions extends SMTPConnectOptions {
  port: number;
  security: Security;
  localName: string;
}

/** A valid EHLO name for this host: its name when that is a plain domain, else an address literal. */
export function defaultLocalName(): string {
  const name = hostname();
  return /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name) ? name : '[127.0.0.1]';
}

/** Fills in port, security and local name (RFC 8314 defaults). */
export function resolveSMTPOptions(options: SMTPConnectOptions, defaultPort = 587): ResolvedSMTPOptions {
  const security = options.security ?? (options.port === 465 ? 'tls' : 'starttls');
  const port = options.port ?? (security === 'tls' ? 465 : defaultPort);
  return { ...options, port, security, localName: options.localName ?? defaultLocalName() };
}
