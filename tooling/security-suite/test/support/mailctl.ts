// Running `mailctl`: as a child process of the live TypeScript sources (to SIGKILL it), or
// in-process through @mail/cli's main() (for the run after the crash).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '@mail/cli';

const BIN = join(import.meta.dirname, '../../../../packages/cli/src/bin.ts');
const REGISTER = join(import.meta.dirname, 'ts-register.mjs');

/** A private HOME with XDG directories for one scenario. */
export interface Sandbox {
  dir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
  file(name: string, content: string): Promise<string>;
}

export async function sandbox(extraEnv: Record<string, string>): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'mail-crash-'));
  const env = {
    HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state'), NO_COLOR: '1',
    PATH: process.env.PATH ?? '/usr/bin:/bin', ...extraEnv,
  };
  return {
    dir, env,
    cleanup: () => rm(dir, { recursive: true, force: true }),
    async file(name, content) {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
  };
}

/** Starts `mailctl argv...` from source in a child process. */
export function spawnMailctl(argv: string[], sb: Sandbox): ChildProcess {
  return spawn(process.execPath, ['--conditions=@mail/source', '--import', REGISTER, BIN, ...argv], {
    cwd: sb.dir, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the exit code or signal once the child is gone (bounded). */
export function exited(child: ChildProcess, ms = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('mailctl did not exit in time')); }, ms);
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal }); });
  });
}

/** Runs `mailctl argv...` in-process; returns its exit code and output. */
export async function runMailctl(argv: string[], sb: Sandbox): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[]) => ({ write: (c: string | Uint8Array) => { into.push(Buffer.from(c)); return true; }, isTTY: false });
  const code = await main(argv, { stdin: Readable.from([]), stdout: sink(out), stderr: sink(err), env: sb.env, cwd: sb.dir });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** Every delivered message of a Maildir (new/ and cur/; tmp/ is not delivered). */
export async function delivered(maildir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['new', 'cur']) {
    const names = await readdir(join(maildir, sub)).catch(() => [] as string[]);
    for (const name of names) out.push(await readFile(join(maildir, sub, name), 'latin1'));
  }
  return out.sort();
}
