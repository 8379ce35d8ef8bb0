/**
 * Paths from the config file and the command line: `~` and `~/...` mean the home directory
 * (as in shells), relative paths are relative to the working directory.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Resolves `path` against `cwd`, expanding a leading `~`. */
export function expandPath(path: string, env: Record<string, string | undefined>, cwd: string): string {
  if (path === '~') return env.HOME || homedir();
  if (path.startsWith('~/')) return join(env.HOME || homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(cwd, path);
}
