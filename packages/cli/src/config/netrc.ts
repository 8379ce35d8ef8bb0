/**
 * A minimal ~/.netrc reader (the format of ftp(1) and curl): `machine HOST login USER
 * password PASS`, `default`, and `macdef` blocks skipped.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { homedir } from 'node:os';

/** One netrc entry. `machine` is undefined for the `default` entry. */
export interface NetrcEntry {
  machine: string | undefined;
  login?: string;
  password?: string;
}

/** Parses netrc text. */
export function parseNetrc(text: string): NetrcEntry[] {
  const entries: NetrcEntry[] = [];
  const lines = text.split(/\r?\n/);
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*macdef\b/.test(line)) {
      // A macro runs until an empty line.
      while (i + 1 < lines.length && (lines[i + 1] ?? '').trim() !== '') i++;
      continue;
    }
    if (/^\s*#/.test(line)) continue;
    for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) tokens.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  }
  let current: NetrcEntry | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'machine') {
      current = { machine: tokens[++i] };
      entries.push(current);
    } else if (t === 'default') {
      current = { machine: undefined };
      entries.push(current);
    } else if (current && (t === 'login' || t === 'password' || t === 'account' || t === 'port')) {
      const value = tokens[++i];
      if (t === 'login' && value !== undefined) current.login = value;
      if (t === 'password' && value !== undefined) current.password = value;
    }
  }
  return entries;
}

/** Finds the password for `host` (and `user`, when known) in the netrc file. */
export async function netrcLookup(
  env: Record<string, string | undefined>,
  host: string,
  user: string | undefined,
): Promise<{ login?: string; password: string } | undefined> {
  const path = env.NETRC || join(env.HOME || homedir(), '.netrc');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const entries = parseNetrc(text);
  const fits = (e: NetrcEntry): boolean => e.password !== undefined && (user === undefined || e.login === undefined || e.login === user);
  const hit = entries.find((e) => e.machine?.toLowerCase() === host.toLowerCase() && fits(e)) ?? entries.find((e) => e.machine === undefined && fits(e));
  if (!hit?.password) return undefined;
  return { ...(hit.login !== undefined ? { login: hit.login } : {}), password: hit.password };
}
