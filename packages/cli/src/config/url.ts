/**
 * Server URLs: `smtps://user@host`, `smtp://host:587`, `submission://host`,
 * `pop3s://user@host`, `pop3://host:110`. The scheme sets the protocol and the default
 * security and port (RFC 8314 §3.3: implicit TLS preferred; STARTTLS otherwise).
 */
import type { Security } from '@mail/transport';
import { usageError } from '../errors.js';

/** Which protocol a URL names. */
export type Protocol = 'smtp' | 'pop3';

/** A parsed server URL. */
export interface ServerUrl {
  protocol: Protocol;
  host: string;
  port: number;
  security: Security;
  user?: string;
  /** Whether the URL named the port (otherwise it follows the security mode). */
  explicitPort?: boolean;
}

interface SchemeDefaults {
  protocol: Protocol;
  security: Security;
  port: number;
}

/** Ports: RFC 8314 §7.3 (465, 995), RFC 6409 (587), RFC 1939 (110). */
const SCHEMES: Record<string, SchemeDefaults> = {
  smtps: { protocol: 'smtp', security: 'tls', port: 465 },
  submissions: { protocol: 'smtp', security: 'tls', port: 465 },
  smtp: { protocol: 'smtp', security: 'starttls', port: 587 },
  submission: { protocol: 'smtp', security: 'starttls', port: 587 },
  pop3s: { protocol: 'pop3', security: 'tls', port: 995 },
  pop3: { protocol: 'pop3', security: 'starttls', port: 110 },
  pop: { protocol: 'pop3', security: 'starttls', port: 110 },
  pops: { protocol: 'pop3', security: 'tls', port: 995 },
};

/** The default port for a protocol and security mode. */
export function defaultPort(protocol: Protocol, security: Security): number {
  if (protocol === 'smtp') return security === 'tls' ? 465 : 587;
  return security === 'tls' ? 995 : 110;
}

/**
 * Parses a server URL. A bare `host[:port]` is accepted when `expected` names the protocol.
 * A password in the URL is refused: it would show in `ps` and shell history.
 */
export function parseServerUrl(input: string, expected?: Protocol): ServerUrl {
  let text = input.trim();
  if (!/^[a-z0-9+.-]+:\/\//i.test(text)) {
    if (!expected) throw usageError(`server URL needs a scheme (smtp://, smtps://, pop3://, pop3s://): ${input}`);
    text = `${expected}://${text}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`not a valid server URL: ${input}`);
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const defaults = SCHEMES[scheme];
  if (!defaults) throw usageError(`unknown URL scheme "${scheme}" (use smtp, smtps, submission, pop3 or pop3s)`);
  if (expected && defaults.protocol !== expected) {
    throw usageError(`${scheme}:// is not a ${expected.toUpperCase()} URL`);
  }
  if (url.password) {
    throw usageError('a password in a server URL is not accepted; use password_command, --password-env or ~/.netrc');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw usageError(`server URL has no host: ${input}`);
  const result: ServerUrl = {
    protocol: defaults.protocol,
    host,
    port: url.port ? Number(url.port) : defaults.port,
    security: defaults.security,
  };
  // smtp://host:465 and pop3://host:995 mean implicit TLS: those ports are TLS-only (RFC 8314 §7.3).
  if (url.port && scheme === 'smtp' && result.port === 465) result.security = 'tls';
  if (url.port && scheme === 'pop3' && result.port === 995) result.security = 'tls';
  if (url.username) result.user = decodeURIComponent(url.username);
  if (url.port) result.explicitPort = true;
  return result;
}

/** Formats a server URL back to text (without user), for messages and state file names. */
export function formatServer(url: ServerUrl): string {
  const host = url.host.includes(':') ? `[${url.host}]` : url.host;
  return `${url.protocol}${url.security === 'tls' ? 's' : ''}://${url.user ? `${encodeURIComponent(url.user)}@` : ''}${host}:${url.port}`;
}

/** Parses `HOST:PORT` (or `[v6]:PORT`, or `PORT`) for `serve`. */
export function parseHostPort(input: string, defaultHost = '127.0.0.1'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(input) ?? /^()()(\d+)$/.exec(input);
  if (!m) throw usageError(`expected HOST:PORT, got "${input}"`);
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`port out of range: ${input}`);
  return { host: m[1] || m[2] || defaultHost, port };
}
