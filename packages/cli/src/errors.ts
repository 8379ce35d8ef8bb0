/**
 * CLI-level errors and the mapping of every error to a sysexits code.
 */
import { MailError } from '@mail/transport';
import { EX, type ExitCode } from './exit-codes.js';

const BRAND = Symbol.for('@mail/cli.CliError');

/** An error the CLI raises itself (usage, config, local I/O) with the exit code it means. */
export class CliError extends Error {
  /** The sysexits code to exit with. */
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a CliError (also across module copies). */
  static is(value: unknown): value is CliError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Shorthands for the common CLI errors. */
export const usageError = (message: string): CliError => new CliError(EX.USAGE, message);
/** A configuration problem (exit 78). */
export const configError = (message: string, cause?: unknown): CliError =>
  new CliError(EX.CONFIG, message, cause === undefined ? undefined : { cause });
/** A local I/O problem (exit 74). */
export const ioError = (message: string, cause?: unknown): CliError =>
  new CliError(EX.IOERR, message, cause === undefined ? undefined : { cause });

/** POP3 extended response codes (RFC 2449 §8, RFC 3206) as carried by POP3ReplyError. */
function pop3ResponseCode(error: MailError): string | undefined {
  const e = error as unknown as Record<string, unknown>;
  for (const key of ['responseCode', 'respCode', 'resp']) {
    if (typeof e[key] === 'string') return (e[key]).toUpperCase();
  }
  return /^\s*-ERR\s+\[([A-Z/-]+)\]/i.exec(error.message)?.[1]?.toUpperCase() ?? /\[([A-Z/-]+)\]/.exec(error.message)?.[1];
}

/** The SMTP reply code of an SMTP reply error, when it has one. */
function smtpReplyCode(error: MailError): number | undefined {
  const reply = (error as unknown as { reply?: { code?: unknown } }).reply;
  return typeof reply?.code === 'number' ? reply.code : undefined;
}

/** Brands of the protocol packages' authentication errors (checked without importing them). */
const AUTH_BRANDS = ['@mail/smtp.SMTPAuthenticationError', '@mail/pop3.POP3AuthenticationError'].map((b) => Symbol.for(b));

/** Maps a MailError code (stable strings of @mail/transport, smtp and pop3) to an exit code. */
export function exitCodeForMailError(error: MailError): ExitCode {
  if (AUTH_BRANDS.some((b) => (error as unknown as Record<symbol, unknown>)[b] === true)) {
    return error.transient ? EX.TEMPFAIL : EX.NOPERM;
  }
  switch (error.code) {
    case 'MAIL_CONNECTION_FAILED':
      // Refused, unreachable or unknown host: sysexits' "service unavailable".
      return EX.UNAVAILABLE;
    case 'MAIL_CONNECTION_CLOSED':
    case 'MAIL_TIMEOUT':
    case 'MAIL_ABORTED':
    case 'SMTP_SERVER_DISCONNECTED':
    case 'SMTP_OUTCOME_UNKNOWN':
      return EX.TEMPFAIL;
    case 'MAIL_TLS':
    case 'MAIL_TLS_REQUIRED':
    case 'MAIL_TLS_MODE_MISMATCH':
    case 'MAIL_STARTTLS_INJECTION':
    case 'MAIL_LINE_TOO_LONG':
    case 'MAIL_RESPONSE_TOO_LARGE':
    case 'MAIL_PROTOCOL':
      return EX.PROTOCOL;
    case 'MAIL_INVALID_ARGUMENT':
    case 'SMTP_MESSAGE':
      return EX.DATAERR;
    case 'MAIL_AUTH':
    case 'MAIL_SASL':
      return EX.NOPERM;
    case 'SMTP_NOT_SUPPORTED':
      return EX.UNAVAILABLE;
    case 'SMTP_RECIPIENTS_REFUSED':
      return error.transient ? EX.TEMPFAIL : EX.DATAERR;
    case 'SMTP_REPLY': {
      if (error.transient) return EX.TEMPFAIL;
      const code = smtpReplyCode(error);
      // 535 authentication failed, 530 authentication required (RFC 4954 §6).
      if (code === 535 || code === 530 || code === 534 || code === 538) return EX.NOPERM;
      // 550-554 to a message or recipient: the data was refused (RFC 5321 §4.2.2).
      if (code !== undefined && code >= 550 && code <= 554) return EX.DATAERR;
      return EX.UNAVAILABLE;
    }
    case 'POP3_REPLY': {
      const rc = pop3ResponseCode(error);
      if (rc === 'AUTH') return EX.NOPERM;
      if (rc === 'IN-USE' || rc === 'LOGIN-DELAY' || rc === 'SYS/TEMP') return EX.TEMPFAIL;
      if (rc === 'SYS/PERM') return EX.UNAVAILABLE;
      return error.transient ? EX.TEMPFAIL : EX.UNAVAILABLE;
    }
    default:
      return error.transient ? EX.TEMPFAIL : EX.PROTOCOL;
  }
}

/** Node system error codes of local file operations. */
const LOCAL_IO = new Set(['EACCES', 'EPERM', 'ENOSPC', 'EROFS', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EIO', 'EMFILE', 'EDQUOT']);

/** The exit code for any thrown value. */
export function exitCodeFor(error: unknown): ExitCode {
  if (CliError.is(error)) return error.exitCode;
  if (MailError.is(error)) return exitCodeForMailError(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return EX.NOINPUT;
  if (typeof code === 'string' && LOCAL_IO.has(code)) return EX.IOERR;
  if (typeof code === 'string' && code.startsWith('commander.')) return EX.USAGE;
  return EX.SOFTWARE;
}
