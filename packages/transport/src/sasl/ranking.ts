/**
 * Choosing a mechanism: the strongest one that both sides allow, and the TLS policy for
 * mechanisms that send reusable secrets in cleartext (SECURITY.md promise 1).
 */
import { MailError } from '../errors.js';
import { pickChannelBinding } from './scram.js';
import type { SaslContext, SaslCredentials } from './types.js';

/** What a mechanism needs from the caller's credentials. */
type Need = 'password' | 'token' | 'none';

interface Rank {
  name: string;
  needs: Need;
  /** Needs TLS channel binding (-PLUS). */
  plus?: boolean;
  /** Only when the caller lists it in `allowed` (EXTERNAL needs a client certificate). */
  explicit?: boolean;
}

/** Strongest first. Token mechanisms rank above the password-hashing CRAM-MD5 when a token is given. */
const RANKING: readonly Rank[] = [
  { name: 'EXTERNAL', needs: 'none', explicit: true },
  { name: 'SCRAM-SHA-256-PLUS', needs: 'password', plus: true },
  { name: 'SCRAM-SHA-256', needs: 'password' },
  { name: 'SCRAM-SHA-1-PLUS', needs: 'password', plus: true },
  { name: 'SCRAM-SHA-1', needs: 'password' },
  { name: 'OAUTHBEARER', needs: 'token' },
  { name: 'XOAUTH2', needs: 'token' },
  { name: 'CRAM-MD5', needs: 'password' },
  { name: 'PLAIN', needs: 'password' },
  { name: 'LOGIN', needs: 'password' },
  { name: 'ANONYMOUS', needs: 'none', explicit: true },
];

/**
 * Mechanisms that put a reusable secret on the wire as is: passwords (PLAIN, LOGIN) and OAuth
 * bearer tokens (OAUTHBEARER, XOAUTH2; RFC 6750 §5.3 and RFC 7628 §5 require TLS for them).
 */
const CLEARTEXT = new Set(['PLAIN', 'LOGIN', 'OAUTHBEARER', 'XOAUTH2']);

/** True for a mechanism that sends the password or token itself (needs TLS or an opt-in). */
export function isCleartextMechanism(name: string): boolean {
  return CLEARTEXT.has(name.toUpperCase());
}

/** The TLS policy inputs of {@link assertMechanismAllowed}. */
export interface MechanismPolicy {
  /** A verified TLS session is in place. */
  secure: boolean;
  /** The caller explicitly accepts cleartext credentials on an unencrypted connection. */
  allowPlaintext?: boolean;
}

/**
 * Throws MailError `MAIL_TLS_REQUIRED` when `name` would send a password or token in
 * cleartext over an unencrypted connection and the caller has not opted in.
 */
export function assertMechanismAllowed(name: string, policy: MechanismPolicy): void {
  if (policy.secure || policy.allowPlaintext === true || !isCleartextMechanism(name)) return;
  throw new MailError(
    'MAIL_TLS_REQUIRED',
    `AUTH ${name.toUpperCase()} would send the credentials in cleartext over an unencrypted connection; ` +
      `use security 'tls' or 'starttls', or set allowPlaintext: true to accept the risk`,
  );
}

/** Inputs of {@link chooseMechanism}. */
export interface ChooseMechanismOptions extends MechanismPolicy {
  credentials: SaslCredentials;
  /** Restricts the choice to these mechanisms (case-insensitive); EXTERNAL and ANONYMOUS need it. */
  allowed?: string[];
  /**
   * The connection can supply TLS channel binding data; without it -PLUS is never chosen.
   * Pass the connection's `channelBinding` function to have it probed (tls-exporter, then
   * tls-unique), so that -PLUS is only chosen when `createMechanism` will find data.
   */
  channelBinding?: boolean | SaslContext['channelBinding'];
}

function available(rank: Rank, credentials: SaslCredentials): boolean {
  switch (rank.needs) {
    case 'password':
      return typeof credentials.password === 'string';
    case 'token':
      return typeof credentials.token === 'string' && credentials.token !== '';
    case 'none':
      return true;
  }
}

/**
 * Picks the strongest mechanism that the server offers, the caller allows, the credentials can
 * serve and the TLS policy permits; undefined when there is none. Ranking: SCRAM-SHA-256-PLUS >
 * SCRAM-SHA-256 > SCRAM-SHA-1-PLUS > SCRAM-SHA-1 > OAUTHBEARER > XOAUTH2 (with a token) >
 * CRAM-MD5 > PLAIN > LOGIN; EXTERNAL (first) and ANONYMOUS (last) only when listed in `allowed`.
 *
 * @example
 * ```ts
 * chooseMechanism(['PLAIN', 'SCRAM-SHA-256'], { secure: true, credentials: { username, password } });
 * // 'SCRAM-SHA-256'
 * ```
 */
export function chooseMechanism(serverOffers: string[], options: ChooseMechanismOptions): string | undefined {
  const offered = new Set(serverOffers.map((m) => m.toUpperCase()));
  const allowed = options.allowed === undefined ? undefined : new Set(options.allowed.map((m) => m.toUpperCase()));
  const cb = options.channelBinding;
  const canBind =
    options.secure && (typeof cb === 'function' ? pickChannelBinding({ secure: true, channelBinding: cb }) !== undefined : cb === true);
  for (const rank of RANKING) {
    if (!offered.has(rank.name)) continue;
    if (allowed !== undefined ? !allowed.has(rank.name) : rank.explicit === true) continue;
    if (rank.plus === true && !canBind) continue;
    if (!available(rank, options.credentials)) continue;
    if (isCleartextMechanism(rank.name) && !options.secure && options.allowPlaintext !== true) continue;
    return rank.name;
  }
  return undefined;
}
