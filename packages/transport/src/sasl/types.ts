/**
 * Types shared by the SASL mechanisms (RFC 4422). Everything here is sans-I/O: a mechanism
 * turns server challenges (raw bytes) into client responses (raw bytes); the protocol layer
 * (SMTP AUTH, POP3 AUTH) does the base64 and the network.
 */
import { MailError } from '../errors.js';

/** The TLS channel binding types a mechanism may ask for (RFC 5929, RFC 9266). */
export type ChannelBindingKind = 'tls-exporter' | 'tls-unique';

/** Who is logging in. Which fields a mechanism needs depends on the mechanism. */
export interface SaslCredentials {
  /** Authentication identity (SCRAM `n=`, PLAIN authcid, XOAUTH2 `user=`, ANONYMOUS trace). */
  username: string;
  /** Password, for PLAIN, LOGIN, CRAM-MD5 and SCRAM. */
  password?: string;
  /** Authorization identity: act as this user (empty or absent = the same as `username`). */
  authzid?: string;
  /** OAuth 2.0 bearer token, for OAUTHBEARER and XOAUTH2. */
  token?: string;
}

/** What a mechanism may know about the connection it runs over. */
export interface SaslContext {
  /** Server host name (OAUTHBEARER `host=`). */
  host?: string;
  /** Server port (OAUTHBEARER `port=`). */
  port?: number;
  /** A verified TLS session is in place. */
  secure: boolean;
  /**
   * Channel binding data of the current TLS session, or undefined when that type is not
   * available. The connection must return undefined for `tls-unique` on TLS 1.3 (RFC 9266 §3)
   * and for `tls-exporter` on TLS 1.2 without extended master secret.
   */
  channelBinding?: (kind: ChannelBindingKind) => Buffer | undefined;
}

/** Tuning and test hooks for client mechanisms. */
export interface MechanismOptions {
  /** Most server challenges answered before giving up with MAIL_SASL. Default 10. */
  maxRounds?: number;
  /** SCRAM client nonce source (printable ASCII without `,`); tests inject fixed nonces. */
  nonce?: () => string;
  /**
   * SCRAM: the server advertised the -PLUS variant although the caller chose the plain one.
   * The gs2 flag is then `n` instead of `y`, because `y` would make such a server fail the
   * exchange as a suspected downgrade (RFC 5802 §6).
   */
  serverOffersPlus?: boolean;
  /** SCRAM: fewest PBKDF2 iterations accepted from the server. Default 4096 (RFC 7677 §4). */
  minIterations?: number;
  /** SCRAM: most PBKDF2 iterations accepted (a hostile server could ask for billions). Default 1 000 000. */
  maxIterations?: number;
}

/**
 * A client SASL mechanism as a sans-I/O state machine.
 *
 * Protocol usage: if the protocol can send an initial response and `clientFirst` is true, send
 * `start()` (null = none; an empty Buffer = an empty initial response, `=` on the wire). Then
 * answer every server challenge with `step(challenge)`. When the server reports success, call
 * `finish(additionalData)`, which throws if the mechanism could not verify the server (SCRAM).
 * A mechanism that was not started answers an empty first challenge with its initial response.
 */
export interface SaslMechanism {
  /** The IANA mechanism name, upper case, e.g. `SCRAM-SHA-256-PLUS`. */
  readonly name: string;
  /** The mechanism can send an initial response (RFC 4422 §3.3: client-first). */
  readonly clientFirst: boolean;
  /** The initial response, or null when the mechanism has none. Call at most once. */
  start(): Buffer | null;
  /** The response to a server challenge (raw bytes). Throws MailError `MAIL_SASL` on bad input. */
  step(challenge: Buffer): Buffer;
  /**
   * The server reported success, with optional additional data (RFC 4422 §3.6). Throws
   * MailError `MAIL_SASL` when the mechanism requires server authentication that did not
   * happen (SCRAM without a verified `v=`).
   */
  finish(additionalData?: Buffer): void;
  /** No more challenges are expected. */
  readonly done: boolean;
  /** A server-supplied error description (OAuth JSON status), safe to show; undefined if none. */
  readonly serverError?: string | undefined;
}

/** Builds the MAIL_SASL error. Callers must never pass secrets in `message`. */
export function saslError(message: string, cause?: unknown): MailError {
  return new MailError('MAIL_SASL', message, cause === undefined ? {} : { cause });
}

/** Rejects a value that contains NUL (RFC 4616 §2) or other separators, without echoing it. */
export function assertNoChars(value: string, chars: string, what: string): void {
  if ([...chars].some((c) => value.includes(c))) {
    throw new MailError('MAIL_INVALID_ARGUMENT', `${what} contains a character that the SASL mechanism cannot carry`);
  }
}

/** Makes server-supplied text safe to show: printable ASCII only, bounded length. */
export function sanitizeServerText(text: string, max = 200): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
