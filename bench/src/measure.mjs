// Runs one client as a child process under GNU time, so every client - C, Python or Node -
// is measured the same way: peak RSS and CPU from the kernel's rusage, and wall time either
// from the client itself (a `{"workMs":...}` line: excludes interpreter start-up) or whole.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @param {string[]} argv command and arguments
 * @param {{ env?: object, stdin?: string, timeoutMs?: number, cwd?: string }} [opts]
 * @returns {Promise<{ wallMs: number, workMs: number, cpuMs: number, maxRssKiB: number, stdout: string }>}
 */
export async function measure(argv, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const timeFile = join(dir, 'time');
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%U %S %M', ...argv], {
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  if (opts.stdin) child.stdin.end(opts.stdin);
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
  const code = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  try {
    if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
    const [user, sys, rss] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    const work = /"workMs":([\d.]+)/.exec(stdout);
    return { wallMs, workMs: work ? Number(work[1]) : wallMs, cpuMs: (user + sys) * 1000, maxRssKiB: rss, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
