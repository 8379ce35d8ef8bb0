/**
 * Decoding a client's SASL response line on the server side (SMTP AUTH, POP3 AUTH).
 */
import { decodeBase64Strict } from '../sasl/base64.js';

/**
 * Decodes one base64 SASL response or initial response (RFC 4648). `=` is an empty response
 * (RFC 4954 §4, RFC 5034 §4). Returns `undefined` when the text is not valid base64, so the
 * caller can answer with its protocol's syntax error.
 */
export function decodeSaslResponse(text: string): Buffer | undefined {
  if (text === '=') return Buffer.alloc(0);
  try {
    return decodeBase64Strict(text);
  } catch {
    return undefined;
  }
}
