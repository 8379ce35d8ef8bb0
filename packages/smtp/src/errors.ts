/**
 * SMTP error classes, mirroring Python's smtplib as aiosmtplib improved it. Every class has
 * a `Symbol.for` brand and a static `is()` that works across copies of the package; prefer
 * matching on `code`:
 *
 * | class | code | transient |
 * | --- | --- | --- |
 * | {@link SMTPReplyError} and subclasses | `SMTP_REPLY` | 4xx replies |
 * | {@link SMTPRecipientsRefusedError} | `SMTP_RECIPIENTS_REFUSED` | all refusals 4xx |
 * | {@link SMTPServerDisconnectedError} | `SMTP_SERVER_DISCONNECTED` | yes |
 * | {@link SMTPNotSupportedError} | `SMTP_NOT_SUPPORTED` | no |
 * | {@link SMTPMessageError} | `SMTP_MESSAGE` | no |
 * | {@link SMTPOutcomeUnknownError} | `SMTP_OUTCOME_UNKNOWN` | no (never retry blindly, RFC 1047) |
 */
import { MailError, brandCheck, markBrand, type MailErrorCode, type MailErrorOptions } from '@mail/transport';
import { SMTPProtocolError } from './protocol/errors.js';
import { describeReply, isTransient, type Reply } from './protocol/reply.js';

const P = '@mail/smtp.';

/** Base class of every SMTP-specific error. */
export class SMTPError extends MailError {
  /** True for an SMTPError from any copy of this package. */
  static override is = brandCheck<SMTPError>(`${P}SMTPError`);
  constructor(code: MailErrorCode, message: string, options: MailErrorOptions = {}) {
    super(code, message, options);
    markBrand(this, `${P}SMTPError`);
  }
}

/** A negative (4xx/5xx) or unexpected reply; `transient` for 4xx. */
export class SMTPReplyError extends SMTPError {
  static override is = brandCheck<SMTPReplyError>(`${P}SMTPReplyError`);
  /** The reply as received. */
  readonly reply: Reply;
  /** The command it answered, secrets removed (`AUTH PLAIN`, never its payload). */
  readonly command: string;
  constructor(command: string, reply: Reply, options: MailErrorOptions = {}) {
    super('SMTP_REPLY', `${command} rejected: ${describeReply(reply)}`, { transient: isTransient(reply), ...options });
    this.reply = reply;
    this.command = command;
    markBrand(this, `${P}SMTPReplyError`);
  }
}

/** The server refused MAIL FROM. */
export class SMTPSenderRefusedError extends SMTPReplyError {
  static override is = brandCheck<SMTPSenderRefusedError>(`${P}SMTPSenderRefusedError`);
  /** The sender address. */
  readonly sender: string;
  constructor(sender: string, command: string, reply: Reply) {
    super(command, reply);
    this.sender = sender;
    markBrand(this, `${P}SMTPSenderRefusedError`);
  }
}

/** The server refused one RCPT TO (or, in LMTP, delivery to one recipient). */
export class SMTPRecipientRefusedError extends SMTPReplyError {
  static override is = brandCheck<SMTPRecipientRefusedError>(`${P}SMTPRecipientRefusedError`);
  /** The recipient address. */
  readonly recipient: string;
  constructor(recipient: string, command: string, reply: Reply) {
    super(command, reply);
    this.recipient = recipient;
    markBrand(this, `${P}SMTPRecipientRefusedError`);
  }
}

/** The server refused DATA/BDAT or the message after it. */
export class SMTPDataError extends SMTPReplyError {
  static override is = brandCheck<SMTPDataError>(`${P}SMTPDataError`);
  constructor(command: string, reply: Reply) {
    super(command, reply);
    markBrand(this, `${P}SMTPDataError`);
  }
}

/** AUTH failed (535, 534, 454, …). `command` is `AUTH <mechanism>` only. */
export class SMTPAuthenticationError extends SMTPReplyError {
  static override is = brandCheck<SMTPAuthenticationError>(`${P}SMTPAuthenticationError`);
  constructor(command: string, reply: Reply) {
    super(command, reply);
    markBrand(this, `${P}SMTPAuthenticationError`);
  }
}

/** The server refused EHLO and HELO (or LHLO). */
export class SMTPHeloError extends SMTPReplyError {
  static override is = brandCheck<SMTPHeloError>(`${P}SMTPHeloError`);
  constructor(command: string, reply: Reply) {
    super(command, reply);
    markBrand(this, `${P}SMTPHeloError`);
  }
}

/** Every recipient was refused; `errors` holds each refusal. Transient when all were 4xx. */
export class SMTPRecipientsRefusedError extends SMTPError {
  static override is = brandCheck<SMTPRecipientsRefusedError>(`${P}SMTPRecipientsRefusedError`);
  /** One error per refused recipient, in the order given. */
  readonly errors: readonly SMTPRecipientRefusedError[];
  constructor(errors: readonly SMTPRecipientRefusedError[]) {
    const first = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    super('SMTP_RECIPIENTS_REFUSED', `all recipients were refused: ${first?.message ?? 'none given'}${more}`, {
      transient: errors.length > 0 && errors.every((e) => e.transient),
    });
    this.errors = errors;
    markBrand(this, `${P}SMTPRecipientsRefusedError`);
  }
}

/** The server closed the session (a 421 reply, RFC 5321 §3.8, or the connection dropped). */
export class SMTPServerDisconnectedError extends SMTPError {
  static override is = brandCheck<SMTPServerDisconnectedError>(`${P}SMTPServerDisconnectedError`);
  /** The 421 reply, when the server sent one. */
  readonly reply: Reply | undefined;
  constructor(message: string, reply?: Reply, cause?: unknown) {
    super('SMTP_SERVER_DISCONNECTED', reply ? `${message}: ${describeReply(reply)}` : message, { transient: true, cause });
    this.reply = reply;
    markBrand(this, `${P}SMTPServerDisconnectedError`);
  }
}

/** The server lacks an extension the call needs (STARTTLS, AUTH, CHUNKING, REQUIRETLS, DSN, …). */
export class SMTPNotSupportedError extends SMTPError {
  static override is = brandCheck<SMTPNotSupportedError>(`${P}SMTPNotSupportedError`);
  constructor(message: string) {
    super('SMTP_NOT_SUPPORTED', message);
    markBrand(this, `${P}SMTPNotSupportedError`);
  }
}

/**
 * The message cannot be sent safely to this server (SECURITY.md promise 3): NUL in a text
 * body, 8-bit content without 8BITMIME, a line over 998 octets without BINARYMIME, or a size
 * over the server's SIZE limit.
 */
export class SMTPMessageError extends SMTPError {
  static override is = brandCheck<SMTPMessageError>(`${P}SMTPMessageError`);
  constructor(message: string) {
    super('SMTP_MESSAGE', message);
    markBrand(this, `${P}SMTPMessageError`);
  }
}

/**
 * The connection was lost after the end of the message was sent and before the server's
 * reply (RFC 1047): the server may or may not have taken responsibility for the message.
 * Never reported as success, never retried by this package; `transient` is false so generic
 * retry loops leave it alone.
 */
export class SMTPOutcomeUnknownError extends SMTPError {
  static override is = brandCheck<SMTPOutcomeUnknownError>(`${P}SMTPOutcomeUnknownError`);
  constructor(message: string, cause?: unknown) {
    super('SMTP_OUTCOME_UNKNOWN', message, { cause });
    markBrand(this, `${P}SMTPOutcomeUnknownError`);
  }
}

/** Maps a protocol-layer error to the `MailError` with the same code; other values pass through. */
export function toMailError(error: unknown): unknown {
  if (error instanceof SMTPProtocolError) return new MailError(error.code, error.message, { cause: error });
  return error;
}

/** Runs a pure protocol function, rethrowing its errors as `MailError`. */
export function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toMailError(error);
  }
}
