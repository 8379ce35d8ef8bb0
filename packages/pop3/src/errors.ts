/**
 * POP3 error classes. Each carries a `Symbol.for` brand so `X.is(e)` works across copies of
 * the package; prefer matching on the stable `code`.
 */
import { MailError, brandCheck, markBrand, type MailErrorCode, type MailErrorOptions } from '@mail/transport';
import { escapeForTerminal } from '@mail/transport';
import { codeIs, isTransientCode, type POP3ResponseCode, type StatusLine } from './protocol/index.js';

/** Code of {@link POP3ReplyError}: the server answered `-ERR`. */
export const POP3_REPLY = 'POP3_REPLY';
/** Code of errors for a command or extension the server does not offer (no APOP timestamp, no SASL, ...). */
export const POP3_NOT_SUPPORTED = 'POP3_NOT_SUPPORTED';

/**
 * Base class of the POP3 client's own errors (transport errors such as `MAIL_TIMEOUT` stay
 * plain {@link MailError}s).
 */
export class POP3Error extends MailError {
  /** True for a POP3Error from any copy of this package. */
  static override is = brandCheck<POP3Error>('@mail/pop3.POP3Error');

  constructor(code: MailErrorCode, message: string, options: MailErrorOptions = {}) {
    super(code, message, options);
    markBrand(this, '@mail/pop3.POP3Error');
  }
}

/**
 * The server answered `-ERR`. `responseCode` is the RFC 2449 §8 / RFC 3206 extended code
 * (`IN-USE`, `LOGIN-DELAY`, `SYS/TEMP`, `SYS/PERM`, `AUTH`, `UTF8`) if the server sent one;
 * `transient` is derived from it.
 *
 * @example
 * ```ts
 * catch (e) { if (POP3ReplyError.is(e) && e.responseCode === 'LOGIN-DELAY') scheduleLater() }
 * ```
 */
export class POP3ReplyError extends POP3Error {
  /** True for a POP3ReplyError (or subclass) from any copy of this package. */
  static override is = brandCheck<POP3ReplyError>('@mail/pop3.POP3ReplyError');
  /** The extended response code, upper-cased, or undefined. */
  readonly responseCode: POP3ResponseCode | undefined;
  /** The server's text after the code (raw; escape it before showing it on a terminal). */
  readonly text: string;
  /** The command that was refused, redacted: never a password, APOP digest or SASL data. */
  readonly command: string;

  constructor(command: string, reply: StatusLine, options: MailErrorOptions = {}) {
    const code = reply.responseCode === undefined ? '' : `[${reply.responseCode}] `;
    super(POP3_REPLY, `${command} refused: -ERR ${code}${escapeForTerminal(reply.text)}`, {
      transient: isTransientCode(reply.responseCode),
      ...options,
    });
    markBrand(this, '@mail/pop3.POP3ReplyError');
    this.responseCode = reply.responseCode;
    this.text = reply.text;
    this.command = command;
  }
}

/**
 * Authentication was refused (USER/PASS, APOP or AUTH answered `-ERR` with `[AUTH]` or no
 * code). Retrying with the same credentials will not help.
 */
export class POP3AuthenticationError extends POP3ReplyError {
  /** True for a POP3AuthenticationError from any copy of this package. */
  static override is = brandCheck<POP3AuthenticationError>('@mail/pop3.POP3AuthenticationError');

  constructor(command: string, reply: StatusLine, options: MailErrorOptions = {}) {
    super(command, reply, options);
    markBrand(this, '@mail/pop3.POP3AuthenticationError');
  }
}

/**
 * The maildrop is locked by another session (`-ERR [IN-USE]`, RFC 2449 §8.1.1). Transient:
 * try again once the other session ends.
 */
export class POP3MailboxInUseError extends POP3ReplyError {
  /** True for a POP3MailboxInUseError from any copy of this package. */
  static override is = brandCheck<POP3MailboxInUseError>('@mail/pop3.POP3MailboxInUseError');

  constructor(command: string, reply: StatusLine, options: MailErrorOptions = {}) {
    super(command, reply, options);
    markBrand(this, '@mail/pop3.POP3MailboxInUseError');
  }
}

/**
 * Maps a `-ERR` to a login command (PASS, APOP, AUTH) to its class (RFC 3206 §5): `IN-USE`
 * → {@link POP3MailboxInUseError}; `AUTH` or no code → {@link POP3AuthenticationError};
 * `SYS/*`, `LOGIN-DELAY` and others → {@link POP3ReplyError} (not the credentials' fault).
 */
export function loginError(command: string, reply: StatusLine): POP3ReplyError {
  if (codeIs(reply.responseCode, 'IN-USE')) return new POP3MailboxInUseError(command, reply);
  if (reply.responseCode === undefined || codeIs(reply.responseCode, 'AUTH')) {
    return new POP3AuthenticationError(command, reply);
  }
  return new POP3ReplyError(command, reply);
}

/** A reply that breaks the protocol (`MAIL_PROTOCOL`) or a status line over the limit. */
export function protocolError(code: MailErrorCode, message: string): MailError {
  return new MailError(code, `POP3: ${message}`);
}
