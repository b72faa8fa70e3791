import { defineConfig } from 'vitest/config';

// The size check needs no emulator (unlike the shared config's global setup): bundles and esbuild only.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    // Building the thirteen floor bundles takes a while on a busy machine.
    testTimeout: 120_000,
    pool: 'forks',
  },
});
