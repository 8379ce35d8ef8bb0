/**
 * Parsing and validating the TOML config file (see file.ts for its shape). A module of its
 * own so that the TOML parser is loaded only when a config file exists.
 */
import { parse, TomlError } from 'smol-toml';
import { configError } from '../errors.js';
import type { Account, AccountSettings, Config } from './file.js';

const STRING_KEYS = ['from', 'smtp', 'pop3', 'user', 'password_command', 'password_env', 'ca', 'maildir', 'mbox', 'mda', 'state', 'ehlo', 'account'] as const;
const KNOWN = new Set<string>([...STRING_KEYS, 'addresses', 'security', 'pin', 'timeout', 'allow_plaintext_auth', 'delete', 'max_size', 'inherit']);

function validateSettings(where: string, raw: Record<string, unknown>): AccountSettings & { inherit?: string; account?: string } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!KNOWN.has(key)) throw configError(`${where}: unknown key "${key}"`);
    const bad = (type: string): never => {
      throw configError(`${where}: "${key}" must be ${type}`);
    };
    if ((STRING_KEYS as readonly string[]).includes(key) || key === 'inherit') {
      if (typeof value !== 'string') bad('a string');
    } else if (key === 'addresses' || key === 'pin') {
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) bad('a string or a list of strings');
      out[key] = list;
      continue;
    } else if (key === 'security') {
      if (value !== 'tls' && value !== 'starttls' && value !== 'none') bad('"tls", "starttls" or "none"');
    } else if (key === 'timeout' || key === 'max_size') {
      if (typeof value !== 'number' || !(value > 0)) bad('a positive number');
    } else if (key === 'allow_plaintext_auth' || key === 'delete') {
      if (typeof value !== 'boolean') bad('true or false');
    }
    out[key] = value;
  }
  return out;
}

/** Parses config text (exported for tests). `path` is only used in messages. */
export function parseConfig(text: string, path?: string): Config {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (e) {
    const detail = e instanceof TomlError ? e.message.split('\n')[0] : String(e);
    throw configError(`${path ?? 'config'}: invalid TOML: ${detail}`, e);
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'defaults' && key !== 'accounts') throw configError(`${path ?? 'config'}: unknown section "${key}"`);
  }
  const defaults = validateSettings('[defaults]', (doc.defaults ?? {}) as Record<string, unknown>);
  const rawAccounts = (doc.accounts ?? {}) as Record<string, Record<string, unknown>>;
  const declared = new Map<string, AccountSettings & { inherit?: string }>();
  for (const [name, raw] of Object.entries(rawAccounts)) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw configError(`[accounts.${name}] must be a table`);
    declared.set(name, validateSettings(`[accounts.${name}]`, raw));
  }
  const accounts = new Map<string, Account>();
  const resolve = (name: string, chain: string[]): Account => {
    const done = accounts.get(name);
    if (done) return done;
    if (chain.includes(name)) throw configError(`inheritance cycle: ${[...chain, name].join(' -> ')}`);
    const own = declared.get(name);
    if (!own) throw configError(`account "${chain.at(-1) ?? ''}" inherits unknown account "${name}"`);
    const { inherit, ...settings } = own;
    const base: AccountSettings = inherit ? resolve(inherit, [...chain, name]) : {};
    const { account: _a, ...defaultSettings } = defaults;
    const merged: Account = { ...defaultSettings, ...stripName(base), ...settings, name };
    accounts.set(name, merged);
    return merged;
  };
  for (const name of declared.keys()) resolve(name, []);
  if (defaults.account !== undefined && !accounts.has(defaults.account)) {
    throw configError(`[defaults] account = "${defaults.account}" names no account`);
  }
  return { path, defaults, accounts };
}

function stripName(account: AccountSettings | Account): AccountSettings {
  const { name: _n, ...rest } = account as Account;
  return rest;
}

