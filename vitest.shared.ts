import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';

/**
 * Test settings every project shares: where its tests are, and a JSON report per project that
 * tools/workspace/src/test-summary.ts adds up at the end of `npm test`.
 */
export const projectTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});

/**
 * And for the tests of code that calls AWS: the emulators started once per run (global setup), and
 * the SDK pointed at them before any test file loads.
 */
const testing = (file: string) => fileURLToPath(new URL(`./libs/testing/src/${file}`, import.meta.url));

export const sharedTestConfig = mergeConfig(
  projectTestConfig,
  defineConfig({
    test: {
      globalSetup: [testing('global-setup.ts')],
      setupFiles: [testing('setup-file.ts')],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      pool: 'forks',
    },
  }),
);
