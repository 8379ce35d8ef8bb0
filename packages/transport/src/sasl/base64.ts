/**
 * Strict base64 for SASL payloads (RFC 4648 §4). Node's decoder silently skips invalid
 * characters; a SASL peer that sends garbage must get an error instead, and the error must
 * not quote the payload (it may be a credential).
 */
import { MailError } from '../errors.js';

const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encodes raw bytes as base64 (no line breaks). */
export function encodeBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/**
 * Decodes canonical base64 (padding required, no whitespace). The empty string is the empty
 * payload. Throws MailError with `code` (default MAIL_PROTOCOL) and a message naming `what`.
 */
export function decodeBase64Strict(text: string, what = 'SASL payload', code: 'MAIL_PROTOCOL' | 'MAIL_SASL' = 'MAIL_PROTOCOL'): Buffer {
  if (!STRICT.test(text)) throw new MailError(code, `${what} is not valid base64`);
  const bytes = Buffer.from(text, 'base64');
  // Reject non-canonical encodings (non-zero padding bits), so one payload has one spelling.
  if (bytes.toString('base64') !== text) throw new MailError(code, `${what} is not canonical base64`);
  return bytes;
}
