import { defineConfig } from 'vitest/config';

// No emulators: these tests run the repository's own tooling on temporary copies.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    testTimeout: 30_000,
  },
});
