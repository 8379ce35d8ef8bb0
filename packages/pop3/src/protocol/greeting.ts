/**
 * The APOP timestamp in the server greeting (RFC 1939 §7).
 */

// RFC 1939 §7: the timestamp has the syntax of an RFC 822 msg-id, "<" addr-spec ">". We
// accept printable ASCII without SP, "<", ">" on both sides of one "@". Rejecting anything
// else (non-ASCII, controls, nested brackets) matters: the digest is computed over these
// bytes, and fetchmail's CVE-2007-1558 came from accepting arbitrary timestamp contents.
const TIMESTAMP = /<[\x21-\x3b\x3d\x3f\x41-\x7e]+@[\x21-\x3b\x3d\x3f\x41-\x7e]+>/;

/**
 * Extracts the APOP timestamp (angle brackets included, as the digest needs it) from the
 * text of a `+OK` greeting, or `undefined` when the server offers no APOP.
 *
 * @example apopTimestamp('POP3 ready <1896.697170952@dbc.mtview.ca.us>') → '<1896.697170952@dbc.mtview.ca.us>'
 */
export function apopTimestamp(greetingText: string): string | undefined {
  return TIMESTAMP.exec(greetingText)?.[0];
}
