/**
 * Resolved server configuration shared by all sessions, and reply helpers.
 */
import { hostname as osHostname } from 'node:os';
import { createSecureContext, type SecureContext } from 'node:tls';
import { formatReply } from '../protocol/reply.js';
import type { SaslServerOptions } from '@mail/transport';
import type { HookResult, PasswordLookup, ServerReply, SMTPServerOptions } from './types.js';

/** Mechanisms offered by default, strongest first (transport's server mechanisms). */
export const DEFAULT_MECHANISMS = ['SCRAM-SHA-256', 'CRAM-MD5', 'PLAIN', 'LOGIN'] as const;

/** Options with defaults applied. */
export interface ServerConfig {
  readonly options: SMTPServerOptions;
  readonly hostname: string;
  readonly lmtp: boolean;
  readonly tls: SecureContext | undefined;
  readonly maxLineLength: number;
  readonly maxMessageSize: number;
  readonly maxRecipients: number;
  readonly maxBadCommands: number;
  readonly maxConnections: number;
  readonly commandTimeout: number;
  readonly dataTimeout: number;
  readonly tlsTimeout: number;
  /** Deadline on each hook in ms; `0` or `Infinity` for none. */
  readonly hookTimeout: number;
  readonly mechanisms: readonly string[];
  readonly lookup: PasswordLookup | undefined;
  /** For @mail/transport's `createServerMechanism`. */
  readonly sasl: SaslServerOptions | undefined;
  readonly log: (line: string) => void;
}

/** Applies defaults and validates `options`. */
export function resolveConfig(options: SMTPServerOptions): ServerConfig {
  if (options.secure && !options.tls) throw new TypeError('SMTPServer: `secure: true` needs `tls` (key and certificate)');
  const tls = options.tls === undefined ? undefined : 'context' in options.tls ? options.tls : createSecureContext(options.tls);
  const auth = options.auth;
  const users = new Map((auth?.users ?? []).map((u) => [u.name, u.password]));
  const lookup: PasswordLookup | undefined = auth === undefined ? undefined : (user) => users.get(user) ?? auth.lookup?.(user);
  const hostname = options.hostname ?? osHostname();
  const sasl: SaslServerOptions | undefined =
    lookup === undefined
      ? undefined
      : {
          hostname,
          lookup: (user) => {
            const password = lookup(user);
            return password === undefined ? undefined : { password };
          },
        };
  if (options.hookTimeout !== undefined && !(options.hookTimeout >= 0)) throw new TypeError('SMTPServer: `hookTimeout` must be 0, Infinity or a positive number of milliseconds');
  const limits = options.limits ?? {};
  const timeouts = options.timeouts ?? {};
  return {
    options,
    hostname,
    lmtp: options.lmtp ?? false,
    tls,
    maxLineLength: limits.maxLineLength ?? 12288,
    maxMessageSize: limits.maxMessageSize ?? 32 * 1024 * 1024,
    maxRecipients: limits.maxRecipients ?? 100,
    maxBadCommands: limits.maxBadCommands ?? 10,
    maxConnections: limits.maxConnections ?? 1000,
    commandTimeout: timeouts.command ?? 5 * 60_000,
    dataTimeout: timeouts.data ?? 10 * 60_000,
    tlsTimeout: timeouts.tls ?? 30_000,
    hookTimeout: options.hookTimeout ?? 30_000,
    mechanisms: (auth?.mechanisms ?? [...DEFAULT_MECHANISMS]).map((m) => m.toUpperCase()),
    lookup,
    sasl,
    log: options.logger ?? (() => undefined),
  };
}

/** Formats a reply with an enhanced status code (RFC 2034), one string with CRLFs. */
export function reply(code: number, enhanced: string | undefined, text: string | readonly string[]): string {
  return formatReply(code, text, enhanced);
}

/** Default enhanced codes by class when a hook gives none (RFC 3463 §3.1). */
function defaultEnhanced(code: number, fallback: string): string {
  if (code >= 500) return fallback.replace(/^\d/, '5');
  if (code >= 400) return fallback.replace(/^\d/, '4');
  return fallback.replace(/^\d/, '2');
}

/**
 * Turns a hook's outcome into a reply: nothing = the `accept` reply; a {@link ServerReply}
 * as given (code clamped to 2xx-5xx); a thrown error = its reply or `451 4.3.0`.
 */
export function hookReply(result: HookResult | Error, accept: ServerReply, log: (line: string) => void): ServerReply {
  if (result instanceof Error) {
    const given = (result as { reply?: ServerReply }).reply;
    if (given && typeof given.code === 'number') return hookReply(given, accept, log);
    log(`hook error: ${result.message}`);
    return { code: 451, enhanced: '4.3.0', message: 'Local error in processing' };
  }
  if (result === undefined) return accept;
  const code = Number.isInteger(result.code) && result.code >= 200 && result.code <= 599 ? result.code : 451;
  return {
    code,
    enhanced: result.enhanced ?? defaultEnhanced(code, accept.enhanced ?? '2.0.0'),
    message: (result.message ?? (code < 400 ? accept.message : 'Refused') ?? 'OK').replace(/[\r\n\0]/g, ' '),
  };
}

/** Formats a {@link ServerReply}. */
export function formatServerReply(r: ServerReply): string {
  return reply(r.code, r.enhanced, r.message ?? '');
}
