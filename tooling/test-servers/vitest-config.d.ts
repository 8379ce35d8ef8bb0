import type { UserConfig } from 'vitest/config';
/** Options of {@link packageTestConfig}. */
export interface PackageTestOptions {
  /** vitest globalSetup files, relative to the package directory (e.g. `['test/peers.global-setup.ts']`). */
  globalSetup?: string[];
}
/** Shared vitest settings for a workspace package at `dir`. */
export declare function packageTestConfig(dir: string, extra?: UserConfig['test'], options?: PackageTestOptions): UserConfig;
