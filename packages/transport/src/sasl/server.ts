/**
 * Server-side PLAIN, LOGIN and CRAM-MD5, and the factory for all server mechanisms.
 * For the dev/test servers; sans-I/O like the client side.
 */
import { MailError } from '../errors.js';
import { cramMd5Response } from './cram-md5.js';
import { ScramServerMechanism } from './scram-server.js';
import {
  AUTH_FAILED,
  MALFORMED,
  defaultRandom,
  passwordMatches,
  safeEqual,
  utf8,
  type SaslServerMechanism,
  type SaslServerOptions,
  type SaslServerResult,
} from './server-common.js';

const FINISHED: SaslServerResult = { error: 'the SASL exchange is already finished' };

/** PLAIN server (RFC 4616 §2): `[authzid] NUL authcid NUL passwd`. */
class PlainServer implements SaslServerMechanism {
  readonly name = 'PLAIN';
  private waiting = false;
  private over = false;
  constructor(private readonly options: SaslServerOptions) {}

  start(initialResponse: Buffer | null): SaslServerResult {
    if (initialResponse === null) {
      this.waiting = true;
      return { challenge: Buffer.alloc(0) };
    }
    return this.verify(initialResponse);
  }

  step(response: Buffer): SaslServerResult {
    if (!this.waiting) return FINISHED;
    this.waiting = false;
    return this.verify(response);
  }

  private verify(message: Buffer): SaslServerResult {
    if (this.over) return FINISHED;
    this.over = true;
    const text = utf8(message);
    const parts = text?.split('\0');
    if (parts?.length !== 3) return { error: MALFORMED };
    const [authzid, authcid, password] = parts as [string, string, string];
    if (authcid === '' || password === '') return { error: MALFORMED };
    if (!passwordMatches(this.options, authcid, password)) return { error: AUTH_FAILED };
    // Proxy authorization is not supported: the authzid must be empty or the same user.
    if (authzid !== '' && authzid !== authcid) return { error: 'authorization identity not permitted' };
    return { done: { username: authcid } };
  }
}

/** LOGIN server (draft-murchison-sasl-login-00). Accepts the user name as initial response. */
class LoginServer implements SaslServerMechanism {
  readonly name = 'LOGIN';
  private username: string | undefined;
  private state: 'user' | 'password' | 'over' = 'user';
  constructor(private readonly options: SaslServerOptions) {}

  start(initialResponse: Buffer | null): SaslServerResult {
    if (initialResponse === null) return { challenge: Buffer.from('Username:') };
    return this.step(initialResponse);
  }

  step(response: Buffer): SaslServerResult {
    const text = utf8(response);
    switch (this.state) {
      case 'user':
        if (text === undefined || text === '') {
          this.state = 'over';
          return { error: MALFORMED };
        }
        this.username = text;
        this.state = 'password';
        return { challenge: Buffer.from('Password:') };
      case 'password': {
        this.state = 'over';
        const username = this.username as string;
        if (text === undefined || !passwordMatches(this.options, username, text)) return { error: AUTH_FAILED };
        return { done: { username } };
      }
      case 'over':
        return FINISHED;
    }
  }
}

/** CRAM-MD5 server (RFC 2195 §2). */
class CramMd5Server implements SaslServerMechanism {
  readonly name = 'CRAM-MD5';
  private challenge: Buffer | undefined;
  private over = false;
  constructor(private readonly options: SaslServerOptions) {}

  start(initialResponse: Buffer | null): SaslServerResult {
    // RFC 2195 has no initial response; RFC 4954 lets an empty one through as "none".
    if (initialResponse !== null && initialResponse.length > 0) {
      this.over = true;
      return { error: 'CRAM-MD5 takes no initial response' };
    }
    const random = (this.options.random ?? defaultRandom)(8).toString('hex');
    this.challenge = Buffer.from(`<${random}.${Date.now()}@${this.options.hostname ?? 'localhost'}>`);
    return { challenge: this.challenge };
  }

  step(response: Buffer): SaslServerResult {
    if (this.over || this.challenge === undefined) return FINISHED;
    this.over = true;
    const text = utf8(response);
    const m = text === undefined ? null : /^(.+) ([0-9a-f]{32})$/s.exec(text);
    if (m === null) return { error: MALFORMED };
    const [, username, digest] = m as unknown as [string, string, string];
    const stored = this.options.lookup(username)?.password;
    const expected = cramMd5Response(username, stored ?? '', this.challenge).toString('utf8');
    const ok = safeEqual(`${username} ${digest}`, expected);
    if (!ok || stored === undefined) return { error: AUTH_FAILED };
    return { done: { username } };
  }
}

/** The server mechanisms available to the dev/test servers. */
export const supportedServerMechanisms: readonly string[] = Object.freeze(['SCRAM-SHA-256', 'SCRAM-SHA-1', 'CRAM-MD5', 'PLAIN', 'LOGIN']);

/**
 * Creates a server-side mechanism (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256) over a
 * password lookup. Throws MailError `MAIL_SASL` for other names.
 *
 * @example
 * ```ts
 * const mech = createServerMechanism('SCRAM-SHA-256', { lookup: (u) => users.get(u) });
 * let r = mech.start(initialResponse);   // then: r.challenge -> send; r.done / r.error -> reply
 * ```
 */
export function createServerMechanism(name: string, options: SaslServerOptions): SaslServerMechanism {
  switch (name.toUpperCase()) {
    case 'PLAIN':
      return new PlainServer(options);
    case 'LOGIN':
      return new LoginServer(options);
    case 'CRAM-MD5':
      return new CramMd5Server(options);
    case 'SCRAM-SHA-1':
      return new ScramServerMechanism('sha1', options);
    case 'SCRAM-SHA-256':
      return new ScramServerMechanism('sha256', options);
    default:
      throw new MailError('MAIL_SASL', `server SASL mechanism ${JSON.stringify(name.slice(0, 40))} is not supported`);
  }
}
