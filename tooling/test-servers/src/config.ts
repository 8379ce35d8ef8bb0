// Settings shared by the protocol drivers; mutable so a test can change them between connections.
import type { Users } from './sasl.js';

/** Transport security of a fake server. */
export type Security = 'none' | 'tls' | 'starttls';

/** Behaviour knobs read by the default replies (change them at any time via `server.config`). */
export interface DriverConfig {
  readonly security: Security;
  /** Leave STARTTLS (SMTP) / STLS (POP3) out of EHLO / CAPA (the command itself still works). */
  hideStartTls: boolean;
  /** Accepted credentials (user -> password); undefined accepts any well-formed credentials. */
  users: Users;
  /** Name in greetings and EHLO. */
  hostname: string;
  /**
   * Replace the advertised EHLO keywords (SMTP) or CAPA lines (POP3), without STARTTLS/STLS,
   * which is still added when applicable.
   */
  extensions: readonly string[] | undefined;
}

/** SMTP EHLO keywords advertised by default (STARTTLS added when applicable). */
export const DEFAULT_EHLO_EXTENSIONS: readonly string[] = [
  'PIPELINING', 'SIZE 10485760', '8BITMIME', 'SMTPUTF8', 'CHUNKING', 'DSN', 'ENHANCEDSTATUSCODES',
  'AUTH PLAIN LOGIN CRAM-MD5',
];

/** POP3 CAPA lines advertised by default (STLS added when applicable). */
export const DEFAULT_CAPA: readonly string[] = [
  'TOP', 'UIDL', 'USER', 'SASL PLAIN LOGIN CRAM-MD5', 'PIPELINING', 'RESP-CODES', 'AUTH-RESP-CODE',
];

/** Whether STARTTLS/STLS should be advertised to a session (plain phase of a starttls server). */
export function offersStartTls(config: DriverConfig, tls: boolean): boolean {
  return config.security === 'starttls' && !tls && !config.hideStartTls;
}
