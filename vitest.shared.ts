import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Test settings every project shares: emulators started once per run (global setup), the SDK
 * pointed at them before any test file loads, and a JSON report per project that
 * tools/workspace/src/test-summary.mjs adds up at the end of `npm test`.
 */
const testing = (file: string) => fileURLToPath(new URL(`./libs/testing/src/${file}`, import.meta.url));

export const sharedTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: [testing('global-setup.ts')],
    setupFiles: [testing('setup-file.ts')],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
