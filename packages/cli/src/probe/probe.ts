/**
 * Probing a server without changing anything: only greeting, EHLO/CAPA, STARTTLS/STLS and
 * QUIT are sent (no AUTH, no MAIL, no USER).
 */
import { connect, MailError, type Connection, type ConnectOptions } from '@mail/transport';
import type { ServerUrl } from '../config/url.js';
import { stopwatch, tlsReport, type ProbeReport } from './report.js';

/** Options of {@link probe}. */
export interface ProbeOptions {
  connect: Omit<ConnectOptions, 'host' | 'port' | 'security' | 'protocol'>;
  ehloName: string;
  url: string;
}

/** Reads one SMTP reply (RFC 5321 §4.2: `250-` continues, `250 ` ends). */
async function smtpReply(conn: Connection): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const deadline = conn.deadline('command');
  for (let i = 0; i < 1000; i++) {
    const line = await conn.readLine({ deadline });
    const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
    if (!m) throw new MailError('MAIL_PROTOCOL', `malformed SMTP reply line: ${line.slice(0, 80)}`);
    lines.push(m[3] ?? '');
    if (m[2] !== '-') return { code: Number(m[1]), lines };
  }
  throw new MailError('MAIL_RESPONSE_TOO_LARGE', 'SMTP reply has more than 1000 lines');
}

/** Reads a POP3 status line; `-ERR` is returned, not thrown. */
async function popStatus(conn: Connection): Promise<{ ok: boolean; text: string }> {
  const line = await conn.readLine();
  if (line.startsWith('+OK')) return { ok: true, text: line.slice(3).trim() };
  if (line.startsWith('-ERR')) return { ok: false, text: line.slice(4).trim() };
  throw new MailError('MAIL_PROTOCOL', `malformed POP3 status line: ${line.slice(0, 80)}`);
}

function saslFromEhlo(lines: string[]): string[] {
  const mechs = new Set<string>();
  for (const l of lines) {
    const m = /^AUTH[ =](.*)$/i.exec(l);
    if (m) for (const x of (m[1] ?? '').trim().split(/\s+/)) if (x) mechs.add(x.toUpperCase());
  }
  return [...mechs];
}

/** Probes `server` and returns the report (errors are recorded in it, not thrown). */
export async function probe(server: ServerUrl, security: ProbeReport['security'], options: ProbeOptions): Promise<ProbeReport> {
  const report: ProbeReport = {
    url: options.url,
    protocol: server.protocol,
    host: server.host,
    port: server.port,
    security,
    ok: false,
    greeting: null,
    capabilitiesBeforeTls: null,
    capabilities: null,
    starttlsOffered: null,
    saslMechanisms: [],
    tls: null,
    timings: [],
    error: null,
  };
  const sw = stopwatch();
  report.timings = sw.timings;
  let conn: Connection | undefined;
  try {
    conn = await sw.time(security === 'tls' ? 'connect+tls' : 'connect', () =>
      connect({ ...options.connect, host: server.host, port: server.port, security: security === 'tls' ? 'tls' : 'none', protocol: server.protocol }),
    );
    const c = conn;
    if (security === 'tls') report.tls = tlsReport(c.tlsInfo);
    if (server.protocol === 'smtp') await probeSmtp(c, report, sw, options.ehloName, security);
    else await probePop3(c, report, sw, security);
    report.ok = true;
  } catch (error) {
    report.error = { code: MailError.is(error) ? error.code : ((error as { code?: string }).code ?? 'ERROR'), message: (error as Error).message };
    (report as ProbeReport & { cause?: unknown }).cause = error;
  } finally {
    if (conn && !conn.closed) await conn.close().catch(() => undefined);
  }
  return report;
}

async function probeSmtp(conn: Connection, report: ProbeReport, sw: ReturnType<typeof stopwatch>, ehloName: string, security: ProbeReport['security']): Promise<void> {
  const greeting = await sw.time('greeting', () => smtpReply(conn));
  report.greeting = `${greeting.code} ${greeting.lines.join('\n')}`;
  if (greeting.code !== 220) throw new MailError('SMTP_REPLY', `greeting was ${greeting.code}, not 220`);
  const ehlo = async (step: string): Promise<string[]> => {
    const r = await sw.time(step, async () => {
      await conn.writeCommand(`EHLO ${ehloName}`);
      return smtpReply(conn);
    });
    if (r.code !== 250) throw new MailError('SMTP_REPLY', `EHLO answered ${r.code} ${r.lines.join(' ')}`);
    return r.lines.slice(1);
  };
  let caps = await ehlo('ehlo');
  report.capabilities = caps;
  report.starttlsOffered = caps.some((l) => /^STARTTLS\b/i.test(l));
  if (security === 'starttls' && report.starttlsOffered) {
    report.capabilitiesBeforeTls = caps;
    await sw.time('starttls', async () => {
      await conn.writeCommand('STARTTLS');
      const r = await smtpReply(conn);
      if (r.code !== 220) throw new MailError('MAIL_TLS_REQUIRED', `STARTTLS answered ${r.code} ${r.lines.join(' ')}`);
      await conn.upgradeToTLS();
    });
    report.tls = tlsReport(conn.tlsInfo);
    // RFC 3207 §4.2: everything learned before TLS is discarded; ask again.
    caps = await ehlo('ehlo-after-tls');
    report.capabilities = caps;
  }
  report.saslMechanisms = saslFromEhlo(caps);
  await sw.time('quit', async () => {
    await conn.writeCommand('QUIT');
    await smtpReply(conn).catch(() => undefined);
  });
}

async function probePop3(conn: Connection, report: ProbeReport, sw: ReturnType<typeof stopwatch>, security: ProbeReport['security']): Promise<void> {
  const greeting = await sw.time('greeting', () => popStatus(conn));
  report.greeting = greeting.text;
  if (!greeting.ok) throw new MailError('POP3_REPLY', `greeting was -ERR ${greeting.text}`);
  const capa = async (step: string): Promise<string[] | null> =>
    sw.time(step, async () => {
      await conn.writeCommand('CAPA');
      const s = await popStatus(conn);
      return s.ok ? conn.readDotLines() : null;
    });
  let caps = await capa('capa');
  report.capabilities = caps;
  report.starttlsOffered = caps === null ? null : caps.some((l) => /^STLS\b/i.test(l));
  if (security === 'starttls' && report.starttlsOffered) {
    report.capabilitiesBeforeTls = caps;
    await sw.time('stls', async () => {
      await conn.writeCommand('STLS');
      const s = await popStatus(conn);
      if (!s.ok) throw new MailError('MAIL_TLS_REQUIRED', `STLS answered -ERR ${s.text}`);
      await conn.upgradeToTLS();
    });
    report.tls = tlsReport(conn.tlsInfo);
    // RFC 2595 §4: capabilities may change after STLS; ask again.
    caps = await capa('capa-after-tls');
    report.capabilities = caps;
  }
  report.saslMechanisms = (caps ?? []).filter((l) => /^SASL\b/i.test(l)).flatMap((l) => l.split(/\s+/).slice(1).map((m) => m.toUpperCase()));
  await sw.time('quit', async () => {
    await conn.writeCommand('QUIT');
    await popStatus(conn).catch(() => undefined);
  });
}
