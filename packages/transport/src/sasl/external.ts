/**
 * EXTERNAL (RFC 4422 Appendix A) and ANONYMOUS (RFC 4505): one client-first message each.
 */
import { MailError } from '../errors.js';
import { ClientMechanism } from './base.js';
import { assertNoChars, saslError, type MechanismOptions, type SaslCredentials } from './types.js';

/**
 * EXTERNAL: the identity comes from outside SASL (the TLS client certificate). The message is
 * the authorization identity, empty to act as the identity the certificate proves.
 */
export class ExternalMechanism extends ClientMechanism {
  readonly name = 'EXTERNAL';
  readonly clientFirst = true;
  private readonly authzid: string;

  constructor(credentials: SaslCredentials, options?: MechanismOptions) {
    super(options);
    this.authzid = credentials.authzid ?? '';
    assertNoChars(this.authzid, '\0', 'EXTERNAL authorization identity');
  }

  protected initial(): Buffer {
    this.finished = true;
    // An empty Buffer, not null: RFC 4422 App. A sends an empty message ("=" in SMTP).
    return Buffer.from(this.authzid, 'utf8');
  }

  protected respond(_challenge: Buffer): Buffer {
    throw saslError('EXTERNAL: unexpected server challenge');
  }
}

/** RFC 4505 §2: the trace is at most 255 characters (code points). */
const MAX_TRACE = 255;

/**
 * ANONYMOUS: no credentials; the message is optional trace information (an email address or
 * an opaque token), taken from `credentials.username`.
 */
export class AnonymousMechanism extends ClientMechanism {
  readonly name = 'ANONYMOUS';
  readonly clientFirst = true;
  private readonly trace: string;

  constructor(credentials: SaslCredentials, options?: MechanismOptions) {
    super(options);
    this.trace = credentials.username;
    if ([...this.trace].length > MAX_TRACE) {
      throw new MailError('MAIL_INVALID_ARGUMENT', `ANONYMOUS trace information is longer than ${MAX_TRACE} characters (RFC 4505 §2)`);
    }
    assertNoChars(this.trace, '\0', 'ANONYMOUS trace information');
  }

  protected initial(): Buffer {
    this.finished = true;
    return Buffer.from(this.trace, 'utf8');
  }

  protected respond(_challenge: Buffer): Buffer {
    throw saslError('ANONYMOUS: unexpected server challenge');
  }
}
