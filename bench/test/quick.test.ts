// Quick mode of the benchmarks: proves every scenario and every client still runs and yields
// a measurement. It never asserts on a timing (timings are for `pnpm bench`, not for CI).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

interface ClientResult { median?: number; ratio?: number; error?: string; peakRssMiB?: number }
interface Report { results: { id: string; clients: Record<string, ClientResult> }[]; targets: { text: string; met: boolean | null }[] }

const out = mkdtempSync(join(tmpdir(), 'bench-quick-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('pnpm bench --quick', () => {
  it('runs every scenario with every client and writes JSON and SVG', () => {
    let log: string;
    try {
      log = execFileSync(process.execPath, [join(import.meta.dirname, '../src/run.mjs'), '--quick', '--out', out], { encoding: 'utf8', timeout: 200_000, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`bench --quick failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`, { cause: e });
    }
    const report = JSON.parse(readFileSync(join(out, 'quick.json'), 'utf8')) as Report;
    const ids = report.results.map((r) => r.id);
    expect(ids).toEqual(['smtp-small-1', 'smtp-small-4', 'smtp-large', 'smtp-large-minimal', 'pop3-small', 'pop3-large', 'fetch-delete', 'startup']);
    for (const r of report.results) {
      for (const [name, c] of Object.entries(r.clients)) {
        expect(c.error, `${r.id}/${name}`).toBeUndefined();
        expect(c.median, `${r.id}/${name}`).toBeGreaterThan(0);
        if (name !== 'ours') expect(Number.isFinite(c.ratio), `${r.id}/${name} ratio`).toBe(true);
      }
    }
    expect(report.targets.length).toBeGreaterThan(5);
    expect(readFileSync(join(out, 'quick.svg'), 'utf8')).toContain('<svg');
    expect(log).toContain('ours');
  });
});
