/**
 * The errors a connection settles its calls with, built in one place so that messages stay
 * consistent and never include data from the wire.
 */
import { MailError, type Phase } from './errors.js';

/** `MAIL_CONNECTION_CLOSED`, transient: a retry on a new connection may succeed. */
export function closedError(message = 'connection closed'): MailError {
  return new MailError('MAIL_CONNECTION_CLOSED', message, { transient: true });
}

/** Maps a socket or TLS error after connect to a MailError. */
export function socketError(err: Error): MailError {
  if (MailError.is(err)) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_SSL')) {
    return new MailError('MAIL_TLS', `TLS error: ${err.message}`, { cause: err });
  }
  return closedError(`connection lost (${typeof code === 'string' ? code : err.message})`);
}

/**
 * `MAIL_TIMEOUT` for `phase`. `silentPlaintext`: a client heard nothing at all on a plaintext
 * connection, the signature of an implicit-TLS port (RFC 8314) waiting for a ClientHello.
 */
export function timeoutError(phase: Phase, ms: number, silentPlaintext: boolean): MailError {
  let message = `${phase} timed out (deadline ${ms} ms)`;
  if (phase === 'greeting' && silentPlaintext) {
    message += "; nothing was received: if this port expects implicit TLS (RFC 8314), use security 'tls'";
  }
  return new MailError('MAIL_TIMEOUT', message, { transient: true, phase });
}
