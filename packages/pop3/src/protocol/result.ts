/**
 * The outcome of a sans-I/O parser. Parsers never throw on hostile input: they return a
 * failure that the I/O layer turns into a typed `MailError` with the same `code`.
 */

/** Why a parser refused its input. */
export interface ParseFailure {
  readonly ok: false;
  /** The `MailError` code the caller should throw. */
  readonly code: 'MAIL_PROTOCOL' | 'MAIL_LINE_TOO_LONG';
  /** A description safe to show (server text is escaped by the caller before display). */
  readonly message: string;
}

/** A successfully parsed value. */
export interface ParseSuccess<T> {
  readonly ok: true;
  readonly value: T;
}

/** Either the parsed value or the reason the input was refused. */
export type Parsed<T> = ParseSuccess<T> | ParseFailure;

/** Builds a success. */
export function success<T>(value: T): ParseSuccess<T> {
  return { ok: true, value };
}

/** Builds a `MAIL_PROTOCOL` failure (or another code). */
export function failure(message: string, code: ParseFailure['code'] = 'MAIL_PROTOCOL'): ParseFailure {
  return { ok: false, code, message };
}

/**
 * Shortens and makes printable a piece of server input quoted in a failure message, so a
 * hostile server cannot flood messages or smuggle terminal control sequences into logs.
 */
export function quote(input: string, max = 80): string {
  const short = input.length > max ? `${input.slice(0, max)}...` : input;
  // C0/C1 controls and the bidi overrides become visible escapes (CVE-2021-42574 class).
  // eslint-disable-next-line no-control-regex
  const safe = short.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return `"${safe}"`;
}
