import { defineConfig } from 'vitest/config';
import { packageTestConfig } from './vitest-config.js';

export default defineConfig(packageTestConfig(import.meta.dirname));
