/**
 * Runs `main()` in-process with captured output and an isolated HOME/XDG environment.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main, type CliIO } from '../src/index.js';

/** The outcome of one run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

/** A temporary HOME with XDG directories; `cleanup()` removes it. */
export interface Sandbox {
  dir: string;
  env: Record<string, string>;
  file(name: string, content: string | Buffer): Promise<string>;
  run(argv: string[], opts?: { stdin?: string | Buffer; env?: Record<string, string>; argv0?: string; signal?: AbortSignal; onStdout?: (text: string) => void }): Promise<RunResult>;
  cleanup(): Promise<void>;
}

class Capture {
  chunks: Buffer[] = [];
  isTTY = false;
  constructor(private readonly tap?: (text: string) => void) {}
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(Buffer.from(chunk));
    this.tap?.(Buffer.from(chunk).toString('utf8'));
    return true;
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Creates a sandbox. */
export async function sandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'mailctl-test-'));
  const env = {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_STATE_HOME: join(dir, 'state'),
    NO_COLOR: '1',
    PATH: process.env.PATH ?? '/usr/bin:/bin',
  };
  return {
    dir,
    env,
    async file(name, content) {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    async run(argv, opts = {}) {
      const stdout = new Capture(opts.onStdout);
      const stderr = new Capture();
      const io: CliIO = {
        stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
        stdout,
        stderr,
        env: { ...env, ...opts.env },
        cwd: dir,
        ...(opts.signal ? { signal: opts.signal } : {}),
      };
      const code = await main(argv, io, opts.argv0 ? { argv0: opts.argv0 } : {});
      return { code, stdout: stdout.text, stderr: stderr.text, stdoutBytes: Buffer.concat(stdout.chunks) };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
