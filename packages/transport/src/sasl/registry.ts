/**
 * Creating client mechanisms by name.
 */
import { MailError } from '../errors.js';
import { CramMd5Mechanism } from './cram-md5.js';
import { AnonymousMechanism, ExternalMechanism } from './external.js';
import { LoginMechanism } from './login.js';
import { OAuthBearerMechanism, XOAuth2Mechanism } from './oauth.js';
import { PlainMechanism } from './plain.js';
import { ScramMechanism } from './scram.js';
import type { MechanismOptions, SaslContext, SaslCredentials, SaslMechanism } from './types.js';

/** The client mechanisms this package implements, strongest first (see ranking.ts). */
export const supportedMechanisms: readonly string[] = Object.freeze([
  'SCRAM-SHA-256-PLUS',
  'SCRAM-SHA-256',
  'SCRAM-SHA-1-PLUS',
  'SCRAM-SHA-1',
  'OAUTHBEARER',
  'XOAUTH2',
  'CRAM-MD5',
  'PLAIN',
  'LOGIN',
  'EXTERNAL',
  'ANONYMOUS',
]);

/**
 * Creates the client mechanism `name` (case-insensitive). Throws MailError `MAIL_SASL` for an
 * unknown mechanism, `MAIL_INVALID_ARGUMENT` for missing or unusable credentials. Does not
 * check the TLS policy: call {@link assertMechanismAllowed} (or use `chooseMechanism`) first.
 *
 * @example
 * ```ts
 * const mech = createMechanism('SCRAM-SHA-256', { username, password }, { secure: true });
 * const first = mech.start(); // send base64(first), then mech.step(challenge) for each challenge
 * ```
 */
export function createMechanism(
  name: string,
  credentials: SaslCredentials,
  context: SaslContext,
  options?: MechanismOptions,
): SaslMechanism {
  const upper = name.toUpperCase();
  switch (upper) {
    case 'PLAIN':
      return new PlainMechanism(credentials, options);
    case 'LOGIN':
      return new LoginMechanism(credentials, options);
    case 'CRAM-MD5':
      return new CramMd5Mechanism(credentials, options);
    case 'XOAUTH2':
      return new XOAuth2Mechanism(credentials, options);
    case 'OAUTHBEARER':
      return new OAuthBearerMechanism(credentials, context, options);
    case 'SCRAM-SHA-1':
      return new ScramMechanism('sha1', false, credentials, context, options);
    case 'SCRAM-SHA-1-PLUS':
      return new ScramMechanism('sha1', true, credentials, context, options);
    case 'SCRAM-SHA-256':
      return new ScramMechanism('sha256', false, credentials, context, options);
    case 'SCRAM-SHA-256-PLUS':
      return new ScramMechanism('sha256', true, credentials, context, options);
    case 'EXTERNAL':
      return new ExternalMechanism(credentials, options);
    case 'ANONYMOUS':
      return new AnonymousMechanism(credentials, options);
    default:
      throw new MailError('MAIL_SASL', `SASL mechanism ${JSON.stringify(name.slice(0, 40))} is not supported`);
  }
}
