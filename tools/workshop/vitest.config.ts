import { defineConfig } from 'vitest/config';

// No emulators: each checkpoint runs its own builds, tests and synths in child processes.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
