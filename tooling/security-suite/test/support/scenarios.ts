// Counting scenarios per promise, and printing the count when the file's run ends.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** One row of a scenario table: `name` shows in the test title. */
export interface Named {
  readonly name: string;
}

const counts = new Map<number, number>();
let registered = false;

/**
 * Registers the rows of one table as scenarios of `promise` (1..6) and returns them for
 * `it.each`. At the end of the file, `promise N: K scenarios` is printed and written to
 * `.reports/scenarios/promise-N.json` (the suite's reporter sums them).
 */
export function scenarios<T extends Named>(promise: number, rows: readonly T[]): readonly T[] {
  if (rows.length === 0) throw new Error(`promise ${promise}: empty scenario table`);
  const names = new Set(rows.map((r) => r.name));
  if (names.size !== rows.length) throw new Error(`promise ${promise}: duplicate scenario names`);
  counts.set(promise, (counts.get(promise) ?? 0) + rows.length);
  if (!registered) {
    registered = true;
    afterAll(() => {
      const dir = join(import.meta.dirname, '../../.reports/scenarios');
      mkdirSync(dir, { recursive: true });
      for (const [p, k] of counts) {
        writeFileSync(join(dir, `promise-${p}.json`), JSON.stringify({ promise: p, scenarios: k }));
        process.stdout.write(`promise ${p}: ${k} scenarios\n`);
      }
    });
  }
  return rows;
}
