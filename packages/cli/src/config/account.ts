/**
 * Picks the account and server for one command: `--account`, else the account whose
 * `from`/`addresses` match the From address, else `[defaults] account`, else the only
 * account. `--server`, `--user`, `--security`, `--ca`, `--pin`, `--timeout` override.
 */
import type { Security } from '@mail/transport';
import { configError } from '../errors.js';
import type { CommonOptions } from '../options.js';
import type { Account, Config } from './file.js';
import { defaultPort, parseServerUrl, type Protocol, type ServerUrl } from './url.js';

/** Everything needed to connect and log in, minus the password. */
export interface Target {
  account: Account | undefined;
  server: ServerUrl;
  user: string | undefined;
  security: Security;
  caFile: string | undefined;
  pins: string[];
  /** Milliseconds, or undefined for the library defaults. */
  timeoutMs: number | undefined;
  allowPlaintextAuth: boolean;
}

/** Whether `address` matches a pattern like `me@x.org`, `*@x.org` or `@x.org`. */
export function addressMatches(pattern: string, address: string): boolean {
  const p = pattern.trim().toLowerCase();
  const a = address.trim().toLowerCase();
  if (p.startsWith('@')) return a.endsWith(p);
  const re = new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return re.test(a);
}

/** Finds the account to use, or undefined when none is named, matched or defaulted. */
export function chooseAccount(config: Config, named: string | undefined, fromAddress?: string): Account | undefined {
  if (named !== undefined) {
    const account = config.accounts.get(named);
    if (!account) {
      const known = [...config.accounts.keys()].join(', ') || 'none';
      throw configError(`unknown account "${named}" (configured: ${known})`);
    }
    return account;
  }
  if (fromAddress) {
    for (const account of config.accounts.values()) {
      const patterns = [...(account.from ? [account.from] : []), ...(account.addresses ?? [])];
      if (patterns.some((p) => addressMatches(p.replace(/^.*<([^>]*)>.*$/, '$1'), fromAddress))) return account;
    }
  }
  if (config.defaults.account !== undefined) return config.accounts.get(config.defaults.account);
  if (config.accounts.size === 1) return [...config.accounts.values()][0];
  return undefined;
}

/** Resolves the connection target of `protocol` for a command. */
export function resolveTarget(config: Config, opts: CommonOptions, protocol: Protocol, fromAddress?: string): Target {
  const account = chooseAccount(config, opts.account, fromAddress);
  const urlText = opts.server ?? account?.[protocol];
  if (!urlText) {
    const hint = account ? `account "${account.name}" has no ${protocol} URL` : 'no account configured or selected';
    throw configError(`no ${protocol.toUpperCase()} server: ${hint}; give --server URL or configure an account`);
  }
  let server: ServerUrl;
  try {
    server = parseServerUrl(urlText, protocol);
  } catch (e) {
    if (opts.server === undefined) throw configError(`account "${account?.name ?? ''}": ${(e as Error).message}`, e);
    throw e;
  }
  const security = opts.security ?? (opts.server === undefined ? account?.security : undefined) ?? server.security;
  // `smtp://host --security tls` means port 465, not 587 (RFC 8314 §3.3): a port not named
  // in the URL follows the security mode actually used.
  if (!server.explicitPort && security !== server.security) server = { ...server, port: defaultPort(protocol, security) };
  const timeoutSeconds = opts.timeout ?? account?.timeout;
  return {
    account,
    server,
    user: opts.user ?? server.user ?? account?.user,
    security,
    caFile: opts.ca ?? account?.ca,
    pins: opts.pin && opts.pin.length > 0 ? opts.pin : (account?.pin ?? []),
    timeoutMs: timeoutSeconds === undefined ? undefined : Math.round(timeoutSeconds * 1000),
    allowPlaintextAuth: opts.allowPlaintextAuth === true || account?.allow_plaintext_auth === true,
  };
}
