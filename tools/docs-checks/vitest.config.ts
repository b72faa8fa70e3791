import { defineConfig } from 'vitest/config';

// No emulators: the docs check reads Markdown, runs the runnable blocks and synthesizes the CDK app.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
