/**
 * The one error type of the sans-I/O protocol layer.
 *
 * `protocol/` may not import `@mail/transport` (it stays pure), so it cannot throw a
 * `MailError` itself. It throws this instead, carrying the stable code the client layer
 * maps it to one-to-one (`toMailError` in `../errors.ts`); the server half does the same.
 */

/** Codes a protocol-layer failure can carry; identical to the matching `MailErrorCode`s. */
export type ProtocolErrorCode = 'MAIL_PROTOCOL' | 'MAIL_INVALID_ARGUMENT' | 'MAIL_RESPONSE_TOO_LARGE';

/**
 * A malformed reply (`MAIL_PROTOCOL`), an argument that would let a caller inject bytes of
 * their own choosing (`MAIL_INVALID_ARGUMENT`), or a reply beyond the size limits.
 */
export class SMTPProtocolError extends Error {
  /** Stable code, equal to the `MailErrorCode` the client throws for it. */
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'SMTPProtocolError';
    this.code = code;
  }
}

/** Shorthand for an invalid caller-supplied argument. */
export function invalidArgument(message: string): SMTPProtocolError {
  return new SMTPProtocolError('MAIL_INVALID_ARGUMENT', message);
}

/** Rejects CR, LF and NUL before anything is written (SECURITY.md promise 3). */
export function assertNoLineBreaks(value: string, what: string): void {
  if (/[\r\n\0]/.test(value)) throw invalidArgument(`${what} contains CR, LF or NUL; refused before sending`);
}

/**
 * Makes server text safe to show to a person: control characters (terminal escape
 * sequences included) become `\xNN` (SECURITY.md promise 4).
 */
export function printable(text: string, max = 400): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
