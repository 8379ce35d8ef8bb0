/**
 * CRAM-MD5 (RFC 2195): the client answers the server's challenge with
 * `username SP hex(HMAC-MD5(password, challenge))`. The password never crosses the wire,
 * but the server must store it in cleartext and the exchange has no server authentication.
 */
import { createHmac } from 'node:crypto';
import { ClientMechanism, requirePassword } from './base.js';
import { saslError, type MechanismOptions, type SaslCredentials } from './types.js';

/** Computes the RFC 2195 §2 response for a challenge. Exported for the server side. */
export function cramMd5Response(username: string, password: string, challenge: Buffer): Buffer {
  const digest = createHmac('md5', Buffer.from(password, 'utf8')).update(challenge).digest('hex');
  return Buffer.from(`${username} ${digest}`, 'utf8');
}

/** The CRAM-MD5 client mechanism. */
export class CramMd5Mechanism extends ClientMechanism {
  readonly name = 'CRAM-MD5';
  readonly clientFirst = false;
  private readonly username: string;
  private readonly password: string;

  constructor(credentials: SaslCredentials, options?: MechanismOptions) {
    super(options);
    this.username = credentials.username;
    this.password = requirePassword('CRAM-MD5', credentials);
  }

  protected initial(): null {
    return null;
  }

  protected respond(challenge: Buffer): Buffer {
    if (this.finished) throw saslError('CRAM-MD5: unexpected second server challenge');
    // RFC 2195 §2: the challenge is a msg-id, `<...>`; an empty one would let anyone replay.
    if (challenge.length === 0) throw saslError('CRAM-MD5: the server sent an empty challenge');
    this.finished = true;
    return cramMd5Response(this.username, this.password, challenge);
  }
}
