/**
 * Exit codes after BSD sysexits(3), and the mapping from error codes to them.
 * Documented in `mailctl --help` (see {@link EXIT_CODE_HELP}) and the README.
 */

/** The sysexits values mailctl uses. */
export const EX = {
  OK: 0,
  /** Generic failure that fits no other class (should not happen). */
  FAILURE: 1,
  /** Command line usage error. */
  USAGE: 64,
  /** Input data was incorrect: a message without recipients, a refused message or recipient. */
  DATAERR: 65,
  /** An input file did not exist or was not readable. */
  NOINPUT: 66,
  /** Service unavailable: connection refused, host unknown, permanent server refusal. */
  UNAVAILABLE: 69,
  /** Internal software error. */
  SOFTWARE: 70,
  /** Local I/O error: the Maildir, mbox, state file or MDA failed. */
  IOERR: 74,
  /** Temporary failure, try again later: timeouts, dropped connections, 4xx replies. */
  TEMPFAIL: 75,
  /** Remote protocol error: malformed replies, TLS failures, STARTTLS injection. */
  PROTOCOL: 76,
  /** Permission denied: authentication failed or credentials missing. */
  NOPERM: 77,
  /** Configuration error: bad config file, unknown account, missing server. */
  CONFIG: 78,
} as const;

/** One of the exit codes in {@link EX}. */
export type ExitCode = (typeof EX)[keyof typeof EX];

/** Table shown by `mailctl --help` and copied into the README. */
export const EXIT_CODE_HELP = `Exit codes (sysexits):
  0   success
  64  usage error (bad option or argument)
  65  data error (message has no recipients, message or recipients refused permanently)
  66  input file missing or unreadable
  69  service unavailable (connection refused, permanent 5xx, feature not offered)
  74  local I/O error (Maildir, mbox, state file, MDA)
  75  temporary failure (timeout, connection lost, 4xx reply, outcome unknown): retry later
  76  protocol error (malformed reply, TLS or certificate failure, STARTTLS injection)
  77  permission denied (authentication failed, no password available)
  78  configuration error (config file, unknown account, no server)`;
