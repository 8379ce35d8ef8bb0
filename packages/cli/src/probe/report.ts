/**
 * The probe report (its JSON form is described by schemas/probe.schema.json) and the
 * certificate chain extraction.
 */
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import { spkiSha256, type TLSInfo } from '@mail/transport';

/** One certificate of the chain as reported. */
export interface CertificateReport {
  subject: string;
  issuer: string;
  subjectAltName: string | null;
  serialNumber: string;
  validFrom: string;
  validTo: string;
  daysLeft: number;
  /** SHA-256 of the DER certificate, colon-separated hex. */
  sha256Fingerprint: string;
  /** SHA-256 of the SubjectPublicKeyInfo, base64: the value `--pin` accepts. */
  spkiSha256: string;
}

/** One timed step. */
export interface Timing {
  step: string;
  ms: number;
}

/** What `mailctl probe` found. */
export interface ProbeReport {
  url: string;
  protocol: 'smtp' | 'pop3';
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  ok: boolean;
  greeting: string | null;
  capabilitiesBeforeTls: string[] | null;
  capabilities: string[] | null;
  starttlsOffered: boolean | null;
  saslMechanisms: string[];
  tls: { version: string; cipher: string; authorized: boolean; certificates: CertificateReport[] } | null;
  timings: Timing[];
  error: { code: string; message: string } | null;
}

function dn(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/** Walks the peer certificate chain (leaf first), stopping at a self-signed root. */
export function certificateChain(peer: DetailedPeerCertificate | undefined, now = Date.now()): CertificateReport[] {
  const out: CertificateReport[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = peer;
  while (cert && cert.raw && !seen.has(cert.fingerprint256) && out.length < 10) {
    seen.add(cert.fingerprint256);
    const validTo = new Date(cert.valid_to);
    out.push({
      subject: dn(cert.subject),
      issuer: dn(cert.issuer),
      subjectAltName: cert.subjectaltname ?? null,
      serialNumber: cert.serialNumber,
      validFrom: new Date(cert.valid_from).toISOString(),
      validTo: validTo.toISOString(),
      daysLeft: Math.floor((validTo.getTime() - now) / 86_400_000),
      sha256Fingerprint: cert.fingerprint256,
      spkiSha256: spkiSha256(cert.raw).toString('base64'),
    });
    cert = cert.issuerCertificate === cert ? undefined : cert.issuerCertificate;
  }
  return out;
}

/** The TLS part of the report from a connection's TLS info. */
export function tlsReport(info: TLSInfo | undefined): ProbeReport['tls'] {
  if (!info) return null;
  return { version: info.protocol, cipher: info.cipher, authorized: info.authorized, certificates: certificateChain(info.peerCertificate) };
}

/** A stopwatch that records named steps. */
export function stopwatch(): { time<T>(step: string, fn: () => Promise<T>): Promise<T>; timings: Timing[] } {
  const timings: Timing[] = [];
  return {
    timings,
    async time(step, fn) {
      const start = performance.now();
      try {
        return await fn();
      } finally {
        timings.push({ step, ms: Math.round((performance.now() - start) * 100) / 100 });
      }
    },
  };
}
