import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '@mail/test-servers/vitest';

export default defineConfig(packageTestConfig(import.meta.dirname));
