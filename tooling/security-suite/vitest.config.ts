import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '@mail/test-servers/vitest';

// The suite mostly waits (deadlines of hostile servers, child processes being killed), so it
// runs three files at once even on two cores: about 45 s instead of 90 s.
export default defineConfig(packageTestConfig(import.meta.dirname, {
  maxWorkers: 3,
  // The shared config's reporters, plus the per-promise scenario count at the end of the run.
  reporters: ['default', ['json', { outputFile: join(import.meta.dirname, '.reports/vitest.json') }], './test/support/scenario-reporter.ts'],
}));
