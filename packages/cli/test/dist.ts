/**
 * Tests that spawn the real `mailctl` need the built dist of the CLI and of the packages it
 * imports. CI builds before testing; locally this rebuilds when a source is newer than its
 * dist (or a dist is missing).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The repository root and the built bin. */
export const ROOT = join(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'packages/cli/dist/bin.js');

const PACKAGES = ['transport', 'pop3', 'smtp', 'cli'];

async function newest(dir: string, ext: string): Promise<number> {
  let max = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith(ext) && !e.name.endsWith('.test.ts')) max = Math.max(max, (await stat(p)).mtimeMs);
    }
  };
  if (existsSync(dir)) await walk(dir);
  return max;
}

/** Whether any package's sources are newer than its dist. */
export async function distIsStale(): Promise<boolean> {
  for (const name of PACKAGES) {
    const pkg = join(ROOT, 'packages', name);
    const built = await newest(join(pkg, 'dist'), '.js');
    if (built === 0 || (await newest(join(pkg, 'src'), '.ts')) > built) return true;
  }
  return false;
}

/** Builds the CLI and its workspace dependencies when stale. */
export async function ensureBuilt(): Promise<void> {
  if (!(await distIsStale())) return;
  await new Promise<void>((resolve) => {
    // tsc still emits when some other package has a type error; the exit status is not ours to judge here.
    execFile('pnpm', ['--filter', '@mail/cli...', 'run', 'build'], { cwd: ROOT, timeout: 170_000 }, () => resolve());
  });
  if (!existsSync(BIN)) throw new Error(`build did not produce ${BIN}`);
}
