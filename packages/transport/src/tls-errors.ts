/**
 * Turns TLS failures into MailErrors whose messages say what is wrong and what to do.
 */
import { MailError } from './errors.js';
import { escapeForTerminal } from './trace.js';

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** OpenSSL errors that mean "the bytes we got are not a TLS record". */
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_UNEXPECTED_RECORD',
]);

/** Whether an OpenSSL error says the peer did not speak TLS at all. */
export function isNotTLSError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_TLS.has(code);
}

/** Whether the first bytes look like a TLS record (handshake 0x16 or alert 0x15, version 3.x). */
export function looksLikeTLSRecord(head: Uint8Array): boolean {
  return head.length >= 2 && (head[0] === 0x16 || head[0] === 0x15) && head[1] === 0x03;
}

/** A short, terminal-safe quote of what the peer sent first. */
function quote(head: Buffer): string {
  const text = head.toString('latin1').split(/\r?\n/)[0] ?? '';
  return escapeForTerminal(text.slice(0, 40));
}

/** `security: 'tls'` met a server that greets in plaintext. */
export function plaintextServerError(host: string, port: number, head: Buffer, cause?: unknown): MailError {
  return new MailError(
    'MAIL_TLS_MODE_MISMATCH',
    `${host}:${port} speaks plaintext, not implicit TLS (it sent "${quote(head)}"); ` +
      `use security 'starttls' for this port (or 'none'), or connect to the implicit-TLS port (465 for SMTP, 995 for POP3)`,
    { cause },
  );
}

/** A plaintext session received a TLS record. */
export function tlsRecordError(host: string, port: number, server: boolean): MailError {
  return new MailError(
    'MAIL_TLS_MODE_MISMATCH',
    server
      ? `the client started a TLS handshake on a plaintext port; it must use STARTTLS or the implicit-TLS port`
      : `${host}:${port} expects TLS from the first byte (implicit TLS, RFC 8314); use security 'tls' for this port`,
  );
}

/** Certificate and handshake errors with a message that says what is wrong. */
export function tlsFailure(err: unknown, name: string, host: string, port: number): MailError {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `${host}:${port}`;
  let why: string;
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    why = `the certificate of ${where} is self-signed and not trusted; add it to tls.ca or pin its key with tls.pins`;
  } else if (typeof code === 'string' && UNTRUSTED.has(code)) {
    why = `the certificate of ${where} is not signed by a trusted CA (${code}); add the CA to tls.ca or pin the key with tls.pins`;
  } else if (code === 'CERT_HAS_EXPIRED') {
    why = `the certificate of ${where} has expired`;
  } else if (code === 'CERT_NOT_YET_VALID') {
    why = `the certificate of ${where} is not yet valid`;
  } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    why = `the certificate of ${where} is not valid for the host name "${name}"`;
  } else if (code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' || code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' || code === 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION') {
    why = `${where} does not support the minimum TLS version (tls.minVersion)`;
  } else {
    const message = err instanceof Error ? err.message : String(err);
    why = `TLS handshake with ${where} failed: ${message}`;
  }
  return new MailError('MAIL_TLS', why, { cause: err });
}
