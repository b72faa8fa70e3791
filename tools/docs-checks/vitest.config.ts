import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.ts';

// No emulators: the docs check reads Markdown, runs the runnable blocks and synthesizes the CDK app.
export default mergeConfig(
  projectTestConfig,
  defineConfig({
    test: {
      testTimeout: 120_000,
      hookTimeout: 180_000,
    },
  }),
);
