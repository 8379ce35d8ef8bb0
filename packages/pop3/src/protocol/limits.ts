/**
 * Size limits of the POP3 protocol, each with the RFC section it comes from.
 */

/**
 * Longest status line (`+OK ...` / `-ERR ...`) the client accepts, CRLF included.
 * RFC 1939 §3 limits responses to 512 octets; real servers exceed that with long greetings
 * and response texts, so allow four times the slack before calling it an attack.
 */
export const MAX_STATUS_LINE = 2048;

/** Longest command line, CRLF included (RFC 2449 §4: "up to 255 octets"). */
export const MAX_COMMAND_LINE = 255;

/** Longest argument a server must accept (RFC 1939 §3: "up to 40 characters"). */
export const MAX_ARGUMENT_LENGTH = 40;

/** Longest unique-id of UIDL (RFC 1939 §7: "1 to 70 characters"). */
export const MAX_UID_LENGTH = 70;

/**
 * Largest number a listing may contain: message numbers and octet counts beyond
 * `Number.MAX_SAFE_INTEGER` cannot be represented exactly and are a protocol violation.
 */
export const MAX_NUMBER = Number.MAX_SAFE_INTEGER;
