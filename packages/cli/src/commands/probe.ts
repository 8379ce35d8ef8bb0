/**
 * `mailctl probe URL`: greeting, capabilities before and after TLS, TLS version and cipher,
 * the certificate chain with fingerprints and expiry, SASL mechanisms, and step timings.
 */
import { hostname } from 'node:os';
import { debugLogger, readCa } from '../clients/options.js';
import { parseServerUrl } from '../config/url.js';
import type { CommandContext } from '../context.js';
import { exitCodeFor } from '../errors.js';
import { EX } from '../exit-codes.js';
import { escapeText } from '../output/escape.js';
import { probe } from '../probe/probe.js';
import type { ProbeReport } from '../probe/report.js';
import type { DebugLevel, TLSOptions } from '@mail/transport';

function human(report: ProbeReport, p: CommandContext['printer']): void {
  const c = p.color;
  p.line(`${c.bold(`${report.protocol.toUpperCase()} ${report.host}:${report.port}`)} (${report.security})`);
  if (report.greeting !== null) p.line(`greeting: ${escapeText(report.greeting)}`);
  if (report.capabilitiesBeforeTls) p.line(`capabilities before TLS: ${escapeText(report.capabilitiesBeforeTls.join(', '))}`);
  if (report.capabilities) p.line(`capabilities: ${escapeText(report.capabilities.join(', '))}`);
  if (report.starttlsOffered === false && report.security === 'starttls') p.line(c.yellow('STARTTLS/STLS not offered'));
  if (report.tls) {
    p.line(`TLS: ${report.tls.version} ${report.tls.cipher} (${report.tls.authorized ? c.green('verified') : c.red('not verified')})`);
    report.tls.certificates.forEach((cert, i) => {
      p.line(`  [${i}] ${escapeText(cert.subject)}`);
      p.line(`      issuer ${escapeText(cert.issuer)}`);
      p.line(`      valid ${cert.validFrom} .. ${cert.validTo} (${cert.daysLeft < 14 ? c.red(`${cert.daysLeft} days left`) : `${cert.daysLeft} days left`})`);
      p.line(`      sha256 ${cert.sha256Fingerprint}`);
      p.line(`      pin    sha256/${cert.spkiSha256}`);
    });
  }
  p.line(`SASL: ${report.saslMechanisms.length > 0 ? report.saslMechanisms.join(' ') : '(none offered)'}`);
  p.line(`timings: ${report.timings.map((t) => `${t.step} ${t.ms} ms`).join(', ')}`);
  if (report.error) p.error(`error: ${escapeText(report.error.message)} [${report.error.code}]`);
}

/** Runs `mailctl probe`. */
export async function run(ctx: CommandContext, urlArg: unknown): Promise<number> {
  const { io, opts, printer } = ctx;
  const url = String(urlArg);
  const server = parseServerUrl(url);
  const security = opts.security ?? server.security;
  const ca = await readCa(opts.ca);
  const tls: TLSOptions = {};
  if (ca !== undefined) tls.ca = ca;
  if (opts.pin && opts.pin.length > 0) tls.pins = opts.pin;
  const ehloName = (opts as { ehlo?: string }).ehlo ?? (/^[A-Za-z0-9.-]+$/.test(hostname()) ? hostname() : '[127.0.0.1]');
  const report = await probe(server, security, {
    url,
    ehloName,
    connect: {
      tls,
      debug: Math.max(0, Math.min(2, opts.debug ?? 0)) as DebugLevel,
      logger: debugLogger(io),
      ...(opts.timeout !== undefined ? { timeout: opts.timeout * 1000 } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
    },
  });
  const { cause, ...plain } = report as ProbeReport & { cause?: unknown };
  printer.result(plain);
  if (!printer.json) human(report, printer);
  return report.ok ? EX.OK : exitCodeFor(cause);
}
