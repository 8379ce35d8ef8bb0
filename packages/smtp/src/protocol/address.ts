/**
 * Mailbox and path checks for MAIL FROM and RCPT TO (RFC 5321 §4.1.2, RFC 6531 §3.3), and
 * the server half's parser of the `FROM:<…> params` argument.
 */
import { SMTPProtocolError, assertNoLineBreaks, invalidArgument, printable } from './errors.js';

/** What {@link normalizeAddress} accepts besides `local@domain`. */
export interface AddressRules {
  /** `<>`, the null reverse-path (bounces, RFC 5321 §4.5.5). */
  allowNull?: boolean;
  /** A bare `postmaster` (RCPT TO:<Postmaster>, RFC 5321 §4.1.1.3). */
  allowPostmaster?: boolean;
}

// RFC 5321 §4.5.3.1.3: a path is at most 256 octets, angle brackets included.
const MAX_PATH_OCTETS = 256;

/**
 * Checks an address for MAIL FROM/RCPT TO and returns it without angle brackets. Throws
 * `MAIL_INVALID_ARGUMENT` for CR/LF/NUL, control characters, `<`/`>`, unquoted white space,
 * a missing `@`, or a path over 256 octets — anything that could change the command line.
 */
export function normalizeAddress(input: string, what: string, rules: AddressRules = {}): string {
  assertNoLineBreaks(input, what);
  let address = input.trim();
  if (address.startsWith('<') && address.endsWith('>')) address = address.slice(1, -1).trim();
  if (address === '') {
    if (rules.allowNull) return '';
    throw invalidArgument(`${what} is empty`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(address)) throw invalidArgument(`${what} contains a control character`);
  if (rules.allowPostmaster && /^postmaster$/i.test(address)) return address;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) throw invalidArgument(`${what} is not local@domain: ${printable(address, 80)}`);
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const quoted = local.startsWith('"') && local.endsWith('"') && local.length >= 2;
  // Inside a quoted local part, `<`, `>` and spaces are legal (RFC 5321 §4.1.2 Quoted-string).
  if (!quoted && /[\s<>()[\]\\,;:"]/.test(local)) throw invalidArgument(`${what} has characters that need quoting: ${printable(address, 80)}`);
  if (quoted && /(^|[^\\])"(?!$)/.test(local.slice(1))) throw invalidArgument(`${what} has an unescaped quote`);
  if (!/^\[[^\s[\]\\]+\]$/.test(domain) && /[\s<>()[\]\\,;:"@]/.test(domain)) {
    throw invalidArgument(`${what} has an invalid domain: ${printable(domain, 80)}`);
  }
  // A UTF-16 unit is at most 3 UTF-8 octets: only a long address needs counting.
  if (address.length * 3 + 2 > MAX_PATH_OCTETS && Buffer.byteLength(address, 'utf8') + 2 > MAX_PATH_OCTETS) throw invalidArgument(`${what} is longer than 256 octets (RFC 5321 §4.5.3.1.3)`);
  return address;
}

/** True when the address is pure ASCII (otherwise it needs SMTPUTF8, RFC 6531 §3.4). */
export function isAsciiAddress(address: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(address);
}

/** A parsed `FROM:<addr> KEY=VALUE …` or `TO:<addr> …` argument (the server half). */
export interface PathArgument {
  /** The address without angle brackets (`''` for `<>`). */
  address: string;
  /** ESMTP parameters, keyword upper-case; a keyword without `=` maps to `true`. */
  params: Map<string, string | true>;
}

/**
 * Parses the argument of MAIL (`prefix` 'FROM') or RCPT ('TO'). Throws `MAIL_PROTOCOL` on a
 * malformed argument. Lenient on a space after the colon (RFC 5321 §4.1.1.2 forbids it, but
 * many clients send it).
 */
export function parsePathArgument(argument: string, prefix: 'FROM' | 'TO'): PathArgument {
  const m = new RegExp(`^${prefix}:\\s*<((?:"(?:[^"\\\\]|\\\\.)*"|[^<>\\s"])*)>(.*)$`, 'is').exec(argument);
  if (!m) throw new SMTPProtocolError('MAIL_PROTOCOL', `expected ${prefix}:<address>`);
  const rest = (m[2] ?? '').trim();
  if (rest !== '' && !/^\s/.test(m[2] ?? '')) throw new SMTPProtocolError('MAIL_PROTOCOL', 'expected a space before the parameters');
  return { address: m[1] ?? '', params: parseEsmtpParams(rest) };
}

/** Parses `KEY=VALUE KEY …` (RFC 5321 §4.1.2 esmtp-param); throws `MAIL_PROTOCOL` when malformed. */
export function parseEsmtpParams(text: string): Map<string, string | true> {
  const params = new Map<string, string | true>();
  for (const word of text.split(' ').filter((w) => w !== '')) {
    // eslint-disable-next-line no-control-regex
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:=([^=\s\0-\x1f]+))?$/.exec(word);
    if (!m?.[1]) throw new SMTPProtocolError('MAIL_PROTOCOL', `malformed ESMTP parameter: ${printable(word, 60)}`);
    params.set(m[1].toUpperCase(), m[2] ?? true);
  }
  return params;
}
