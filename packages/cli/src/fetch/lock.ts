/**
 * Dot-locking an mbox (`FILE.lock` created with O_EXCL, holding our pid), the convention
 * mail readers and MDAs share. A lock whose pid is dead is stale and is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { CliError } from '../errors.js';
import { EX } from '../exit-codes.js';

/** A held lock; release it exactly once. */
export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Acquires `target + '.lock'`, waiting up to `waitMs`. A busy lock after that is a
 * temporary failure (exit 75): try again later.
 */
export async function acquireLock(target: string, waitMs = 10_000): Promise<Lock> {
  const path = `${target}.lock`;
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      let released = false;
      return {
        path,
        release: async () => {
          if (released) return;
          released = true;
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) throw new CliError(EX.TEMPFAIL, `${target} is locked by ${path} (pid ${pid || 'unknown'})`);
    await sleep(Math.min(50 * 2 ** attempt, 500));
  }
}
