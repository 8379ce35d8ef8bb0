/**
 * Common state of client mechanisms: the initial-response rule and the cap on challenge rounds.
 */
import { MailError } from '../errors.js';
import { saslError, type MechanismOptions, type SaslCredentials, type SaslMechanism } from './types.js';

/** Default cap on server challenges; no mechanism here needs more than 3 (SCRAM). */
export const DEFAULT_MAX_ROUNDS = 10;

/**
 * Base class of the client mechanisms. Subclasses implement `initial()` (the client-first
 * message, or null) and `respond()` (everything after it), and set `finished` when no more
 * challenges are expected.
 */
export abstract class ClientMechanism implements SaslMechanism {
  abstract readonly name: string;
  abstract readonly clientFirst: boolean;
  /** Set by subclasses when no further challenge is expected. */
  protected finished = false;
  private started = false;
  private rounds = 0;
  private readonly maxRounds: number;

  constructor(options: MechanismOptions = {}) {
    this.maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
  }

  get done(): boolean {
    return this.finished;
  }

  start(): Buffer | null {
    if (this.started) throw saslError(`${this.name}: start() called twice`);
    this.started = true;
    return this.initial();
  }

  step(challenge: Buffer): Buffer {
    // A hostile or broken server could keep challenging forever; RFC 4422 sets no limit,
    // so every mechanism gets the same small cap.
    this.rounds += 1;
    if (this.rounds > this.maxRounds) {
      throw saslError(`${this.name}: the server sent more than ${this.maxRounds} challenges; giving up`);
    }
    if (!this.started) {
      this.started = true;
      if (this.clientFirst) {
        // RFC 4422 §5 (2.a): without an initial response the server sends an empty challenge
        // and the client answers with what it would have sent as the initial response.
        if (challenge.length !== 0) {
          throw saslError(`${this.name}: the server sent a non-empty challenge before the client's first message`);
        }
        return this.initial() ?? Buffer.alloc(0);
      }
    }
    return this.respond(challenge);
  }

  finish(_additionalData?: Buffer): void {
    // Only mechanisms with server authentication (SCRAM) have something to check.
  }

  /** The client-first message, or null when there is none. */
  protected abstract initial(): Buffer | null;
  /** The answer to a challenge after the first message. */
  protected abstract respond(challenge: Buffer): Buffer;
}

/** Returns `credentials.password`, or throws MAIL_INVALID_ARGUMENT naming the mechanism. */
export function requirePassword(mechanism: string, credentials: SaslCredentials): string {
  if (typeof credentials.password !== 'string') {
    throw new MailError('MAIL_INVALID_ARGUMENT', `SASL ${mechanism} needs a password`);
  }
  return credentials.password;
}

/** Returns `credentials.token`, or throws MAIL_INVALID_ARGUMENT naming the mechanism. */
export function requireToken(mechanism: string, credentials: SaslCredentials): string {
  if (typeof credentials.token !== 'string' || credentials.token === '') {
    throw new MailError('MAIL_INVALID_ARGUMENT', `SASL ${mechanism} needs an OAuth token`);
  }
  return credentials.token;
}

/**
 * A mechanism that is one client-first message and nothing else (PLAIN, EXTERNAL,
 * ANONYMOUS): it is done once the message is sent, and any further challenge is an error.
 */
export abstract class SingleMessageMechanism extends ClientMechanism {
  readonly clientFirst = true;
  /** The whole client message, fixed at construction. */
  protected abstract readonly message: Buffer;

  protected initial(): Buffer {
    this.finished = true;
    return this.message;
  }

  protected respond(_challenge: Buffer): Buffer {
    throw saslError(`${this.name}: unexpected server challenge after the client's only message`);
  }
}
