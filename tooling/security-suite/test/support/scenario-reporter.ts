// A vitest reporter: after the run, prints the number of scenarios per promise, summed over
// the test files (each file leaves its counts in .reports/scenarios/, see scenarios.ts).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter } from 'vitest/reporters';

const DIR = join(import.meta.dirname, '../../.reports/scenarios');

export default class ScenarioReporter implements Reporter {
  onInit(): void {
    rmSync(DIR, { recursive: true, force: true });
  }

  onTestRunEnd(): void {
    const sums = new Map<number, number>();
    let files: string[];
    try {
      files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    } catch {
      return; // no scenario file ran (e.g. only the fuzz tests were selected)
    }
    for (const f of files) {
      const counts = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Record<string, number>;
      for (const [p, k] of Object.entries(counts)) sums.set(Number(p), (sums.get(Number(p)) ?? 0) + k);
    }
    const lines = [...sums.entries()].sort(([a], [b]) => a - b).map(([p, k]) => `promise ${p}: ${k} scenarios`);
    const total = [...sums.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(`\nSECURITY.md scenarios\n${lines.join('\n')}\ntotal: ${total} scenarios\n`);
  }
}
