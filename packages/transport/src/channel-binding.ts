/**
 * TLS channel bindings for SCRAM-*-PLUS: `tls-unique` and `tls-server-end-point` (RFC 5929)
 * and `tls-exporter` (RFC 9266).
 */
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** The channel binding types of RFC 5929 and RFC 9266. */
export type ChannelBindingType = 'tls-exporter' | 'tls-unique' | 'tls-server-end-point';

/** Reads one DER TLV header at `at`; returns the content offset and length. */
function tlv(der: Buffer, at: number): { tag: number; start: number; length: number } | undefined {
  const tag = der[at];
  let lengthByte = der[at + 1];
  if (tag === undefined || lengthByte === undefined) return undefined;
  let start = at + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const n = lengthByte & 0x7f;
    if (n === 0 || n > 4) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) {
      lengthByte = der[start + i];
      if (lengthByte === undefined) return undefined;
      length = length * 256 + lengthByte;
    }
    start += n;
  }
  return start + length <= der.length ? { tag, start, length } : undefined;
}

/** The DER-encoded signatureAlgorithm OID of a certificate, as dotted text. */
export function signatureAlgorithmOid(der: Buffer): string | undefined {
  const cert = tlv(der, 0);
  if (cert?.tag !== 0x30) return undefined;
  const tbs = tlv(der, cert.start);
  if (tbs === undefined) return undefined;
  const alg = tlv(der, tbs.start + tbs.length);
  if (alg?.tag !== 0x30) return undefined;
  const oid = tlv(der, alg.start);
  if (oid?.tag !== 0x06 || oid.length === 0) return undefined;
  const bytes = der.subarray(oid.start, oid.start + oid.length);
  const first = bytes[0]!;
  const parts = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    const b = bytes[i]!;
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

const SHA384 = new Set(['1.2.840.113549.1.1.12', '1.2.840.10045.4.3.3']);
const SHA512 = new Set(['1.2.840.113549.1.1.13', '1.2.840.10045.4.3.4']);

/**
 * RFC 5929 §4.1: the hash of the certificate's signature algorithm, except that MD5 and
 * SHA-1 become SHA-256. Algorithms without a hash of their own (Ed25519, RSASSA-PSS whose
 * parameters we do not parse) use SHA-256 as well.
 */
export function endPointHash(der: Buffer): 'sha256' | 'sha384' | 'sha512' {
  const oid = signatureAlgorithmOid(der);
  if (oid !== undefined && SHA384.has(oid)) return 'sha384';
  if (oid !== undefined && SHA512.has(oid)) return 'sha512';
  return 'sha256';
}

/**
 * The channel binding data of `socket` for `kind`, or `undefined` when that binding does not
 * exist on this session: `tls-exporter` needs TLS 1.3 (RFC 9266 §3: TLS 1.2 only with the
 * extended master secret, which Node cannot confirm), `tls-unique` needs TLS 1.2 or older
 * (RFC 8446 §C.5 has no tls-unique).
 */
export function channelBindingOf(socket: TLSSocket, kind: ChannelBindingType, server: boolean): Buffer | undefined {
  const protocol = socket.getProtocol();
  switch (kind) {
    case 'tls-exporter':
      if (protocol !== 'TLSv1.3') return undefined;
      // RFC 9266 §2: no context; in TLS 1.3 an empty context is the same (RFC 8446 §7.5).
      return socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
    case 'tls-unique': {
      if (protocol === 'TLSv1.3' || protocol === null) return undefined;
      // RFC 5929 §3.1: the first Finished message of the latest handshake. In a full
      // handshake the client sends it first; in an abbreviated (resumed) one the server does.
      const clientFirst = !socket.isSessionReused();
      const ours = server ? !clientFirst : clientFirst;
      return ours ? socket.getFinished() : socket.getPeerFinished();
    }
    case 'tls-server-end-point': {
      const raw = server ? socket.getCertificate() : socket.getPeerCertificate();
      const der: unknown = raw !== null && typeof raw === 'object' && 'raw' in raw ? raw.raw : undefined;
      if (!Buffer.isBuffer(der)) return undefined;
      return createHash(endPointHash(der)).update(der).digest();
    }
  }
}
