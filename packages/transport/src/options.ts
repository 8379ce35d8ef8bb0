/**
 * Defaults and resolution of {@link ConnectOptions}: timeouts, limits, debug settings.
 */
import { MailError, type Phase } from './errors.js';
import { DEFAULT_MAX_LINE_LENGTH } from './line-framer.js';
import { stderrLogger } from './trace.js';
import type { ConnectOptions, DebugLevel, Logger, ReadLimits, Timeouts } from './types.js';

/**
 * Default per-phase deadlines in milliseconds. RFC 5321 §4.5.3.2 gives the SMTP client's
 * minimums: initial 220 greeting 5 min, MAIL/RCPT 5 min, DATA initiation 2 min, each data
 * block 3 min, the reply after the final dot 10 min. `command` uses the 5 minutes of
 * §4.5.3.2.2/3, `data` the 10 minutes of §4.5.3.2.6 (one deadline covers a whole body).
 * Connect and TLS handshake are not in the RFC; 30 s each is a common client choice.
 */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  connect: 30_000,
  tls: 30_000,
  greeting: 5 * 60_000,
  command: 5 * 60_000,
  data: 10 * 60_000,
});

/** Default largest multi-line response buffered whole (LIST, UIDL, CAPA, EHLO). */
export const DEFAULT_MAX_RESPONSE_SIZE = 16 * 1024 * 1024;

/** The phases, in order of a session. */
export const PHASES: readonly Phase[] = ['connect', 'tls', 'greeting', 'command', 'data'];

/** {@link ConnectOptions} with every default filled in (what `Connection.options` holds). */
export interface ResolvedOptions extends Omit<ConnectOptions, 'timeouts' | 'limits' | 'debug' | 'logger' | 'timeout'> {
  timeouts: Timeouts;
  limits: Required<ReadLimits>;
  debug: DebugLevel;
  logger: Logger;
  protocol: NonNullable<ConnectOptions['protocol']>;
}

function checkMs(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new MailError('MAIL_INVALID_ARGUMENT', `${what} must be a positive number of milliseconds`);
  }
  return value;
}

/** Per phase: `timeouts[phase]`, else `timeout`, else {@link DEFAULT_TIMEOUTS}. */
export function resolveTimeouts(timeouts: Partial<Timeouts> = {}, timeout?: number): Timeouts {
  const out = { ...DEFAULT_TIMEOUTS };
  for (const phase of PHASES) {
    const value = timeouts[phase] ?? timeout;
    if (value !== undefined) out[phase] = checkMs(value, `timeouts.${phase}`);
  }
  return out;
}

/** Fills in defaults and validates a partial option set (used by connect and fromSocket). */
export function resolveOptions(options: Partial<ConnectOptions>): ResolvedOptions {
  const maxLineLength = options.limits?.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const maxResponseSize = options.limits?.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE;
  checkMs(maxLineLength, 'limits.maxLineLength');
  checkMs(maxResponseSize, 'limits.maxResponseSize');
  const { timeouts, timeout, limits: _limits, debug, logger, ...rest } = options;
  return {
    ...rest,
    host: options.host ?? '',
    port: options.port ?? 0,
    security: options.security ?? 'none',
    timeouts: resolveTimeouts(timeouts, timeout),
    limits: { maxLineLength, maxResponseSize },
    debug: debug ?? 0,
    logger: logger ?? stderrLogger,
    protocol: options.protocol ?? 'smtp',
  };
}
