// Shared vitest settings for every workspace package. Plain JS (not TS) because vitest
// loads config files' dependencies from node_modules with Node itself.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Whether the package has type tests (test/**/*.test-d.ts): running tsc without any is wasted time.
function hasTypeTests(dir) {
  const testDir = join(dir, 'test');
  return existsSync(testDir) && readdirSync(testDir, { recursive: true }).some((f) => String(f).endsWith('.test-d.ts'));
}

/** Picked up automatically when a package has it (starts real peers, see @mail/peers). */
const PEERS_SETUP = 'test/peers.global-setup.ts';

/**
 * @param {string} dir the package directory (import.meta.dirname of its vitest.config.ts)
 * @param {import('vitest/config').UserConfig['test']} [extra] vitest `test` settings to override
 * @param {{ globalSetup?: string[] }} [options] `globalSetup`: files relative to `dir`, e.g.
 *   `['test/peers.global-setup.ts']` (start real peers once per run; see @mail/peers).
 *   `test/peers.global-setup.ts` is included automatically when it exists.
 */
export function packageTestConfig(dir, extra = {}, options = {}) {
  const globalSetup = [...new Set([
    ...(existsSync(join(dir, PEERS_SETUP)) ? [join(dir, PEERS_SETUP)] : []),
    ...(options.globalSetup ?? []).map((f) => resolve(dir, f)),
    ...[extra.globalSetup ?? []].flat(),
  ])];
  return {
    // Tests run against live sources of sibling packages (no build needed): see the
    // `@mail/source` export condition in each package.json (stripped on publish).
    resolve: { conditions: ['@mail/source'] },
    ssr: { resolve: { conditions: ['@mail/source'] } },
    test: {
      root: dir,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      reporters: ['default', ['json', { outputFile: join(dir, '.reports/vitest.json') }]],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      coverage: {
        provider: 'v8',
        include: ['src/**/*.ts'],
        exclude: ['src/**/*.test.ts', 'src/**/*.test-d.ts'],
        reporter: ['text-summary', 'json-summary'],
        reportsDirectory: join(dir, '.reports/coverage'),
      },
      // Type tests (*.test-d.ts) of this package. The root tsconfig covers the whole repo;
      // type errors elsewhere are `pnpm typecheck`'s job and must not fail this package's run.
      typecheck: {
        enabled: hasTypeTests(dir), include: ['test/**/*.test-d.ts'], tsconfig: join(dir, '../../tsconfig.json'), ignoreSourceErrors: true,
      },
      ...extra,
      ...(globalSetup.length ? { globalSetup } : {}),
    },
  };
}
