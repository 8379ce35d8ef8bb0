/**
 * The one error base class of the @mail packages.
 *
 * Packages are installed piecemeal and version independently, so two copies of
 * `@mail/transport` in one program are normal: `instanceof` fails across copies. Every class
 * here carries a `Symbol.for` brand, and its static `is()` checks the brand, so it works
 * across copies. Prefer matching on the stable string `code`.
 */

/** Stable error codes shared across the project. */
export type MailErrorCode =
  | 'MAIL_CONNECTION_FAILED'
  | 'MAIL_CONNECTION_CLOSED'
  | 'MAIL_TIMEOUT'
  | 'MAIL_ABORTED'
  | 'MAIL_TLS'
  | 'MAIL_TLS_REQUIRED'
  | 'MAIL_TLS_MODE_MISMATCH'
  | 'MAIL_STARTTLS_INJECTION'
  | 'MAIL_LINE_TOO_LONG'
  | 'MAIL_RESPONSE_TOO_LARGE'
  | 'MAIL_PROTOCOL'
  | 'MAIL_INVALID_ARGUMENT'
  | 'MAIL_AUTH'
  | 'MAIL_SASL'
  // Codes of the protocol packages; listed here so one union documents them all.
  | 'SMTP_REPLY'
  | 'SMTP_RECIPIENTS_REFUSED'
  | 'SMTP_OUTCOME_UNKNOWN'
  | 'SMTP_NOT_SUPPORTED'
  | 'SMTP_SERVER_DISCONNECTED'
  | 'SMTP_MESSAGE'
  | 'POP3_REPLY'
  | (string & {});

/** The phases that have their own deadline (RFC 5321 §4.5.3.2 gives SMTP's defaults). */
export type Phase = 'connect' | 'tls' | 'greeting' | 'command' | 'data';

/** Options accepted by every {@link MailError} constructor. */
export interface MailErrorOptions {
  /** Whether a retry may succeed (a timeout, a 4xx reply, a dropped connection). */
  transient?: boolean;
  /** The underlying error. */
  cause?: unknown;
  /** For MAIL_TIMEOUT: which phase's deadline passed. */
  phase?: Phase;
}

const BRAND = Symbol.for('@mail/transport.MailError');

/**
 * Base class of every error thrown by the @mail packages. Messages never contain secrets.
 *
 * @example
 * ```ts
 * try { await smtp.sendMail(msg) } catch (e) { if (MailError.is(e) && e.transient) retryLater() }
 * ```
 */
export class MailError extends Error {
  /** Stable machine-readable code, e.g. `MAIL_TIMEOUT`. */
  readonly code: MailErrorCode;
  /** Whether a retry may succeed. */
  readonly transient: boolean;
  /** For timeouts: the phase whose deadline passed. */
  readonly phase: Phase | undefined;

  constructor(code: MailErrorCode, message: string, options: MailErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.transient = options.transient ?? false;
    this.phase = options.phase;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for any MailError, from any copy of this package. */
  static is(value: unknown): value is MailError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** True for a MailError with the given code, from any copy of this package. */
  static hasCode(value: unknown, code: MailErrorCode): value is MailError {
    return MailError.is(value) && value.code === code;
  }
}

/**
 * Builds a brand check for a subclass, so `Sub.is(x)` works across package copies.
 * Use in subclasses: `static override is = brandCheck<SMTPReplyError>('@mail/smtp.SMTPReplyError')`
 * together with `markBrand(this, '@mail/smtp.SMTPReplyError')` in the constructor.
 */
export function brandCheck<T extends MailError>(brand: string): (value: unknown) => value is T {
  const sym = Symbol.for(brand);
  return (value: unknown): value is T =>
    MailError.is(value) && (value as unknown as Record<symbol, unknown>)[sym] === true;
}

/** Marks `error` with the `Symbol.for(brand)` brand that {@link brandCheck} tests. */
export function markBrand(error: MailError, brand: string): void {
  Object.defineProperty(error, Symbol.for(brand), { value: true });
}

/** Rejects CR, LF and NUL in a command argument before any I/O (SECURITY.md promise 3). */
export function assertSafeArgument(value: string, what: string): void {
  if (/[\r\n\0]/.test(value)) {
    throw new MailError('MAIL_INVALID_ARGUMENT', `${what} contains CR, LF or NUL; refused before sending`);
  }
}
