/**
 * Command lines (RFC 1939 §3, RFC 2449 §3): formatting for clients, parsing for servers.
 */
import { MAX_COMMAND_LINE } from './limits.js';
import { failure, quote, success, type Parsed } from './result.js';

/** Whether `value` is free of CR, LF and NUL, the characters that would split a command. */
export function isSafeArgument(value: string): boolean {
  return !/[\r\n\0]/.test(value);
}

/**
 * Formats a command line without its CRLF: `formatCommand('LIST', 3)` is `LIST 3`. Throws a
 * `RangeError` if an argument contains CR, LF or NUL; callers validate user input first
 * (the client with `assertSafeArgument`, which throws `MAIL_INVALID_ARGUMENT`), so this is a
 * last line of defence against command injection (SECURITY.md promise 3).
 */
export function formatCommand(verb: string, ...args: Array<string | number>): string {
  const parts = [verb, ...args.map(String)];
  for (const part of parts) {
    if (!isSafeArgument(part)) throw new RangeError(`${verb}: argument contains CR, LF or NUL`);
  }
  return parts.join(' ');
}

/** A command line as a server sees it. */
export interface CommandLine {
  /** The keyword, upper-cased (RFC 1939 §3: keywords are case-insensitive). */
  readonly verb: string;
  /** The arguments, split on single spaces. */
  readonly args: readonly string[];
  /**
   * Everything after the keyword and one space, unsplit: RFC 1939 §7 lets a server treat
   * spaces in the PASS argument as part of the password.
   */
  readonly argText: string;
}

/** Options of {@link parseCommandLine}. */
export interface ParseCommandOptions {
  /** Longest line accepted, CRLF included. Default {@link MAX_COMMAND_LINE} (RFC 2449 §4). */
  maxLength?: number;
}

// RFC 1939 §3: keywords are three or four printable characters; RFC 2449 extensions keep
// that (CAPA, STLS, AUTH, UTF8). Allow up to 16 so a server can answer unknown ones with -ERR.
const VERB = /^[A-Za-z0-9_-]{1,16}$/;

/**
 * Parses a command line (without CRLF) for a server: `parseCommandLine('retr 1')` gives
 * `{ verb: 'RETR', args: ['1'], argText: '1' }`. Fails with `MAIL_LINE_TOO_LONG` over the
 * limit and `MAIL_PROTOCOL` for an empty line, a malformed keyword, or control characters.
 */
export function parseCommandLine(line: string, options: ParseCommandOptions = {}): Parsed<CommandLine> {
  const max = options.maxLength ?? MAX_COMMAND_LINE;
  if (Buffer.byteLength(line) + 2 > max) return failure(`command line longer than ${max} octets`, 'MAIL_LINE_TOO_LONG');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) return failure(`control characters in command ${quote(line)}`);
  const space = line.indexOf(' ');
  const verb = space === -1 ? line : line.slice(0, space);
  if (!VERB.test(verb)) return failure(`malformed command ${quote(line)}`);
  const argText = space === -1 ? '' : line.slice(space + 1);
  const args = argText === '' ? [] : argText.split(' ');
  return success({ verb: verb.toUpperCase(), args, argText });
}
