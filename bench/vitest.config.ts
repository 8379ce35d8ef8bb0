import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '@mail/test-servers/vitest';

// The quick benchmark run is one long test: it starts real servers and other clients.
export default defineConfig(packageTestConfig(import.meta.dirname, { testTimeout: 240_000 }));
