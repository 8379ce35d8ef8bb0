/**
 * The TOML config file: `$XDG_CONFIG_HOME/mailctl/config.toml` (or `--config FILE`).
 *
 * ```toml
 * [defaults]
 * account = "work"          # used when no account is named or matched
 * timeout = 60
 *
 * [accounts.work]
 * from = "me@work.example"
 * addresses = ["*@work.example"]   # From addresses that select this account
 * smtp = "smtp://me@mail.work.example:587"
 * pop3 = "pop3s://me@mail.work.example"
 * password_command = "pass show work/mail"
 *
 * [accounts.alias]
 * inherit = "work"
 * from = "alias@work.example"
 * ```
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { parse, TomlError } from 'smol-toml';
import { configError } from '../errors.js';

/** Settings an account (or `[defaults]`) may hold. All optional; inheritance fills gaps. */
export interface AccountSettings {
  from?: string;
  addresses?: string[];
  smtp?: string;
  pop3?: string;
  user?: string;
  password_command?: string;
  password_env?: string;
  security?: 'tls' | 'starttls' | 'none';
  ca?: string;
  pin?: string[];
  timeout?: number;
  allow_plaintext_auth?: boolean;
  maildir?: string;
  mbox?: string;
  mda?: string;
  state?: string;
  delete?: boolean;
  max_size?: number;
  ehlo?: string;
}

/** A resolved account: its name plus the merged settings. */
export interface Account extends AccountSettings {
  name: string;
}

/** The parsed config file. */
export interface Config {
  path: string | undefined;
  defaults: AccountSettings & { account?: string };
  accounts: Map<string, Account>;
}

const STRING_KEYS = ['from', 'smtp', 'pop3', 'user', 'password_command', 'password_env', 'ca', 'maildir', 'mbox', 'mda', 'state', 'ehlo', 'account'] as const;
const KNOWN = new Set<string>([...STRING_KEYS, 'addresses', 'security', 'pin', 'timeout', 'allow_plaintext_auth', 'delete', 'max_size', 'inherit']);

/** The config directory per the XDG Base Directory spec. */
export function configHome(env: Record<string, string | undefined>): string {
  return env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
}

/** The state directory per the XDG Base Directory spec (UIDL state lives here). */
export function stateHome(env: Record<string, string | undefined>): string {
  return env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
}

/** The default config file path. */
export function defaultConfigPath(env: Record<string, string | undefined>): string {
  return join(configHome(env), 'mailctl', 'config.toml');
}

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

/**
 * Loads the config. A missing default file is an empty config; a missing explicit
 * `--config` file is an error.
 */
export async function loadConfig(env: Record<string, string | undefined>, explicit?: string): Promise<Config> {
  const path = explicit ?? env.MAILCTL_CONFIG ?? defaultConfigPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT' && explicit === undefined && env.MAILCTL_CONFIG === undefined) {
      return { path: undefined, defaults: {}, accounts: new Map() };
    }
    throw configError(`cannot read config file ${path}: ${(e as Error).message}`, e);
  }
  return parseConfig(text, path);
}
