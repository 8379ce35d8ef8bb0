import type { UserConfig } from 'vitest/config';
/** Shared vitest settings for a workspace package at `dir`. */
export declare function packageTestConfig(dir: string, extra?: UserConfig['test']): UserConfig;
