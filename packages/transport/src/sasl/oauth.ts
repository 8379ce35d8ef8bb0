/**
 * OAuth 2.0 bearer token mechanisms: OAUTHBEARER (RFC 7628) and Google's XOAUTH2
 * (https://developers.google.com/gmail/imap/xoauth2-protocol). Both send the token in one
 * client-first message; on failure the server sends a JSON error as a challenge, the client
 * answers with a dummy response, and the server then reports the failure.
 */
import { ClientMechanism, requireToken } from './base.js';
import { encodeSaslName } from './scram-common.js';
import { assertNoChars, sanitizeServerText, saslError, type MechanismOptions, type SaslContext, type SaslCredentials } from './types.js';

/** RFC 6750 §2.1 b64token is a subset of this; anything else could break the framing. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;
const KVSEP = '\x01';

function checkToken(mechanism: string, token: string): void {
  if (!TOKEN_CHARS.test(token)) {
    throw saslError(`${mechanism}: the OAuth token contains characters outside printable ASCII`);
  }
}

/** Summarises an RFC 7628 §3.2.2 / XOAUTH2 JSON error for messages, without trusting it. */
export function describeOAuthError(challenge: Buffer): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(challenge.toString('utf8'));
  } catch {
    return 'the server sent an error that is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'the server sent an error that is not a JSON object';
  const fields: string[] = [];
  for (const key of ['status', 'schemes', 'scope']) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === 'string' || typeof value === 'number') fields.push(`${key} ${String(value)}`);
  }
  return sanitizeServerText(fields.length > 0 ? fields.join(', ') : 'the server sent an error without a status');
}

/** Shared behaviour: one message, then at most one error challenge. */
abstract class BearerMechanism extends ClientMechanism {
  readonly clientFirst = true;
  private errorSeen: string | undefined;
  protected abstract readonly message: Buffer;
  protected abstract readonly dummyResponse: Buffer;

  /** The server's JSON error summary, once one arrived. */
  get serverError(): string | undefined {
    return this.errorSeen;
  }

  protected initial(): Buffer {
    this.finished = true;
    return this.message;
  }

  protected respond(challenge: Buffer): Buffer {
    if (this.errorSeen !== undefined) {
      throw saslError(`${this.name}: unexpected server challenge after the error response`);
    }
    // RFC 7628 §3.2.3: answer the error challenge so the server can send the failure reply,
    // which carries the real outcome; the protocol layer reports it with serverError.
    this.errorSeen = describeOAuthError(challenge);
    return this.dummyResponse;
  }
}

/** OAUTHBEARER (RFC 7628 §3.1): gs2 header, host/port, `auth=Bearer <token>`. */
export class OAuthBearerMechanism extends BearerMechanism {
  readonly name = 'OAUTHBEARER';
  protected readonly message: Buffer;
  // RFC 7628 §3.2.3: the client responds with a single %x01.
  protected readonly dummyResponse = Buffer.from(KVSEP);

  constructor(credentials: SaslCredentials, context: SaslContext, options?: MechanismOptions) {
    super(options);
    const token = requireToken('OAUTHBEARER', credentials);
    checkToken('OAUTHBEARER', token);
    // RFC 7628 §3.1: the gs2 authzid names the user; servers (Gmail, Dovecot) expect the
    // login name there, so it defaults to the user name.
    const authzid = credentials.authzid ?? credentials.username;
    assertNoChars(authzid, '\0\x01', 'OAUTHBEARER user name');
    const pairs: string[] = [];
    if (context.host !== undefined) {
      assertNoChars(context.host, '\0\x01', 'OAUTHBEARER host');
      pairs.push(`host=${context.host}`);
    }
    if (context.port !== undefined) pairs.push(`port=${context.port}`);
    pairs.push(`auth=Bearer ${token}`);
    const gs2 = authzid === '' ? 'n,,' : `n,a=${encodeSaslName(authzid)},`;
    this.message = Buffer.from(`${gs2}${KVSEP}${pairs.join(KVSEP)}${KVSEP}${KVSEP}`, 'utf8');
  }
}

/** XOAUTH2: `user=<user>^Aauth=Bearer <token>^A^A`. */
export class XOAuth2Mechanism extends BearerMechanism {
  readonly name = 'XOAUTH2';
  protected readonly message: Buffer;
  // Google's protocol page: "the client sends an empty response" to the error challenge.
  protected readonly dummyResponse = Buffer.alloc(0);

  constructor(credentials: SaslCredentials, options?: MechanismOptions) {
    super(options);
    const token = requireToken('XOAUTH2', credentials);
    checkToken('XOAUTH2', token);
    assertNoChars(credentials.username, '\0\x01', 'XOAUTH2 user name');
    this.message = Buffer.from(`user=${credentials.username}${KVSEP}auth=Bearer ${token}${KVSEP}${KVSEP}`, 'utf8');
  }
}
