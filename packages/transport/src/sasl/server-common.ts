/**
 * Types and helpers of the server-side mechanisms (used by the dev/test servers).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { saslprep } from './saslprep.js';

/** One step of a server mechanism: send a challenge, or finish with success or failure. */
export interface SaslServerResult {
  /** Send this challenge to the client and wait for its response. */
  challenge?: Buffer;
  /** Authentication succeeded for this user. */
  done?: { username: string };
  /** Authentication failed; a message safe to log (no secrets, no user input echoed). */
  error?: string;
}

/** A server SASL mechanism as a sans-I/O state machine. */
export interface SaslServerMechanism {
  /** The IANA mechanism name. */
  readonly name: string;
  /** Begin, with the client's initial response if it sent one. */
  start(initialResponse: Buffer | null): SaslServerResult;
  /** Continue with the client's response to the last challenge. */
  step(response: Buffer): SaslServerResult;
}

/** The user database of the server mechanisms. */
export interface SaslServerOptions {
  /** The stored password of `username`, or undefined for an unknown user. */
  lookup(username: string): { password: string } | undefined;
  /** CRAM-MD5 challenge domain. Default `localhost`. */
  hostname?: string;
  /** Random source (salts, nonces); tests inject a fixed one. Default crypto.randomBytes. */
  random?: (size: number) => Buffer;
  /** SCRAM iteration count. Default 4096 (RFC 7677 §4). */
  iterations?: number;
}

/** The generic failure: never says whether the user exists or which part was wrong. */
export const AUTH_FAILED = 'authentication failed';
/** A response that does not follow the mechanism's syntax. */
export const MALFORMED = 'malformed SASL response';

/** Default random source. */
export const defaultRandom = (size: number): Buffer => randomBytes(size);

/** Decodes UTF-8 strictly; undefined for invalid sequences. */
export function utf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** SASLprep that reports failure as undefined instead of throwing. */
export function prepOrUndefined(text: string): string | undefined {
  try {
    return saslprep(text);
  } catch {
    return undefined;
  }
}

/** Constant-time string equality (compares SHA-256 digests, so lengths do not leak). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** Checks a presented password against the stored one, both prepared with SASLprep (RFC 4616 §2). */
export function passwordMatches(options: SaslServerOptions, username: string, presented: string): boolean {
  const stored = options.lookup(username)?.password;
  const given = prepOrUndefined(presented);
  // Compare even for unknown users, so timing does not reveal which ones exist.
  const expected = stored === undefined ? undefined : prepOrUndefined(stored);
  const ok = safeEqual(given ?? '\0invalid', expected ?? '\0unknown');
  return ok && given !== undefined && expected !== undefined;
}
