/**
 * PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd` in one client-first message.
 * The password travels in cleartext; see ranking.ts for the TLS requirement.
 */
import { SingleMessageMechanism, requirePassword } from './base.js';
import { assertNoChars, type MechanismOptions, type SaslCredentials } from './types.js';

/** The PLAIN client mechanism (RFC 4616 §2). */
export class PlainMechanism extends SingleMessageMechanism {
  readonly name = 'PLAIN';
  protected readonly message: Buffer;

  constructor(credentials: SaslCredentials, options?: MechanismOptions) {
    super(options);
    const password = requirePassword('PLAIN', credentials);
    const authzid = credentials.authzid ?? '';
    // RFC 4616 §2: the fields are UTF8SAFE, i.e. anything but NUL; an empty authcid or
    // password cannot be expressed.
    assertNoChars(credentials.username, '\0', 'PLAIN user name');
    assertNoChars(password, '\0', 'PLAIN password');
    assertNoChars(authzid, '\0', 'PLAIN authorization identity');
    this.message = Buffer.from(`${authzid}\0${credentials.username}\0${password}`, 'utf8');
  }
}
