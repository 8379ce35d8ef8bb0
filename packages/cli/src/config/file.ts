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
  // The TOML parser is loaded only when there is a file to parse: most runs have none, and
  // every module loaded is start-up time.
  const { parseConfig } = await import('./parse.js');
  return parseConfig(text, path);
}
