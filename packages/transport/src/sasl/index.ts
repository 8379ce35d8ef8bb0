/**
 * SASL for @mail/transport (RFC 4422): sans-I/O client mechanisms, SASLprep, the mechanism
 * ranking and TLS policy, and server-side mechanisms for the dev/test servers.
 */
export type { ChannelBindingKind, MechanismOptions, SaslContext, SaslCredentials, SaslMechanism } from './types.js';
export { DEFAULT_MAX_ROUNDS } from './base.js';
export { decodeBase64Strict, encodeBase64 } from './base64.js';
export { saslprep, type SaslprepOptions } from './saslprep.js';
export { createMechanism, supportedMechanisms } from './registry.js';
export {
  assertMechanismAllowed,
  chooseMechanism,
  isCleartextMechanism,
  type ChooseMechanismOptions,
  type MechanismPolicy,
} from './ranking.js';
export { PlainMechanism } from './plain.js';
export { LoginMechanism } from './login.js';
export { CramMd5Mechanism } from './cram-md5.js';
export { OAuthBearerMechanism, XOAuth2Mechanism } from './oauth.js';
export { ScramMechanism } from './scram.js';
export { AnonymousMechanism, ExternalMechanism } from './external.js';
export { createServerMechanism, supportedServerMechanisms } from './server.js';
export type { SaslServerMechanism, SaslServerOptions, SaslServerResult } from './server-common.js';
