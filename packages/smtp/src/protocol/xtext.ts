/**
 * xtext (RFC 3461 §4) and utf-8-addr-xtext (RFC 6533 §3) for DSN parameters.
 */
import { SMTPProtocolError, invalidArgument } from './errors.js';

// RFC 3461 §4: xchar = any ASCII CHAR between "!" (33) and "~" (126) inclusive, except "+" and "=".
const isXchar = (c: number): boolean => c >= 33 && c <= 126 && c !== 0x2b && c !== 0x3d;

/** Encodes a string as xtext: bytes outside xchar become `+XX` (upper-case hex). UTF-8 first. */
export function encodeXtext(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    out += isXchar(byte) ? String.fromCharCode(byte) : `+${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes xtext; throws `MAIL_PROTOCOL` on a malformed `+XX` or a byte outside xtext. */
export function decodeXtext(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x2b) {
      const hex = value.slice(i + 1, i + 3);
      // RFC 3461 §4: hexchar = "+" 2(%x30-39 / %x41-46) — upper-case only, but be liberal.
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new SMTPProtocolError('MAIL_PROTOCOL', 'malformed xtext hexchar');
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (isXchar(c)) {
      bytes.push(c);
    } else {
      throw new SMTPProtocolError('MAIL_PROTOCOL', 'character outside xtext');
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * RFC 6533 §3 utf-8-addr-xtext, for `ORCPT=utf-8;…` with an internationalised address:
 * non-ASCII code points and the ASCII characters xtext cannot carry become `\x{HEX}`.
 */
export function encodeUtf8AddrXtext(value: string): string {
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || cp === 0x7f) throw invalidArgument('address contains a control character');
    const plain = cp > 0x20 && cp < 0x7f && ch !== '+' && ch !== '=' && ch !== '\\';
    out += plain ? ch : `\\x{${cp.toString(16).toUpperCase()}}`;
  }
  return out;
}
