/**
 * Client side TLS: implicit TLS (RFC 8314) and the STARTTLS upgrade (RFC 3207, RFC 2595).
 *
 * Verification is always on. `tls.connect({ socket })` defaults `host` to "localhost", so the
 * name to verify is always passed explicitly. Pinning (SHA-256 of the SubjectPublicKeyInfo,
 * as in RFC 7469) is the safe alternative to turning verification off: a pinned key is
 * accepted even when the chain does not verify, but the host name and the validity dates
 * must still be right, and with pins set an unpinned key is always refused.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { MailError } from './errors.js';
import { PeekTap } from './peek-tap.js';
import { isNotTLSError, looksLikeTLSRecord, plaintextServerError, tlsFailure } from './tls-errors.js';
import type { TLSOptions } from './types.js';

/** Parses `pins` (base64 with optional `sha256/` prefix, or hex) into 32-byte digests. */
export function parsePins(pins: readonly string[]): Buffer[] {
  return pins.map((pin) => {
    const text = pin.trim().replace(/^sha256\//i, '');
    const digest = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    if (digest.length !== 32) {
      throw new MailError('MAIL_INVALID_ARGUMENT', 'tls.pins: each pin must be a SHA-256 digest (base64 or hex) of a SubjectPublicKeyInfo');
    }
    return digest;
  });
}

/** SHA-256 of the certificate's DER SubjectPublicKeyInfo (what `tls.pins` holds). */
export function spkiSha256(certDer: Buffer): Buffer {
  const spki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest();
}

/** What starting client TLS needs. */
export interface ClientTLSParams {
  socket: Duplex;
  host: string;
  port: number;
  tls: TLSOptions;
  /** Implicit TLS: peek at the first bytes to explain a plaintext server. */
  implicit: boolean;
}

/** A handshake in progress: the TLS socket (to destroy on abort) and its outcome. */
export interface ClientTLSHandshake {
  socket: tls.TLSSocket;
  ready: Promise<tls.TLSSocket>;
}

/** Checks the peer after the handshake; undefined when it is acceptable. */
function verifyPeer(socket: tls.TLSSocket, name: string, pins: Buffer[] | undefined, host: string, port: number): MailError | undefined {
  if (pins === undefined) {
    if (socket.authorized) return undefined;
    const err = Object.assign(new Error(String(socket.authorizationError)), { code: socket.authorizationError });
    return tlsFailure(err, name, host, port);
  }
  const cert = socket.getPeerCertificate(true);
  if (cert?.raw === undefined) return new MailError('MAIL_TLS', `${host}:${port} sent no certificate`);
  const hostError = tls.checkServerIdentity(name, cert);
  if (hostError !== undefined) return tlsFailure(hostError, name, host, port);
  const now = Date.now();
  if (now < Date.parse(cert.valid_from)) return tlsFailure({ code: 'CERT_NOT_YET_VALID' }, name, host, port);
  if (now > Date.parse(cert.valid_to)) return tlsFailure({ code: 'CERT_HAS_EXPIRED' }, name, host, port);
  const digest = spkiSha256(cert.raw);
  if (!pins.some((pin) => pin.equals(digest))) {
    return new MailError(
      'MAIL_TLS',
      `the public key of ${host}:${port} is not one of tls.pins (its pin is sha256/${digest.toString('base64')})`,
    );
  }
  return undefined;
}

/**
 * Starts a client handshake over `socket`. The caller bounds it with the `tls` deadline and
 * destroys `handshake.socket` on timeout or abort.
 */
export function startClientTLS(params: ClientTLSParams): ClientTLSHandshake {
  const { host, port, tls: opts } = params;
  const name = opts.servername ?? host;
  const pins = opts.pins === undefined || opts.pins.length === 0 ? undefined : parsePins(opts.pins);
  const tap = params.implicit ? new PeekTap(params.socket) : undefined;
  const socket = tls.connect({
    socket: tap ?? params.socket,
    // Always explicit: with { socket } Node would verify against "localhost".
    host: name,
    // RFC 6066 §3: SNI carries host names only, never IP literals.
    ...(isIP(name) === 0 ? { servername: name } : {}),
    ca: opts.ca,
    cert: opts.cert,
    key: opts.key,
    minVersion: opts.minVersion ?? 'TLSv1.2',
    // With pins the chain may be untrusted; verifyPeer() then checks name, dates and the pin.
    rejectUnauthorized: pins === undefined,
  });
  const ready = new Promise<tls.TLSSocket>((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.off('secureConnect', onSecure);
      socket.destroy();
      const head = tap?.head;
      if (head !== undefined && head.length > 0 && !looksLikeTLSRecord(head)) {
        reject(plaintextServerError(host, port, head, err));
      } else if (isNotTLSError(err)) {
        reject(
          params.implicit
            ? plaintextServerError(host, port, head ?? Buffer.alloc(0), err)
            : new MailError('MAIL_TLS', `${host}:${port} agreed to STARTTLS but did not start a TLS handshake`, { cause: err }),
        );
      } else if (MailError.is(err)) {
        reject(err);
      } else {
        reject(tlsFailure(err, name, host, port));
      }
    };
    const onSecure = (): void => {
      // onError stays attached (it is `once`): a late error must not be unhandled before the
      // Connection attaches its own listeners; rejecting a settled promise is a no-op.
      const problem = verifyPeer(socket, name, pins, host, port);
      if (problem !== undefined) {
        socket.destroy();
        reject(problem);
        return;
      }
      resolve(socket);
    };
    socket.once('error', onError);
    socket.once('secureConnect', onSecure);
  });
  return { socket, ready };
}
