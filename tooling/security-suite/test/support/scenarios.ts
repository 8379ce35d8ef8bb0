// Counting scenarios per promise, and printing the count when the file's run ends.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, expect } from 'vitest';

/** One row of a scenario table: `name` shows in the test title. */
export interface Named {
  readonly name: string;
}

const counts = new Map<number, number>();
let registered = false;

/** Where each test file leaves its counts for scenario-reporter.ts. */
export const SCENARIO_DIR = join(import.meta.dirname, '../../.reports/scenarios');

/**
 * Registers the rows of one table as scenarios of `promise` (1..6) and returns them for
 * `it.each`. At the end of the file, `promise N: K scenarios` is printed and written to
 * `.reports/scenarios/<file>.json`; scenario-reporter.ts prints the sums after the run.
 */
export function scenarios<T extends Named>(promise: number, rows: readonly T[]): readonly T[] {
  if (rows.length === 0) throw new Error(`promise ${promise}: empty scenario table`);
  const names = new Set(rows.map((r) => r.name));
  if (names.size !== rows.length) throw new Error(`promise ${promise}: duplicate scenario names`);
  counts.set(promise, (counts.get(promise) ?? 0) + rows.length);
  if (!registered) {
    registered = true;
    const file = basename(expect.getState().testPath ?? 'unknown', '.ts');
    afterAll(() => {
      mkdirSync(SCENARIO_DIR, { recursive: true });
      writeFileSync(join(SCENARIO_DIR, `${file}.json`), JSON.stringify(Object.fromEntries(counts)));
      for (const [p, k] of counts) process.stdout.write(`promise ${p}: ${k} scenarios (${file})\n`);
    });
  }
  return rows;
}
