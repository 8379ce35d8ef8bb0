/**
 * Resolved POP3 server configuration shared by all sessions.
 */
import { hostname as osHostname } from 'node:os';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { SaslServerOptions } from '@mail/transport';
import type { PasswordLookup, POP3ServerOptions } from './types.js';

/** Mechanisms offered by default, strongest first (transport's server mechanisms). */
export const DEFAULT_MECHANISMS = ['SCRAM-SHA-256', 'CRAM-MD5', 'PLAIN', 'LOGIN'] as const;

/** Options with defaults applied. */
export interface POP3Config {
  readonly options: POP3ServerOptions;
  readonly hostname: string;
  readonly tls: SecureContext | undefined;
  readonly maxLineLength: number;
  readonly maxBadCommands: number;
  readonly maxConnections: number;
  readonly commandTimeout: number;
  readonly tlsTimeout: number;
  /** Deadline on each call into user code in ms; `0` or `Infinity` for none. */
  readonly hookTimeout: number;
  readonly mechanisms: readonly string[];
  readonly apop: boolean;
  readonly lookup: PasswordLookup;
  /** For @mail/transport's `createServerMechanism`. */
  readonly sasl: SaslServerOptions;
  /** Users whose maildrop is open in some session ([IN-USE], RFC 2449 §8.1.1). */
  readonly locked: Set<string>;
  readonly log: (line: string) => void;
}

/** Applies defaults and validates `options`. */
export function resolvePOP3Config(options: POP3ServerOptions): POP3Config {
  if (options.secure && !options.tls) throw new TypeError('POP3Server: `secure: true` needs `tls` (key and certificate)');
  const tls = options.tls === undefined ? undefined : 'context' in options.tls ? options.tls : createSecureContext(options.tls);
  const users = new Map((options.auth.users ?? []).map((u) => [u.name, u.password]));
  const external = options.auth.lookup;
  const lookup: PasswordLookup = (user) => users.get(user) ?? external?.(user);
  if (options.hookTimeout !== undefined && !(options.hookTimeout >= 0)) throw new TypeError('POP3Server: `hookTimeout` must be 0, Infinity or a positive number of milliseconds');
  const hostname = options.hostname ?? osHostname();
  return {
    options,
    hostname,
    tls,
    maxLineLength: options.limits?.maxLineLength ?? 255,
    maxBadCommands: options.limits?.maxBadCommands ?? 10,
    maxConnections: options.limits?.maxConnections ?? 1000,
    commandTimeout: options.timeouts?.command ?? 10 * 60_000,
    tlsTimeout: options.timeouts?.tls ?? 30_000,
    hookTimeout: options.hookTimeout ?? 30_000,
    mechanisms: (options.auth.mechanisms ?? [...DEFAULT_MECHANISMS]).map((m) => m.toUpperCase()),
    apop: options.auth.apop ?? true,
    lookup,
    sasl: {
      hostname,
      lookup: (user) => {
        const password = lookup(user);
        return password === undefined ? undefined : { password };
      },
    },
    locked: options.locks ?? new Set(),
    log: options.logger ?? (() => undefined),
  };
}
