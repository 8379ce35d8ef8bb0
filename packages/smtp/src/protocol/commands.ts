/**
 * Command lines of SMTP (RFC 5321 §4.1.1) and its extensions, formatted and checked before
 * anything is written: CR, LF and NUL in any argument are refused (SECURITY.md promise 3),
 * ESMTP parameter values are checked against RFC 5321 §4.1.2 `esmtp-value`.
 */
import { normalizeAddress, isAsciiAddress } from './address.js';
import { assertNoLineBreaks, invalidArgument } from './errors.js';
import { encodeUtf8AddrXtext, encodeXtext } from './xtext.js';

/** BODY values (RFC 6152 8BITMIME, RFC 3030 BINARYMIME). */
export type BodyType = '7BIT' | '8BITMIME' | 'BINARYMIME';

/** DSN NOTIFY conditions (RFC 3461 §4.1). */
export type NotifyCondition = 'SUCCESS' | 'FAILURE' | 'DELAY';

/** Parameters of MAIL FROM. */
export interface MailParams {
  /** SIZE=n, the message size estimate in octets (RFC 1870 §6). */
  size?: number;
  /** BODY= (RFC 6152 §2, RFC 3030 §3). */
  body?: BodyType;
  /** SMTPUTF8 (RFC 6531 §3.4). */
  smtputf8?: boolean;
  /** RET=FULL|HDRS (RFC 3461 §4.3). */
  ret?: 'FULL' | 'HDRS';
  /** ENVID=, xtext-encoded here (RFC 3461 §4.4); printable ASCII, at most 100 characters. */
  envid?: string;
  /** REQUIRETLS (RFC 8689 §4.1). */
  requireTLS?: boolean;
  /** AUTH=<mailbox> (RFC 4954 §5), xtext-encoded here; `''` sends `AUTH=<>`. */
  auth?: string;
  /** Further parameters, `true` for a keyword without value. */
  extra?: Readonly<Record<string, string | true>>;
}

/** Parameters of RCPT TO. */
export interface RcptParams {
  /** NOTIFY=NEVER or a list of conditions (RFC 3461 §4.1). */
  notify?: 'NEVER' | readonly NotifyCondition[];
  /**
   * ORCPT (RFC 3461 §4.2): the original recipient, either `type;address` or a bare address
   * (then `rfc822;`, or `utf-8;` for a non-ASCII one per RFC 6533 §3).
   */
  orcpt?: string;
  /** Further parameters, `true` for a keyword without value. */
  extra?: Readonly<Record<string, string | true>>;
}

/** Checks an EHLO/HELO/LHLO name: a domain or an address literal, no spaces or line breaks. */
export function checkDomainArgument(name: string, what = 'EHLO name'): string {
  assertNoLineBreaks(name, what);
  // eslint-disable-next-line no-control-regex
  if (name === '' || /[\s\x00-\x1f\x7f]/.test(name)) throw invalidArgument(`${what} must be a domain or address literal without spaces`);
  return name;
}

/** `EHLO name` (RFC 5321 §4.1.1.1). */
export const formatEhlo = (name: string): string => `EHLO ${checkDomainArgument(name)}`;
/** `HELO name` (RFC 5321 §4.1.1.1). */
export const formatHelo = (name: string): string => `HELO ${checkDomainArgument(name, 'HELO name')}`;
/** `LHLO name` (RFC 2033 §4.1). */
export const formatLhlo = (name: string): string => `LHLO ${checkDomainArgument(name, 'LHLO name')}`;

/** Checks a generic command line (the `command()` escape hatch): no CR, LF or NUL. */
export function formatCommand(line: string): string {
  assertNoLineBreaks(line, 'command');
  if (line.trim() === '') throw invalidArgument('command is empty');
  return line;
}

function checkKeyword(key: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(key)) throw invalidArgument(`invalid ESMTP parameter keyword: ${JSON.stringify(key)}`);
  return key.toUpperCase();
}

/** RFC 5321 §4.1.2 esmtp-value = 1*(%d33-60 / %d62-126), extended by RFC 6531 §3.3 to UTF-8. */
function checkValue(key: string, value: string): string {
  assertNoLineBreaks(value, `${key} value`);
  // eslint-disable-next-line no-control-regex
  if (value === '' || /[\x00-\x20=\x7f]/.test(value)) throw invalidArgument(`invalid value for ESMTP parameter ${key}`);
  return value;
}

function formatExtra(extra: Readonly<Record<string, string | true>> | undefined): string[] {
  if (extra === undefined) return [];
  return Object.entries(extra).map(([key, value]) => {
    const k = checkKeyword(key);
    return value === true ? k : `${k}=${checkValue(k, value)}`;
  });
}

/** `MAIL FROM:<addr> params` with every parameter checked; `''` is the null reverse-path. */
export function formatMailFrom(address: string, params: MailParams = {}): string {
  return mailFromLine(normalizeAddress(address, 'sender address', { allowNull: true }), params);
}

/**
 * {@link formatMailFrom} for an address that already came out of `normalizeAddress(address,
 * 'sender address', { allowNull: true })` (the client checks each address once, when the
 * call is made); the parameters are checked here as there.
 */
export function mailFromLine(addr: string, params: MailParams = {}): string {
  // Cheap, and keeps a line break out of the command whatever the caller passed (promise 3).
  assertNoLineBreaks(addr, 'sender address');
  const parts = [`MAIL FROM:<${addr}>`];
  if (params.size !== undefined) {
    if (!Number.isSafeInteger(params.size) || params.size < 0) throw invalidArgument('SIZE must be a non-negative integer');
    parts.push(`SIZE=${params.size}`);
  }
  if (params.body !== undefined && params.body !== '7BIT') parts.push(`BODY=${params.body}`);
  if (params.smtputf8) parts.push('SMTPUTF8');
  if (params.ret !== undefined) {
    if (params.ret !== 'FULL' && params.ret !== 'HDRS') throw invalidArgument('RET must be FULL or HDRS');
    parts.push(`RET=${params.ret}`);
  }
  if (params.envid !== undefined) parts.push(`ENVID=${formatEnvid(params.envid)}`);
  if (params.requireTLS) parts.push('REQUIRETLS');
  if (params.auth !== undefined) {
    assertNoLineBreaks(params.auth, 'AUTH= mailbox');
    parts.push(`AUTH=${params.auth === '' ? '<>' : encodeXtext(params.auth)}`);
  }
  parts.push(...formatExtra(params.extra));
  return parts.join(' ');
}

/** ENVID: printable US-ASCII (RFC 3461 §4.4), xtext-encoded, at most 100 characters. */
export function formatEnvid(envid: string): string {
  assertNoLineBreaks(envid, 'ENVID');
  if (!/^[\x20-\x7e]+$/.test(envid)) throw invalidArgument('ENVID must be printable US-ASCII (RFC 3461 §4.4)');
  const encoded = encodeXtext(envid);
  if (encoded.length > 100) throw invalidArgument('ENVID is longer than 100 characters (RFC 3461 §4.4)');
  return encoded;
}

/** `ORCPT` value: `type;xtext` (RFC 3461 §4.2, at most 500 characters) or `utf-8;…` (RFC 6533). */
export function formatOrcpt(orcpt: string): string {
  assertNoLineBreaks(orcpt, 'ORCPT');
  const typed = /^([A-Za-z0-9-]+);(.+)$/.exec(orcpt);
  const type = typed?.[1]?.toLowerCase() ?? (isAsciiAddress(orcpt) ? 'rfc822' : 'utf-8');
  const address = typed?.[2] ?? orcpt;
  const value = type === 'utf-8' ? encodeUtf8AddrXtext(address) : encodeXtext(address);
  const result = `${type};${value}`;
  if (result.length > 500) throw invalidArgument('ORCPT is longer than 500 characters (RFC 3461 §4.2)');
  return result;
}

/** `RCPT TO:<addr> params` with every parameter checked. */
export function formatRcptTo(address: string, params: RcptParams = {}): string {
  return rcptToLine(normalizeAddress(address, 'recipient address', { allowPostmaster: true }), params);
}

/**
 * {@link formatRcptTo} for an address that already came out of `normalizeAddress(address,
 * 'recipient address', { allowPostmaster: true })`; the parameters are checked here as there.
 */
export function rcptToLine(addr: string, params: RcptParams = {}): string {
  assertNoLineBreaks(addr, 'recipient address');
  const line = `RCPT TO:<${addr}>`;
  if (params.notify === undefined && params.orcpt === undefined && params.extra === undefined) return line;
  const parts = [line];
  if (params.notify !== undefined) parts.push(`NOTIFY=${formatNotify(params.notify)}`);
  if (params.orcpt !== undefined) parts.push(`ORCPT=${formatOrcpt(params.orcpt)}`);
  parts.push(...formatExtra(params.extra));
  return parts.join(' ');
}

/** NOTIFY=NEVER or a comma list of SUCCESS/FAILURE/DELAY (RFC 3461 §4.1). */
export function formatNotify(notify: 'NEVER' | readonly NotifyCondition[]): string {
  if (notify === 'NEVER') return 'NEVER';
  if (!Array.isArray(notify) || notify.length === 0) throw invalidArgument('NOTIFY needs NEVER or at least one condition');
  const seen = new Set<string>();
  for (const c of notify as readonly string[]) {
    if (c !== 'SUCCESS' && c !== 'FAILURE' && c !== 'DELAY') throw invalidArgument(`NOTIFY condition must be SUCCESS, FAILURE or DELAY`);
    seen.add(c);
  }
  return [...seen].join(',');
}

/** `BDAT size [LAST]` (RFC 3030 §2). */
export function formatBdat(size: number, last: boolean): string {
  if (!Number.isSafeInteger(size) || size < 0) throw invalidArgument('BDAT size must be a non-negative integer');
  return last ? `BDAT ${size} LAST` : `BDAT ${size}`;
}

/** `VRFY arg` / `EXPN arg` / `HELP [arg]` (RFC 5321 §4.1.1.6-8). */
export function formatWithArgument(verb: 'VRFY' | 'EXPN' | 'HELP', argument?: string): string {
  if (argument === undefined || argument === '') {
    if (verb === 'HELP') return 'HELP';
    throw invalidArgument(`${verb} needs an argument`);
  }
  assertNoLineBreaks(argument, `${verb} argument`);
  return `${verb} ${argument}`;
}

/** `AUTH mechanism [initial-response]` (RFC 4954 §4); the response is already base64 (or `=`). */
export function formatAuth(mechanism: string, initialResponse?: string): string {
  if (!/^[A-Z0-9_-]{1,20}$/i.test(mechanism)) throw invalidArgument('invalid SASL mechanism name');
  if (initialResponse === undefined) return `AUTH ${mechanism.toUpperCase()}`;
  assertNoLineBreaks(initialResponse, 'AUTH initial response');
  return `AUTH ${mechanism.toUpperCase()} ${initialResponse}`;
}
