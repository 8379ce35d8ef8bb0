/**
 * POP3 status lines: `+OK text` and `-ERR text` (RFC 1939 §3), with the extended response
 * codes of RFC 2449 §8 (`[IN-USE]`, `[LOGIN-DELAY]`) and RFC 3206 (`[SYS/TEMP]`,
 * `[SYS/PERM]`, `[AUTH]`), and RFC 6856 §5 (`[UTF8]`).
 */
import { MAX_STATUS_LINE } from './limits.js';
import { failure, quote, success, type Parsed } from './result.js';

/**
 * An extended response code, upper-cased, levels joined by `/`. The registered ones are
 * listed; servers may send others (RFC 2449 §8: codes are hierarchical, `SYS/TEMP/FOO` is a
 * kind of `SYS/TEMP`).
 */
export type POP3ResponseCode = 'IN-USE' | 'LOGIN-DELAY' | 'SYS/TEMP' | 'SYS/PERM' | 'AUTH' | 'UTF8' | (string & {});

/** A parsed status line. */
export interface StatusLine {
  /** `+OK` (true) or `-ERR` (false). */
  readonly ok: boolean;
  /** The extended response code, if the text begins with a well-formed `[CODE]`. */
  readonly responseCode: POP3ResponseCode | undefined;
  /** The text after the status indicator and the response code (may be empty). */
  readonly text: string;
}

// RFC 2449 §8: resp-level = 1*<any CHAR except SP, CR, LF, "[", "]", "/">; CHAR is 7-bit.
const RESP_CODE = /^\[([\x21-\x2e\x30-\x5a\x5c\x5e-\x7e]+(?:\/[\x21-\x2e\x30-\x5a\x5c\x5e-\x7e]+)*)\] ?/;

/**
 * Parses a status line (without its CRLF). Fails with `MAIL_LINE_TOO_LONG` beyond
 * {@link MAX_STATUS_LINE} and `MAIL_PROTOCOL` when it is neither `+OK` nor `-ERR`.
 * The indicators are case-sensitive (RFC 1939 §3: "Status indicators are in upper case").
 *
 * @example parseStatusLine('-ERR [IN-USE] locked') → ok: false, responseCode: 'IN-USE', text: 'locked'
 */
export function parseStatusLine(line: string): Parsed<StatusLine> {
  // Octets, not UTF-16 units; byteLength only when the cheap bound is not enough.
  const octets = line.length * 3 + 2 <= MAX_STATUS_LINE ? line.length : Buffer.byteLength(line);
  if (octets + 2 > MAX_STATUS_LINE) {
    return failure(`status line longer than ${MAX_STATUS_LINE} octets`, 'MAIL_LINE_TOO_LONG');
  }
  let ok: boolean;
  let rest: string;
  if (line.startsWith('+OK')) {
    ok = true;
    rest = line.slice(3);
  } else if (line.startsWith('-ERR')) {
    ok = false;
    rest = line.slice(4);
  } else {
    return failure(`expected +OK or -ERR, got ${quote(line)}`);
  }
  if (rest.length > 0 && rest[0] !== ' ') return failure(`expected +OK or -ERR, got ${quote(line)}`);
  const text = rest.slice(1);
  const match = RESP_CODE.exec(text);
  if (match === null) return success({ ok, responseCode: undefined, text });
  return success({ ok, responseCode: match[1]!.toUpperCase(), text: text.slice(match[0].length) });
}

/**
 * Whether `code` is `base` or one of its sub-codes (RFC 2449 §8: hierarchical codes):
 * `codeIs('SYS/TEMP/DISK', 'SYS/TEMP')` is true, `codeIs('SYS', 'SYS/TEMP')` false.
 */
export function codeIs(code: string | undefined, base: POP3ResponseCode): boolean {
  if (code === undefined) return false;
  const upper = code.toUpperCase();
  return upper === base || upper.startsWith(`${base}/`);
}

/**
 * Whether a retry later may succeed: `IN-USE` (RFC 2449 §8.1.1, the maildrop is locked),
 * `LOGIN-DELAY` (§8.1.2, logged in too recently) and `SYS/TEMP` (RFC 3206 §4) are
 * transient; `SYS/PERM`, `AUTH`, `UTF8` and no code are not.
 */
export function isTransientCode(code: string | undefined): boolean {
  return codeIs(code, 'IN-USE') || codeIs(code, 'LOGIN-DELAY') || codeIs(code, 'SYS/TEMP');
}

/**
 * Formats a status line for a server, without CRLF: `formatResponse(false, 'locked',
 * 'IN-USE')` is `-ERR [IN-USE] locked`. Throws a `RangeError` if `text` or `code` contains
 * CR, LF or NUL (a programming error: a server must never let a client inject lines).
 */
export function formatResponse(ok: boolean, text = '', code?: POP3ResponseCode): string {
  if (/[\r\n\0]/.test(text) || (code !== undefined && !RESP_CODE.test(`[${code}]`))) {
    throw new RangeError('response text contains CR, LF or NUL, or the response code is malformed');
  }
  const indicator = ok ? '+OK' : '-ERR';
  const body = code === undefined ? text : `[${code}]${text === '' ? '' : ` ${text}`}`;
  return body === '' ? indicator : `${indicator} ${body}`;
}
