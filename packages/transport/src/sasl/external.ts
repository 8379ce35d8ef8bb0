/**
 * EXTERNAL (RFC 4422 Appendix A) and ANONYMOUS (RFC 4505): one client-first message each.
 */
import { MailError } from '../errors.js';
import { SingleMessageMechanism } from './base.js';
import { assertNoChars, type MechanismOptions, type SaslCredentials } from './types.js';

/**
 * EXTERNAL: the identity comes from outside SASL (the TLS client certificate). The message is
 * the authorization identity, empty to act as the identity the certificate proves.
 */
export class ExternalMechanism extends SingleMessageMechanism {
  readonly name = 'EXTERNAL';
  protected readonly message: Buffer;

  constructor(credentials: SaslCredentials, options?: MechanismOptions) {
    super(options);
    const authzid = credentials.authzid ?? '';
    assertNoChars(authzid, '\0', 'EXTERNAL authorization identity');
    // Possibly empty, never null: RFC 4422 App. A sends an empty message ("=" in SMTP).
    this.message = Buffer.from(authzid, 'utf8');
  }
}

/** RFC 4505 §2: the trace is at most 255 characters (code points). */
const MAX_TRACE = 255;

/**
 * ANONYMOUS: no credentials; the message is optional trace information (an email address or
 * an opaque token), taken from `credentials.username`.
 */
export class AnonymousMechanism extends SingleMessageMechanism {
  readonly name = 'ANONYMOUS';
  protected readonly message: Buffer;

  constructor(credentials: SaslCredentials, options?: MechanismOptions) {
    super(options);
    const trace = credentials.username;
    if ([...trace].length > MAX_TRACE) {
      throw new MailError('MAIL_INVALID_ARGUMENT', `ANONYMOUS trace information is longer than ${MAX_TRACE} characters (RFC 4505 §2)`);
    }
    assertNoChars(trace, '\0', 'ANONYMOUS trace information');
    this.message = Buffer.from(trace, 'utf8');
  }
}
