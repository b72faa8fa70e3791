import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';

/**
 * Test settings every project shares: where its tests are, and the reports per project that
 * tools/workspace/src/test-summary.ts adds up at the end of `npm test`: vitest's JSON report, and
 * how long each test file took, set-up and hooks included.
 */
export const projectTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: [
      'default',
      ['json', { outputFile: 'reports/vitest.json' }],
      fileURLToPath(new URL('./tools/workspace/src/test-file-times.ts', import.meta.url)),
    ],
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
