/**
 * LOGIN (draft-murchison-sasl-login-00): the server prompts "Username:" then "Password:" and
 * the client answers each in order. Obsolete but still the only mechanism of some servers.
 */
import { ClientMechanism, requirePassword } from './base.js';
import { saslError, type MechanismOptions, type SaslCredentials } from './types.js';

/**
 * The LOGIN client mechanism. The prompts' text varies between servers ("User Name",
 * "Username:"), so, as the draft says clients should, it answers by position, not by text.
 */
export class LoginMechanism extends ClientMechanism {
  readonly name = 'LOGIN';
  // Many SMTP servers accept the user name as an initial response, but the draft defines none.
  readonly clientFirst = false;
  private answered = 0;
  private readonly username: string;
  private readonly password: string;

  constructor(credentials: SaslCredentials, options?: MechanismOptions) {
    super(options);
    this.username = credentials.username;
    this.password = requirePassword('LOGIN', credentials);
  }

  protected initial(): null {
    return null;
  }

  protected respond(_challenge: Buffer): Buffer {
    this.answered += 1;
    if (this.answered === 1) return Buffer.from(this.username, 'utf8');
    if (this.answered === 2) {
      this.finished = true;
      return Buffer.from(this.password, 'utf8');
    }
    throw saslError('LOGIN: unexpected third server challenge after the password was sent');
  }
}
