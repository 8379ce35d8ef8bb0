/**
 * Pieces of SCRAM (RFC 5802) shared by the client and the server: the key derivation, the
 * saslname escaping and the attribute parser.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

/** The hash functions of the registered SCRAM mechanisms we implement (RFC 5802, RFC 7677). */
export type ScramHash = 'sha1' | 'sha256';

/** Output length in bytes of each hash. */
export const HASH_LENGTH: Record<ScramHash, number> = { sha1: 20, sha256: 32 };

/** The keys derived from the salted password (RFC 5802 §3). */
export interface ScramKeys {
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** HMAC(key, data). */
export function hmac(hash: ScramHash, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(hash, key).update(data).digest();
}

/** Hi(password, salt, i) of RFC 5802 §2.2, which is PBKDF2 with HMAC-H and dkLen = hLen. */
export function saltPassword(hash: ScramHash, normalizedPassword: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(normalizedPassword, 'utf8'), salt, iterations, HASH_LENGTH[hash], hash);
}

/** ClientKey, StoredKey and ServerKey from SaltedPassword (RFC 5802 §3). */
export function deriveKeys(hash: ScramHash, saltedPassword: Buffer): ScramKeys {
  const clientKey = hmac(hash, saltedPassword, 'Client Key');
  return {
    clientKey,
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: hmac(hash, saltedPassword, 'Server Key'),
  };
}

/** Bytewise XOR of two equal-length buffers. */
export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/** RFC 5802 §5.1 saslname: `=` becomes `=3D` and `,` becomes `=2C`. */
export function encodeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Reverses {@link encodeSaslName}; undefined for a malformed name (a bare `=`). */
export function decodeSaslName(text: string): string | undefined {
  if (/=(?!2C|3D)/.test(text)) return undefined;
  return text.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** The nonce alphabet of RFC 5802 §7: printable ASCII except `,`. */
export const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/**
 * Splits `a=1,b=2` into ordered [name, value] pairs. Returns undefined when any part is not
 * `letter=value`. Values may contain `=` (base64).
 */
export function parseAttributes(text: string): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  for (const part of text.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (m === null) return undefined;
    out.push([m[1] as string, m[2] as string]);
  }
  return out;
}
